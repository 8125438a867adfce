"""Wiring of the meetings' video part: the scheduled job that opens and closes the meetings' Janus
rooms (every minute) and Janus's reachability in /healthz (``checks.janus``, only when video is
configured: TONGBAN_JANUS_URL)."""

from __future__ import annotations


def ready() -> None:
    from tongban.core import health, schedule
    from tongban.meetings import tasks_video, video

    schedule.register("meetings.video_rooms", tasks_video.rooms_tick, seconds=60)
    health.register("janus", video.janus_health)
