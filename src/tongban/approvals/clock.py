"""A case's statutory clock, computed from its events and the working-day calendar — never typed.

Rules (rules.md §3; 行政许可法). Periods are working days (第八十二条); the day of an event is not
counted, day 1 is the next working day (tongban.core.calendar.add_workdays):

- 第三十二条: within 5 of receipt the unit accepts, refuses, or sends ONE supplement notice
  listing everything missing. While the applicant supplements, no clock runs; the supplement day
  starts a new 5-day acceptance window. A window that passes with no decision means the case is
  deemed accepted on the day the window began (receipt, or the supplement day).
- 第四十二条: the decision is due within the statutory limit of acceptance (20; joint handling 45),
  extended once by the unit head (+10; joint +15). The committed limit (承诺时限, ≤ statutory)
  drives the supervision lights (rules.md §3).
- 第四十五条: time for 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审 is not counted: a pause from
  day P to the resume day R removes the working days in (P, R] from the count.
- 第四十四条: the certificate is issued and served within 10 of the decision (its own clock).
- Each step of the item's process has its own limit, counted the same way from the step's start.

:func:`compute` is a pure function of the events (so it is tested on hard dates and measured in
``bench/bench_clock.py``); :func:`refresh_case` writes its dates onto the case row, where list
pages and the supervision sweep read them; :func:`record_event` appends an event under the case's
row lock and refreshes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.approvals import hooks
from tongban.approvals.models import Case, CaseEvent, ClockPolicy, ClockState, EventKind, Light
from tongban.core import clock as core_clock
from tongban.core.calendar import add_workdays, workdays_between

ACCEPTANCE_WINDOW = 5  # 第三十二条
CERTIFICATE_LIMIT = 10  # 第四十四条
EXTENSION_MAX = 10  # 第四十二条第一款
EXTENSION_MAX_JOINT = 15  # 第四十二条第二款


@dataclass(frozen=True)
class Limits:
    statutory: int
    committed: int
    certificate: bool = True  # whether a grant is followed by a certificate (its own 10-day clock)
    warn_days: int = 2  # rules.md §4 [local]
    rectify_days: int = 3  # rules.md §4 [local]


@dataclass(frozen=True)
class Ev:
    """The part of a :class:`CaseEvent` the clock reads."""

    kind: str
    on: date
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    at: datetime | None = None
    actor_name: str = ""


@dataclass
class Line:
    """One row of the clock's working, shown on the case page."""

    seq: int
    kind: str
    on: date
    text: str
    added: int = 0  # working days this event added to the deadline (extension, pause)
    actor_name: str = ""
    at: datetime | None = None


@dataclass
class StepClock:
    key: str
    name: str
    limit: int
    counts: bool
    started_on: date
    due: date
    finished_on: date | None = None
    paused: int = 0

    def overdue(self, today: date) -> bool:
        end = self.finished_on or today
        return end > self.due


@dataclass
class Clock:
    state: str
    received_on: date | None = None
    accepted_on: date | None = None
    deemed: bool = False
    deemed_pending: bool = False  # the window has passed but the deemed_accepted event is not stored yet
    window_start: date | None = None
    preaccept_due: date | None = None
    due_committed: date | None = None
    due_statutory: date | None = None
    decided_on: date | None = None
    cert_due: date | None = None
    cert_issued_on: date | None = None
    paused_days: int = 0  # completed pauses + the running one up to today
    pause_started: date | None = None
    extension_days: int = 0
    used: int | None = None  # working days counted toward the decision
    remaining: int | None = None  # to the committed deadline (negative when over)
    remaining_statutory: int | None = None
    due_on: date | None = None
    warn_on: date | None = None
    yellow_on: date | None = None
    red_on: date | None = None
    lines: list[Line] = field(default_factory=list)
    steps: list[StepClock] = field(default_factory=list)
    supplements: int = 0

    def light(self, today: date) -> str:
        return light_on(self.due_on, self.warn_on, self.yellow_on, self.red_on, today, self.state)


def light_on(
    due_on: date | None,
    warn_on: date | None,
    yellow_on: date | None,
    red_on: date | None,
    today: date,
    state: str = ClockState.RUNNING,
) -> str:
    """The light a running clock shows on ``today`` (rules.md §4): 红牌 once the rectification
    deadline after a 黄牌 has passed, 黄牌 once the committed deadline has passed, 预警 from
    ``warn_days`` working days before it, green otherwise. The supervision sweep applies the same
    comparisons in SQL."""
    if state == ClockState.STOPPED:
        return Light.NONE
    if red_on and today >= red_on:
        return Light.RED
    if yellow_on and today >= yellow_on:
        return Light.YELLOW
    if warn_on and today >= warn_on:
        return Light.WARNING
    return Light.GREEN


def _d(value: date) -> str:
    return value.isoformat()


def compute(events: Sequence[Ev], limits: Limits, today: date | None = None) -> Clock:
    """The clock of a case with ``events`` (in order) under ``limits``, as of ``today``."""
    today = today or core_clock.today()
    c = Clock(state=ClockState.PRE_ACCEPTANCE)
    pauses_total = 0
    steps: dict[str, StepClock] = {}
    step_pause_open: dict[str, date] = {}
    for e in events:
        k = e.kind
        # 第三十二条: a window that passed with neither a decision nor a supplement notice means the
        # case was accepted on the window's first day. An event after the window (a late 补正 notice,
        # a late 受理) cannot undo that: the clock already counts from the window's start.
        if (
            c.accepted_on is None
            and c.state == ClockState.PRE_ACCEPTANCE
            and c.preaccept_due
            and e.on > c.preaccept_due
            and k not in (EventKind.DEEMED_ACCEPTED, EventKind.REJECTED, EventKind.WITHDRAWN)
        ):
            _deem(c, e, limits)
        if k == EventKind.RECEIVED:
            c.received_on = e.on
            c.window_start = e.on
            c.preaccept_due = add_workdays(e.on, ACCEPTANCE_WINDOW)
            c.lines.append(
                _line(
                    e,
                    _("收件。受理审查期限 %(n)d 个工作日，至 %(due)s（第三十二条）。")
                    % {"n": ACCEPTANCE_WINDOW, "due": _d(c.preaccept_due)},
                )
            )
        elif k == EventKind.SUPPLEMENT_REQUESTED:
            c.supplements += 1
            if c.accepted_on is None:
                c.state = ClockState.SUPPLEMENT
                c.lines.append(_line(e, _("一次性告知补正材料，受理审查暂停，等待申请人补正（不计时）。")))
            else:
                c.lines.append(_line(e, _("受理后告知补正，不停止计时（第四十五条以外的事由不扣除时间）。")))
        elif k == EventKind.SUPPLEMENTED:
            if c.accepted_on is None:
                c.state = ClockState.PRE_ACCEPTANCE
                c.window_start = e.on
                c.preaccept_due = add_workdays(e.on, ACCEPTANCE_WINDOW)
                c.lines.append(
                    _line(
                        e,
                        _("申请人补正材料，重新进入受理审查，期限至 %(due)s。")
                        % {"due": _d(c.preaccept_due)},
                    )
                )
            else:
                c.lines.append(_line(e, _("申请人补正材料。")))
        elif k in (EventKind.ACCEPTED, EventKind.DEEMED_ACCEPTED):
            if c.accepted_on is None:
                if k == EventKind.DEEMED_ACCEPTED:
                    as_of = (
                        date.fromisoformat(e.data["as_of"])
                        if e.data.get("as_of")
                        else (c.window_start or e.on)
                    )
                    c.accepted_on = as_of
                    c.deemed = True
                else:
                    c.accepted_on = e.on
                c.state = ClockState.RUNNING
                base = limits.statutory
                c.due_statutory = add_workdays(c.accepted_on, base)
                c.due_committed = add_workdays(c.accepted_on, limits.committed)
                text = (
                    _("受理审查期限届满未作决定，自 %(on)s 起视为受理（第三十二条）。")
                    % {"on": _d(c.accepted_on)}
                    if c.deemed
                    else _("受理。")
                )
                c.lines.append(
                    _line(
                        e,
                        text
                        + _(
                            "承诺期限 %(c)d 个工作日至 %(dc)s，法定期限 %(s)d 个工作日至 %(ds)s（第四十二条）。"
                        )
                        % {
                            "c": limits.committed,
                            "dc": _d(c.due_committed),
                            "s": base,
                            "ds": _d(c.due_statutory),
                        },
                    )
                )
            else:
                c.lines.append(
                    _line(e, _("受理（受理日期按视为受理日 %(on)s 计）。") % {"on": _d(c.accepted_on)})
                )
        elif k == EventKind.REJECTED:
            c.state = ClockState.STOPPED
            c.lines.append(_line(e, _("不予受理，计时结束。")))
        elif k == EventKind.PAUSED:
            c.pause_started = e.on
            c.state = ClockState.PAUSED
            for key in steps:
                if steps[key].finished_on is None:
                    step_pause_open[key] = e.on
            c.lines.append(
                _line(
                    e,
                    _("因%(reason)s挂起，预计 %(n)s 个工作日，期间不计入办理时限（第四十五条）。")
                    % {
                        "reason": e.data.get("reason_label") or e.data.get("reason", ""),
                        "n": e.data.get("expected_days", "—"),
                    },
                )
            )
        elif k == EventKind.RESUMED:
            if c.pause_started is not None:
                n = workdays_between(c.pause_started, e.on)
                pauses_total += n
                for key, start in step_pause_open.items():
                    steps[key].paused += workdays_between(start, e.on)
                step_pause_open.clear()
                c.pause_started = None
                c.state = ClockState.RUNNING
                c.lines.append(_line(e, _("恢复办理，挂起期间扣除 %(n)d 个工作日。") % {"n": n}, added=n))
        elif k == EventKind.EXTENDED:
            n = int(e.data.get("days", 0))
            c.extension_days += n
            c.lines.append(
                _line(e, _("经单位负责人批准延期 %(n)d 个工作日（第四十二条）。") % {"n": n}, added=n)
            )
        elif k == EventKind.DECIDED:
            c.decided_on = e.on
            grant = e.data.get("decision") == "grant"
            if grant and limits.certificate:
                c.state = ClockState.CERTIFICATE
                c.cert_due = add_workdays(e.on, CERTIFICATE_LIMIT)
                c.lines.append(
                    _line(
                        e,
                        _("作出准予许可决定；证照应于 %(due)s 前颁发送达（第四十四条）。")
                        % {"due": _d(c.cert_due)},
                    )
                )
            else:
                c.state = ClockState.STOPPED
                c.lines.append(
                    _line(e, _("作出决定：%(d)s，计时结束。") % {"d": e.data.get("decision_label", "")})
                )
        elif k == EventKind.CERTIFICATE_ISSUED:
            c.cert_issued_on = e.on
            c.state = ClockState.STOPPED
            c.lines.append(_line(e, _("颁发电子证照，计时结束。")))
        elif k in (EventKind.COMPLETED, EventKind.WITHDRAWN):
            c.state = ClockState.STOPPED
            c.lines.append(
                _line(e, _("办结。") if k == EventKind.COMPLETED else _("申请人撤回申请，计时结束。"))
            )
        elif k == EventKind.STEP_STARTED:
            key = e.data.get("key", "")
            limit = int(e.data.get("limit", 0) or 0)
            if limit:
                steps[key] = StepClock(
                    key=key,
                    name=e.data.get("name", key),
                    limit=limit,
                    counts=bool(e.data.get("counts", True)),
                    started_on=e.on,
                    due=add_workdays(e.on, limit),
                )
        elif k == EventKind.STEP_COMPLETED:
            key = e.data.get("key", "")
            if key in steps and steps[key].finished_on is None:
                steps[key].finished_on = e.on

    # An acceptance window that has passed without a decision: deemed accepted (第三十二条) — the
    # sweep stores the event; until it does, the clock already counts from the window's start.
    if (
        c.accepted_on is None
        and c.state == ClockState.PRE_ACCEPTANCE
        and c.preaccept_due
        and today > c.preaccept_due
    ):
        c.deemed_pending = True
        c.deemed = True
        c.accepted_on = c.window_start
        c.state = ClockState.RUNNING
        c.due_statutory = add_workdays(c.accepted_on, limits.statutory)  # type: ignore[arg-type]
        c.due_committed = add_workdays(c.accepted_on, limits.committed)  # type: ignore[arg-type]

    running_pause = (
        workdays_between(c.pause_started, today) if c.pause_started and today > c.pause_started else 0
    )
    for key, start in step_pause_open.items():
        steps[key].paused += workdays_between(start, today) if today > start else 0
    for s in steps.values():
        s.due = add_workdays(s.started_on, s.limit + s.paused)
    c.steps = list(steps.values())
    c.paused_days = pauses_total + running_pause

    if c.accepted_on is not None:
        shift = c.extension_days + c.paused_days
        c.due_statutory = add_workdays(c.accepted_on, limits.statutory + shift)
        c.due_committed = add_workdays(c.accepted_on, limits.committed + shift)
        end = c.decided_on or today
        c.used = max(0, workdays_between(c.accepted_on, end) - c.paused_days) if end > c.accepted_on else 0
        if c.decided_on is None:
            c.remaining = workdays_between(today, c.due_committed)
            c.remaining_statutory = workdays_between(today, c.due_statutory)

    # The clock now running and the dates the supervision compares today with.
    if c.state == ClockState.PRE_ACCEPTANCE and c.preaccept_due:
        c.due_on = c.preaccept_due
        c.warn_on = add_workdays(c.preaccept_due, -limits.warn_days) if limits.warn_days else None
    elif c.state == ClockState.RUNNING and c.due_committed:
        _set_escalation(c, c.due_committed, limits)
    elif c.state == ClockState.CERTIFICATE and c.cert_due:
        _set_escalation(c, c.cert_due, limits)
    return c


def _deem(c: Clock, e: Ev, limits: Limits) -> None:
    """Deemed acceptance found while reading an event stored after the acceptance window."""
    assert c.window_start is not None and c.preaccept_due is not None
    c.accepted_on = c.window_start
    c.deemed = True
    c.state = ClockState.RUNNING
    c.due_statutory = add_workdays(c.accepted_on, limits.statutory)
    c.due_committed = add_workdays(c.accepted_on, limits.committed)
    c.lines.append(
        Line(
            seq=e.seq,
            kind=EventKind.DEEMED_ACCEPTED,
            on=e.on,
            text=_(
                "受理审查期限 %(due)s 届满前未告知补正或作出决定，自 %(on)s 起视为受理（第三十二条）。"
                "承诺期限至 %(dc)s，法定期限至 %(ds)s。"
            )
            % {
                "due": _d(c.preaccept_due),
                "on": _d(c.accepted_on),
                "dc": _d(c.due_committed),
                "ds": _d(c.due_statutory),
            },
        )
    )


def _set_escalation(c: Clock, due: date, limits: Limits) -> None:
    c.due_on = due
    c.warn_on = add_workdays(due, -limits.warn_days) if limits.warn_days else None
    c.yellow_on = due + timedelta(days=1)  # the day after the deadline: 黄牌
    # 黄牌 not remedied within rectify_days working days → 红牌 the day after that deadline.
    c.red_on = add_workdays(due, limits.rectify_days) + timedelta(days=1)


def _line(e: Ev, text: str, added: int = 0) -> Line:
    return Line(seq=e.seq, kind=e.kind, on=e.on, text=text, added=added, actor_name=e.actor_name, at=e.at)


# --- persistence ------------------------------------------------------------------------------


def policy() -> ClockPolicy:
    row, _created = ClockPolicy.objects.get_or_create(id=1)
    return row


def limits_for(case: Case, pol: ClockPolicy | None = None) -> Limits:
    pol = pol or policy()
    v = case.version
    return Limits(
        statutory=v.statutory_limit,
        committed=v.committed_limit,
        certificate=bool(v.certificate_name),
        warn_days=pol.warn_days,
        rectify_days=pol.rectify_days,
    )


def events_of(case: Case) -> list[Ev]:
    return [
        Ev(kind=r.kind, on=r.on, data=r.data or {}, seq=r.seq, at=r.at, actor_name=r.actor_name)
        for r in CaseEvent.objects.filter(case=case).order_by("seq")
    ]


def case_clock(case: Case, today: date | None = None) -> Clock:
    """The clock of ``case`` as of today (for the case page and the API)."""
    return compute(events_of(case), limits_for(case), today)


CACHE_FIELDS = [
    "clock_state", "received_on", "accepted_on", "deemed_accepted", "decided_on", "preaccept_due",
    "due_committed", "due_statutory", "cert_due", "paused_days", "extension_days", "due_on", "warn_on",
    "yellow_on", "red_on", "clock_version",
]  # fmt: skip


def apply(case: Case, c: Clock) -> None:
    """Copy the computed dates onto ``case`` (not saved)."""
    case.clock_state = c.state
    case.received_on = c.received_on or case.received_on
    case.accepted_on = c.accepted_on if not c.deemed_pending else None
    case.deemed_accepted = c.deemed and not c.deemed_pending
    case.decided_on = c.decided_on
    case.preaccept_due = c.preaccept_due
    case.due_committed = c.due_committed if not c.deemed_pending else None
    case.due_statutory = c.due_statutory if not c.deemed_pending else None
    case.cert_due = c.cert_due
    # A pause still running is not in the stored figure: the stored dates are those of the
    # events so far, and a paused case has no running deadline (due_on is empty).
    case.paused_days = c.paused_days - (
        workdays_between(c.pause_started, core_clock.today())
        if c.pause_started and core_clock.today() > c.pause_started
        else 0
    )
    case.extension_days = c.extension_days
    if c.deemed_pending:
        case.clock_state = ClockState.PRE_ACCEPTANCE
        case.due_on, case.warn_on, case.yellow_on, case.red_on = c.preaccept_due, None, None, None
    elif c.state == ClockState.PAUSED:
        case.due_on = case.warn_on = case.yellow_on = case.red_on = None
    else:
        case.due_on, case.warn_on, case.yellow_on, case.red_on = c.due_on, c.warn_on, c.yellow_on, c.red_on
    case.clock_version = (case.clock_version or 0) + 1


def refresh_case(case: Case, *, save: bool = True) -> Clock:
    c = case_clock(case)
    apply(case, c)
    if save:
        Case.objects.filter(pk=case.pk).update(**{f: getattr(case, f) for f in CACHE_FIELDS})
    return c


def lock_case(case_id: int) -> Case:
    return Case.objects.select_for_update().select_related("version", "item", "unit").get(pk=case_id)


def record_event(
    case: Case,
    kind: str,
    *,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one clock event to ``case`` (which the caller holds locked, see :func:`lock_case`),
    refresh the clock's dates on the row, and run the case listeners (supervision) in the same
    transaction. ``at`` defaults to now (tongban.core.clock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside transaction.atomic() with the case locked")
    at = at or core_clock.now()
    last = CaseEvent.objects.filter(case=case).order_by("-seq").values_list("seq", flat=True).first() or 0
    ev = CaseEvent.objects.create(
        case=case,
        seq=last + 1,
        kind=kind,
        at=at,
        on=timezone.localdate(at),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(getattr(actor, "full_name", "") or getattr(actor, "name", "") or (actor or "")),
        data=data or {},
    )
    refresh_case(case)
    hooks.case_event(case, ev)
    return ev


def refresh_open_cases(batch: int = 2000) -> int:
    """Recompute the dates of every open case (after the policy or the calendar changed)."""
    n = 0
    ids = list(Case.objects.filter(is_open=True).values_list("id", flat=True))
    pol = policy()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            cases = list(Case.objects.select_for_update().select_related("version").filter(id__in=chunk))
            evs: dict[int, list[Ev]] = {}
            for r in CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "seq"):
                evs.setdefault(r.case_id, []).append(Ev(kind=r.kind, on=r.on, data=r.data or {}, seq=r.seq))
            for case in cases:
                apply(case, compute(evs.get(case.id, []), limits_for(case, pol)))
            Case.objects.bulk_update(cases, CACHE_FIELDS)
            n += len(cases)
    return n


def clock_json(c: Clock, today: date | None = None) -> dict[str, Any]:
    """The clock for the API."""
    today = today or core_clock.today()

    def d(x: date | None) -> str | None:
        return x.isoformat() if x else None

    return {
        "state": c.state,
        "received_on": d(c.received_on),
        "accepted_on": d(c.accepted_on),
        "deemed_accepted": c.deemed,
        "preaccept_due": d(c.preaccept_due),
        "due_committed": d(c.due_committed),
        "due_statutory": d(c.due_statutory),
        "decided_on": d(c.decided_on),
        "cert_due": d(c.cert_due),
        "paused_days": c.paused_days,
        "extension_days": c.extension_days,
        "used_days": c.used,
        "remaining_days": c.remaining,
        "light": c.light(today),
        "lines": [
            {"seq": ln.seq, "kind": ln.kind, "on": ln.on.isoformat(), "text": ln.text, "added_days": ln.added}
            for ln in c.lines
        ],
        "steps": [
            {
                "key": s.key, "name": s.name, "limit": s.limit, "counts": s.counts,
                "started_on": s.started_on.isoformat(), "due": s.due.isoformat(),
                "finished_on": d(s.finished_on), "overdue": s.overdue(today),
            }
            for s in c.steps
        ],
    }  # fmt: skip


def ev_list(rows: Iterable[tuple[str, date, dict[str, Any]]]) -> list[Ev]:
    """Tests and benches: ``[(kind, on, data), …]`` → events."""
    return [Ev(kind=k, on=on, data=data or {}, seq=i + 1) for i, (k, on, data) in enumerate(rows)]
