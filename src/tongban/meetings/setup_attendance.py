"""Wiring of the meetings' attendance part: the demo hook (the sign-ins of the demo's past meeting).
No nav entry: sign-in and attendance are reached from the meeting page's 签到考勤 tab."""

from __future__ import annotations


def ready() -> None:
    from tongban.core import demo
    from tongban.meetings import demo_attendance

    demo.register("meetings.attendance", demo_attendance.seed, order=410)
