"""Wiring of the meetings' video part: the scheduled job that opens and closes the meetings' Janus
rooms (every minute) and Janus's reachability in /healthz (``checks.janus``, only when video is
configured: TONGBAN_JANUS_URL)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _terminal(user: Any) -> bool:
    from tongban.meetings import selectors

    return bool(user.is_authenticated) and selectors.nav_facts(user).terminal


def ready() -> None:
    from tongban.core import health, nav, schedule
    from tongban.meetings import tasks_video, video

    nav.register(
        nav.NavItem(
            "meetings_terminal",
            _("会场大屏"),
            "meetings_video:terminal",
            icon="bi-display",
            section=_("会议"),
            order=342,
            visible=_terminal,
        )
    )

    schedule.register("meetings.video_rooms", tasks_video.rooms_tick, seconds=60)
    health.register("janus", video.janus_health)
