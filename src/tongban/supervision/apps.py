import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

PARTS = ("setup_watch", "setup_feedback")


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.supervision.{part}").ready()
