import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, notify events, scheduled jobs, demo data) in its setup module.
PARTS = ("setup_rollup", "setup_assess", "setup_dash")


class StatsConfig(AppConfig):
    name = "tongban.stats"
    label = "stats"
    verbose_name = _("考核统计")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.stats.{part}").ready()
