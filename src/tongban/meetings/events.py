"""The record of a meeting: every notice, reply, reminder, sign-in and live action is one
``MeetingEvent`` row, written through ``record``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tongban.meetings.models import Attendee, Meeting, MeetingEvent


def record(
    meeting: Meeting,
    kind: str,
    *,
    actor: Any = None,
    attendee: Attendee | None = None,
    **data: Any,
) -> MeetingEvent:
    """Store one event of ``meeting`` (``kind`` from the contract's list: created, updated,
    notified, cancelled, invitation_confirmed, reminder_sent, signed_in, ...) at the current time.
    ``data`` must be JSON-serialisable; an anonymous ``actor`` is stored as no actor."""
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    return MeetingEvent.objects.create(
        meeting=meeting,
        kind=kind,
        actor=actor_obj,
        attendee=attendee,
        at=timezone.now(),
        data=data,
    )
