import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part wires itself (nav entries, notify events, scheduled jobs, demo data) in its setup module.
PARTS = ("setup_scheduling", "setup_attendance", "setup_video", "setup_records", "setup_schedules")


class MeetingsConfig(AppConfig):
    name = "tongban.meetings"
    label = "meetings"
    verbose_name = _("会议")

    def ready(self) -> None:
        for part in PARTS:
            importlib.import_module(f"tongban.meetings.{part}").ready()
