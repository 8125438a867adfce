import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, notify events, scheduled jobs, demo data) in its setup module.
PARTS = ("setup",)


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = _("数据交换")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.exchange.{part}").ready()
