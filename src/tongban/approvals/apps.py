import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part of the domain wires itself (nav entries, notify events, workflow definitions and
# listeners, demo data, scheduled jobs) in its own setup module's ready().
PARTS = ("setup_catalogue", "setup_applying", "setup_handling", "setup_papers")


class ApprovalsConfig(AppConfig):
    name = "tongban.approvals"
    label = "approvals"
    verbose_name = _("网上行政审批")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.approvals.{part}").ready()
