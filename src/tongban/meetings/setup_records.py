"""Wiring of the meetings' records part: the notification events of recordings (the organiser is
told when a recording can be played or failed to convert) and the demo hook (a drafted 纪要 of the
demo's past meeting; recordings come only from a real Janus)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from tongban.core import demo
    from tongban.meetings import demo_records
    from tongban.notify import events

    for order, (code, label) in enumerate(
        (
            ("meetings.recording_ready", _("会议录像可播放")),
            ("meetings.recording_failed", _("会议录像转换失败")),
        ),
        start=640,
    ):
        events.register(code, label, default_channels=("inapp",), order=order)
    demo.register("meetings.records", demo_records.seed, order=430)
