import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, signals, scheduled jobs, demo data) in its setup module.
PARTS = (
    "setup_site",
    "setup_editorial",
    "setup_disclosure",
    "setup_search",
    "setup_health",
    "setup_demo",
    "setup_leader_schedule",
)


class PortalConfig(AppConfig):
    name = "tongban.portal"
    label = "portal"
    verbose_name = _("门户网站")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.portal.{part}").ready()
