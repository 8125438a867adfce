import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, notify events, scheduled jobs, demo data) in its setup module.
PARTS = ("setup",)


class NetmonConfig(AppConfig):
    name = "tongban.netmon"
    label = "netmon"
    verbose_name = _("网络监测")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.netmon.{part}").ready()
