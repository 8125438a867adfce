"""Background task of the video part (run by ``manage.py db_worker``; scheduled every minute in
setup_video). Thin: it calls the service, which is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from tongban.meetings import video


@task()
def rooms_tick() -> str:
    """Open the rooms of video meetings about to start, close those of meetings that are over."""
    return video.rooms_tick()
