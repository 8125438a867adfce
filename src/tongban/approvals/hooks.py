"""Extension points of the approvals domain for the domains above it (supervision).

``register_case_listener(fn)``: ``fn(case, event)`` runs inside the transaction of every clock
event (tongban.approvals.clock.record_event), after the case's dates were refreshed. Raising
refuses the operation. Supervision uses it to re-light the case and record anomalies at once.

``register_rating_listener(fn)``: ``fn(rating)`` runs inside the transaction that stores an
applicant's rating (supervision opens a follow-up for a bad one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CaseListener = Callable[[Any, Any], None]
_LISTENERS: dict[str, CaseListener] = {}


def register_case_listener(key: str, fn: CaseListener) -> None:
    _LISTENERS[key] = fn


def case_event(case: Any, event: Any) -> None:
    for fn in list(_LISTENERS.values()):
        fn(case, event)


RatingListener = Callable[[Any], None]
_RATING_LISTENERS: dict[str, RatingListener] = {}


def register_rating_listener(key: str, fn: RatingListener) -> None:
    _RATING_LISTENERS[key] = fn


def rating_created(rating: Any) -> None:
    for fn in list(_RATING_LISTENERS.values()):
        fn(rating)
