"""Leaders' schedules (日程): entries kept by the leaders' secretaries, and the entries of meetings
kept in step with the meetings (owner: the schedules part)."""

from __future__ import annotations

from tongban.meetings.models import Meeting


def sync_meeting(meeting: Meeting) -> None:
    """Make the schedule entries of ``meeting`` match it: one entry per county leader who attends
    (chair included), removed when the meeting is cancelled or the leader no longer attends.
    Called by the scheduling services after every change of a notified meeting."""
    return None
