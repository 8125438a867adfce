"""The platform's "now": ``now()`` and ``today()`` — the current time, always, in production.

Tests may move time (``moved_to(...)``) to watch statutory clocks run out; the override is honoured
only when ``settings.TESTING`` is true, so production never runs on a set clock. Code that compares
with deadlines (approvals, supervision) reads the time through here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

_lock = threading.Lock()
_override: datetime | None = None


def now() -> datetime:
    if _override is not None and settings.TESTING:
        return _override
    return timezone.now()


def today() -> date:
    return timezone.localdate(now())


def set_test_now(value: datetime | None) -> None:
    """Tests only: make ``now()`` return ``value`` (process-wide, so a live server thread sees it
    too); ``None`` goes back to the real time."""
    global _override
    if not settings.TESTING:
        raise RuntimeError("set_test_now is for tests only")
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    with _lock:
        _override = value


@contextmanager
def moved_to(value: datetime | date) -> Iterator[None]:
    """Tests only: ``with moved_to(date(2025, 1, 27)):`` runs the block at that day's 10:00 local time."""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime(value.year, value.month, value.day, 10, 0))
    previous = _override
    set_test_now(value)
    try:
        yield
    finally:
        set_test_now(previous)
