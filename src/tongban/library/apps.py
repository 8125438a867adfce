import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, notify events, scheduled jobs, demo data) in its setup module.
PARTS = ("setup",)


class LibraryConfig(AppConfig):
    name = "tongban.library"
    label = "library"
    verbose_name = _("共享资源库")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.library.{part}").ready()
