import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, notify events, scheduled jobs, demo data) in its setup module.
PARTS = ("setup_letters", "setup_disclosure", "setup_interviews", "setup_surveys")


class InteractionConfig(AppConfig):
    name = "tongban.interaction"
    label = "interaction"
    verbose_name = _("政民互动")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.interaction.{part}").ready()
