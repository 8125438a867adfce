"""The sources of the daily roll-ups: how each domain's figures plug into :mod:`tongban.stats.rollup`.

A **source** is an object with:

``key`` (str)
    a short stable name (``"logins"``, ``"documents"`` …), shown on the status page.
``user_fields`` / ``unit_fields`` (tuple of field names)
    the counters it fills: ``user_fields`` are counters of :class:`~tongban.stats.models.UserDay`
    (a person's own actions; the unit's row gets their sum over the unit's people),
    ``unit_fields`` are counters of :class:`~tongban.stats.models.UnitDay` that belong to the unit
    itself (cases closed, letters answered, documents sent …, or a person-counter for work that
    has no person, e.g. an overdue task of a unit's pool).
``user_counts(window) -> Iterable[tuple[int, dict[str, int]]]``
    ``(user id, {field: value})`` for the day of ``window``; a user may appear several times
    (values are added up). Must use aggregate queries (``GROUP BY``), never a Python loop over
    raw rows: the roll-up runs over a county-year.
``unit_counts(window) -> Iterable[tuple[int, dict[str, int]]]``
    ``(unit id, {field: value})``, same rules.
``late_days(since) -> dict[date, datetime]``
    the days that received rows *recorded* after ``since`` (a moment), each with the latest such
    recording time. The roll-up compares it with each day's ``RollupDay.computed_at``: a day
    computed before a row about it was recorded is *dirty* and is computed again. Sources whose
    rows are always recorded when they happen (a login is audited at the moment it happens)
    still report them: the roll-up ignores the ones that do not concern an already computed day.

Values must be non-negative integers. :class:`DayWindow` gives the day's bounds as aware
datetimes in the county's time zone (``start`` inclusive, ``end`` exclusive) and ``now``, so
that today's figures count only what already happened.

Registering::

    from tongban.stats import sources
    sources.register(MySource())

in the ``ready()`` of a setup module (the built-in sources are registered by
``stats/setup_rollup.py`` from ``stats/sources_builtin.py``). Registering a source with a key
already registered replaces it. The exact meaning of every counter is in ``docs/stats-rollup.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol, runtime_checkable

from django.utils import timezone

from tongban.stats.models import UnitDay, UserDay

USER_COUNTERS: tuple[str, ...] = (
    "logins",
    "docs_drafted",
    "docs_handled",
    "docs_read",
    "tasks_done",
    "handle_minutes",
    "tasks_overdue",
    "notices_received",
    "notices_read",
    "meetings_invited",
    "meetings_attended",
)
UNIT_COUNTERS: tuple[str, ...] = (
    *USER_COUNTERS,
    "cases_closed",
    "cases_on_time",
    "letters_answered",
    "letters_on_time",
    "docs_sent",
    "copies_sent",
    "pages_sent",
)
# Counters that make a person "active" on the day (besides logging in): something they did.
ACTION_COUNTERS: tuple[str, ...] = (
    "logins",
    "docs_drafted",
    "docs_handled",
    "docs_read",
    "tasks_done",
    "notices_read",
    "meetings_attended",
)


@dataclass(frozen=True)
class DayWindow:
    day: date
    start: datetime
    end: datetime
    now: datetime

    @classmethod
    def of(cls, day: date, now: datetime | None = None) -> DayWindow:
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return cls(day=day, start=start, end=end, now=now or timezone.now())

    @property
    def until(self) -> datetime:
        """The end of what already happened: the day's end, or now for today."""
        return min(self.end, self.now)


@runtime_checkable
class Source(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def user_fields(self) -> tuple[str, ...]: ...

    @property
    def unit_fields(self) -> tuple[str, ...]: ...

    def user_counts(self, window: DayWindow) -> Iterable[tuple[int, dict[str, int]]]: ...

    def unit_counts(self, window: DayWindow) -> Iterable[tuple[int, dict[str, int]]]: ...

    def late_days(self, since: datetime) -> dict[date, datetime]: ...


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Plug a source in (replaces one with the same key). Checks the fields it claims exist."""
    user_names = {f.name for f in UserDay._meta.get_fields()}
    unit_names = {f.name for f in UnitDay._meta.get_fields()}
    for name in source.user_fields:
        if name not in USER_COUNTERS or name not in user_names:
            raise ValueError(f"{source.key}: {name} is not a UserDay counter")
    for name in source.unit_fields:
        if name not in UNIT_COUNTERS or name not in unit_names:
            raise ValueError(f"{source.key}: {name} is not a UnitDay counter")
    _SOURCES[source.key] = source


def unregister(key: str) -> None:
    _SOURCES.pop(key, None)


def all_sources() -> list[Source]:
    return [_SOURCES[k] for k in sorted(_SOURCES)]


def merge_late(
    into: dict[date, datetime], rows: Iterable[tuple[date | datetime | None, datetime | None]]
) -> None:
    """Helper for :meth:`Source.late_days`: keep the latest recording time per event day (event
    datetimes are turned into local dates)."""
    for when, recorded in rows:
        if when is None or recorded is None:
            continue
        d = timezone.localdate(when) if isinstance(when, datetime) else when
        if d not in into or recorded > into[d]:
            into[d] = recorded
