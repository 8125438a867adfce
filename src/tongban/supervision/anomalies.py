"""Anomalies (异常) found on cases, each with its evidence (rules.md §4, 电子监察):

- 环节超时: a step of the item's process over its own limit — found when the step is completed
  (STEP_COMPLETED after the step's due) and, for steps still open, by the sweep;
- 超期补正告知: a 补正 notice later than 5 working days after receipt (行政许可法第三十二条);
- 多次补正告知: a second 补正 notice on the same case (第三十二条: one notice listing everything);
- 不予许可或不予受理未说明理由: a refusal (不予受理 or 不予许可) without a stated reason
  (第三十二条第一款第五项、第三十八条第二款);
- 非法定事由挂起: a pause whose reason is not one of 第四十五条's;
- 超法定时限作出决定: a decision on a day after the statutory deadline (第四十二条);
- 违规收费: a fee whose name or amount is not in the item's published fee list (第五十八、五十九条);
- 超承诺时限: the case went 黄牌 (the committed deadline passed);
- 超期制证送达: the certificate later than 10 working days after the decision (第四十四条).

One row per (case, kind, key): found again, nothing new is recorded (a database constraint).
Detection from one event runs in the case listener (:func:`detect_from_event`); the bulk checks
(open steps past due, irregular fees of open cases) run in the sweep."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Concat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tongban.approvals import clock
from tongban.approvals.models import (
    Case,
    CaseEvent,
    CaseFee,
    ClockState,
    EventKind,
    ItemFee,
    ItemStep,
    PauseReason,
)
from tongban.core import clock as core_clock
from tongban.core.calendar import add_workdays
from tongban.supervision.models import Anomaly, AnomalyKind, AnomalyStatus

_REFUSE_TEXT_KEYS = ("text", "reason_text", "reasons", "reason_detail")


def record(case: Case, kind: str, key: str, evidence: dict[str, Any], summary: str) -> Anomaly | None:
    """Record one anomaly of ``case``; returns it, or None when (case, kind, key) was already
    recorded (nothing changes then)."""
    if Anomaly.objects.filter(case_id=case.pk, kind=kind, key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Anomaly.objects.create(
                case_id=case.pk,
                unit_id=case.unit_id,
                kind=kind,
                key=key[:64],
                detected_at=core_clock.now(),
                evidence=_jsonable(evidence),
                summary=summary,
            )
    except IntegrityError:  # recorded at the same moment by another transaction
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


# --- from one event (the case listener) ---------------------------------------------------------


def detect_from_event(case: Case, event: CaseEvent) -> list[Anomaly]:
    """The anomalies ``event`` (just appended to ``case``, whose dates are refreshed) reveals.
    Runs inside the event's transaction; also checks the case's fees against the item's list."""
    found: list[Anomaly | None] = []
    kind = event.kind
    data = event.data or {}
    if kind == EventKind.SUPPLEMENT_REQUESTED:
        found += _supplement(case, event, data)
    elif kind == EventKind.REJECTED:
        if not _reason_text(data):
            found.append(
                record(
                    case,
                    AnomalyKind.REFUSAL_WITHOUT_REASON,
                    f"ev:{event.seq}",
                    {"event_seq": event.seq, "on": event.on, "kind": kind, "reason": data.get("reason", "")},
                    _("%(on)s 作出不予受理决定，未说明理由（第三十二条第一款第五项：应当说明理由）。")
                    % {"on": _d(event.on)},
                )
            )
    elif kind == EventKind.DECIDED:
        found += _decided(case, event, data)
    elif kind == EventKind.PAUSED:
        reason = str(data.get("reason", ""))
        if reason not in PauseReason.values:
            found.append(
                record(
                    case,
                    AnomalyKind.UNLAWFUL_PAUSE,
                    f"ev:{event.seq}",
                    {
                        "event_seq": event.seq,
                        "on": event.on,
                        "reason": reason,
                        "reason_label": data.get("reason_label", ""),
                        "expected_days": data.get("expected_days"),
                    },
                    _(
                        "%(on)s 以“%(reason)s”为由挂起，不属于第四十五条规定的听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审事由。"
                    )
                    % {"on": _d(event.on), "reason": data.get("reason_label") or reason or _("未说明")},
                )
            )
    elif kind == EventKind.STEP_COMPLETED:
        found.append(_step_completed(case, event, data))
    elif kind == EventKind.CERTIFICATE_ISSUED and case.cert_due and event.on > case.cert_due:
        found.append(
            record(
                case,
                AnomalyKind.LATE_CERTIFICATE,
                "cert",
                {
                    "event_seq": event.seq,
                    "on": event.on,
                    "cert_due": case.cert_due,
                    "decided_on": case.decided_on,
                },
                _(
                    "%(on)s 才颁发送达证照，超过第四十四条规定的期限 %(due)s（决定日 %(decided)s 起 10 个工作日）。"
                )
                % {"on": _d(event.on), "due": _d(case.cert_due), "decided": _d(case.decided_on)},
            )
        )
    found += check_fees(case)
    return [a for a in found if a is not None]


def _reason_text(data: dict[str, Any]) -> str:
    for key in _REFUSE_TEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _supplement(case: Case, event: CaseEvent, data: dict[str, Any]) -> list[Anomaly | None]:
    out: list[Anomaly | None] = []
    earlier = list(
        CaseEvent.objects.filter(case_id=case.pk, kind=EventKind.SUPPLEMENT_REQUESTED, seq__lt=event.seq)
        .order_by("seq")
        .values_list("seq", "on")
    )
    reason = data.get("late_reason") or data.get("reason") or ""
    if earlier or data.get("second"):
        out.append(
            record(
                case,
                AnomalyKind.SECOND_SUPPLEMENT,
                f"ev:{event.seq}",
                {
                    "event_seq": event.seq,
                    "on": event.on,
                    "earlier": [{"event_seq": s, "on": on} for s, on in earlier],
                    "reason": reason,
                },
                _(
                    "%(on)s 第 %(n)d 次告知补正（第三十二条：应当一次告知需要补正的全部内容）。理由：%(reason)s"
                )
                % {"on": _d(event.on), "n": len(earlier) + 1, "reason": reason or _("未说明")},
            )
        )
    # The window: 5 working days from receipt or from the last supplement (第三十二条).
    window_start = (
        CaseEvent.objects.filter(
            case_id=case.pk, seq__lt=event.seq, kind__in=[EventKind.RECEIVED, EventKind.SUPPLEMENTED]
        )
        .order_by("-seq")
        .values_list("on", flat=True)
        .first()
    ) or case.received_on
    window_due = add_workdays(window_start, clock.ACCEPTANCE_WINDOW)
    if event.on > window_due or data.get("late"):
        out.append(
            record(
                case,
                AnomalyKind.LATE_SUPPLEMENT,
                f"ev:{event.seq}",
                {
                    "event_seq": event.seq,
                    "on": event.on,
                    "window_start": window_start,
                    "window_due": window_due,
                    "reason": reason,
                },
                _(
                    "%(on)s 才告知补正，超过收件（或补正）日 %(start)s 起 5 个工作日的期限 %(due)s（第三十二条）。理由：%(reason)s"
                )
                % {
                    "on": _d(event.on),
                    "start": _d(window_start),
                    "due": _d(window_due),
                    "reason": reason or _("未说明"),
                },
            )
        )
    return out


def _decided(case: Case, event: CaseEvent, data: dict[str, Any]) -> list[Anomaly | None]:
    out: list[Anomaly | None] = []
    if data.get("decision") == "refuse" and not _reason_text(data):
        out.append(
            record(
                case,
                AnomalyKind.REFUSAL_WITHOUT_REASON,
                f"ev:{event.seq}",
                {"event_seq": event.seq, "on": event.on, "kind": event.kind, "decision": "refuse"},
                _("%(on)s 作出不予行政许可决定，未说明理由（第三十八条第二款：应当说明理由并告知救济权利）。")
                % {"on": _d(event.on)},
            )
        )
    if case.due_statutory and event.on > case.due_statutory:
        out.append(
            record(
                case,
                AnomalyKind.DECISION_LATE,
                "decision",
                {
                    "event_seq": event.seq,
                    "on": event.on,
                    "accepted_on": case.accepted_on,
                    "due_statutory": case.due_statutory,
                    "paused_days": case.paused_days,
                    "extension_days": case.extension_days,
                },
                _(
                    "%(on)s 作出决定，超过法定期限 %(due)s（第四十二条；受理日 %(acc)s，扣除挂起 %(p)d 日，延期 %(x)d 日）。"
                )
                % {
                    "on": _d(event.on),
                    "due": _d(case.due_statutory),
                    "acc": _d(case.accepted_on),
                    "p": case.paused_days,
                    "x": case.extension_days,
                },
            )
        )
    return out


def _step_completed(case: Case, event: CaseEvent, data: dict[str, Any]) -> Anomaly | None:
    key = str(data.get("key", ""))
    c = clock.case_clock(case, event.on)
    step = next((s for s in c.steps if s.key == key and s.finished_on == event.on), None)
    if step is None or not step.overdue(event.on):
        return None
    started_seq = (
        CaseEvent.objects.filter(
            case_id=case.pk, kind=EventKind.STEP_STARTED, seq__lt=event.seq, on=step.started_on
        )
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return _record_step(case, step, started_seq or 0, event.seq, event.on)


@lru_cache(maxsize=8)
def _step_texts(lang: str) -> tuple[str, str]:
    return (
        _("“%(name)s”环节于 %(start)s 开始，时限 %(n)d 个工作日至 %(due)s，%(end)s 才完成。"),
        _("“%(name)s”环节于 %(start)s 开始，时限 %(n)d 个工作日至 %(due)s，截至 %(on)s 仍未完成。"),
    )


def _step_done_text() -> str:
    return _step_texts(get_language() or "")[0]


def _step_open_text() -> str:
    return _step_texts(get_language() or "")[1]


def _step_row(
    case_id: int,
    unit_id: int,
    step: clock.StepClock,
    started_seq: int,
    completed_seq: int | None,
    on: date,
    now: Any,
) -> Anomaly:
    """An unsaved 环节超时 row with its evidence."""
    evidence = {
        "step": step.key,
        "step_name": step.name,
        "limit": step.limit,
        "started_seq": started_seq,
        "started_on": step.started_on,
        "due": step.due,
        "paused_days": step.paused,
        "completed_seq": completed_seq,
        "completed_on": step.finished_on,
        "as_of": on,
    }
    if completed_seq:
        summary = _step_done_text() % {
            "name": step.name,
            "start": _d(step.started_on),
            "n": step.limit,
            "due": _d(step.due),
            "end": _d(step.finished_on),
        }
    else:
        summary = _step_open_text() % {
            "name": step.name,
            "start": _d(step.started_on),
            "n": step.limit,
            "due": _d(step.due),
            "on": _d(on),
        }
    return Anomaly(
        case_id=case_id, unit_id=unit_id, kind=AnomalyKind.STEP_OVERDUE, key=f"{step.key}:{started_seq}"[:64],
        detected_at=now, evidence=_jsonable(evidence), summary=summary,
    )  # fmt: skip


def _record_step(
    case: Case, step: clock.StepClock, started_seq: int, completed_seq: int | None, on: date
) -> Anomaly | None:
    row = _step_row(case.pk, case.unit_id, step, started_seq, completed_seq, on, core_clock.now())
    return record(case, row.kind, row.key, row.evidence, row.summary)


def over_committed_rows(rows: list[dict[str, Any]], today: date) -> list[Anomaly]:
    """Anomaly rows (unsaved) for cases that just went 黄牌: 超承诺时限, or 超期制证送达 when the
    running clock was the certificate's (第四十四条). ``rows`` come from the sweep."""
    now = core_clock.now()
    out = []
    for r in rows:
        if r["clock_state"] == ClockState.CERTIFICATE:
            out.append(
                Anomaly(
                    case_id=r["id"], unit_id=r["unit_id"], kind=AnomalyKind.LATE_CERTIFICATE, key="cert",
                    detected_at=now,
                    evidence=_jsonable({"cert_due": r["due_on"], "as_of": today, "yellow_on": r["yellow_on"]}),
                    summary=_("证照应于 %(due)s 前颁发送达（第四十四条），截至 %(on)s 仍未颁发。")
                    % {"due": _d(r["due_on"]), "on": _d(today)},
                )
            )  # fmt: skip
        else:
            out.append(
                Anomaly(
                    case_id=r["id"], unit_id=r["unit_id"], kind=AnomalyKind.OVER_COMMITTED,
                    key=f"due:{_d(r['due_on'])}", detected_at=now,
                    evidence=_jsonable({
                        "due_committed": r["due_on"], "as_of": today, "yellow_on": r["yellow_on"],
                        "accepted_on": r["accepted_on"], "paused_days": r["paused_days"],
                        "extension_days": r["extension_days"],
                    }),
                    summary=_("承诺期限 %(due)s 已过（受理日 %(acc)s），截至 %(on)s 仍未作出决定，亮黄牌。")
                    % {"due": _d(r["due_on"]), "acc": _d(r["accepted_on"]), "on": _d(today)},
                )
            )  # fmt: skip
    return out


# --- fees ---------------------------------------------------------------------------------------


def _irregular_fees() -> Any:
    listed = ItemFee.objects.filter(
        version_id=OuterRef("case__version_id"), name=OuterRef("name"), amount=OuterRef("amount")
    )
    recorded = Anomaly.objects.filter(
        case_id=OuterRef("case_id"),
        kind=AnomalyKind.IRREGULAR_FEE,
        key=Concat(Value("fee:"), Cast(OuterRef("pk"), output_field=CharField())),
    )
    return CaseFee.objects.filter(~Exists(listed), ~Exists(recorded))


def _record_fee(case: Case, fee: CaseFee, listed: list[tuple[str, Decimal]]) -> Anomaly | None:
    return record(
        case,
        AnomalyKind.IRREGULAR_FEE,
        f"fee:{fee.pk}",
        {
            "fee_id": fee.pk,
            "name": fee.name,
            "amount": fee.amount,
            "charged_at": fee.charged_at.isoformat(),
            "listed": [{"name": n, "amount": a} for n, a in listed],
        },
        _("收取“%(name)s” %(amount)s 元，不在事项公布的收费目录内（%(listed)s）。")
        % {
            "name": fee.name,
            "amount": fee.amount,
            "listed": "；".join(f"{n} {a} 元" for n, a in listed) or _("该事项不收费"),
        },
    )


def check_fees(case: Case) -> list[Anomaly]:
    """违规收费 on one case: each fee whose (name, amount) is not in the item version's fee list."""
    fees = list(_irregular_fees().filter(case_id=case.pk))
    if not fees:
        return []
    listed = list(ItemFee.objects.filter(version_id=case.version_id).values_list("name", "amount"))
    return [a for a in (_record_fee(case, f, listed) for f in fees) if a is not None]


def sweep_fees() -> list[Anomaly]:
    """违规收费 of every open case not yet recorded (one query when there is none)."""
    fees = list(_irregular_fees().filter(case__is_open=True).select_related("case"))
    if not fees:
        return []
    lists: dict[int, list[tuple[str, Decimal]]] = {}
    for vid, name, amount in ItemFee.objects.filter(
        version_id__in={f.case.version_id for f in fees}
    ).values_list("version_id", "name", "amount"):
        lists.setdefault(vid, []).append((name, amount))
    out = []
    for f in fees:
        a = _record_fee(f.case, f, lists.get(f.case.version_id, []))
        if a is not None:
            out.append(a)
    return out


# --- open steps past due (the sweep) ------------------------------------------------------------


def step_cutoff(today: date, n: int) -> date:
    """The last day a step of ``n`` working days may have started and be past due on ``today``
    (its due ``add_workdays(start, n)`` before today). ``add_workdays`` never decreases with the
    start, so the steps past due are exactly those started on or before this day (when never
    paused)."""
    d = add_workdays(today, -n)
    while add_workdays(d, n) >= today:
        d -= timedelta(days=1)
    while add_workdays(d + timedelta(days=1), n) < today:
        d += timedelta(days=1)
    return d


def sweep_steps(today: date) -> list[Anomaly]:
    """环节超时 of steps still open, in bulk: one query over the open, running cases finds each
    current step's start (its STEP_STARTED event, not completed since) on or before the last
    start day whose limit of n working days ended before today (:func:`step_cutoff`, one per
    limit), with no anomaly yet. For a case never paused that is exactly the overdue steps (the
    step's due is ``add_workdays(start, limit)``), so no step that is not overdue is loaded; the
    few cases with a pause (第四十五条, which stops the step's clock too) get their exact clock,
    their events read in one query."""
    limits = sorted(
        set(ItemStep.objects.values_list("limit", flat=True).distinct()) | {1, 2, 3, 5, 10, 15, 20}
    )
    old_enough = Q()
    for n in limits:
        if n >= 0:
            old_enough |= Q(lim=n, on__lte=step_cutoff(today, n))
    completed = (
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), kind=EventKind.STEP_COMPLETED, seq__gt=OuterRef("seq")
        )
        .annotate(done_key=KT("data__key"))
        .filter(done_key=OuterRef("step_key"))
    )
    recorded = Anomaly.objects.filter(
        case_id=OuterRef("case_id"),
        kind=AnomalyKind.STEP_OVERDUE,
        key=Concat(
            OuterRef("step_key"), Value(":"), Cast(OuterRef("seq"), output_field=CharField()),
            output_field=CharField(),
        ),
    )  # fmt: skip
    # django-stubs types values() rows as a TypedDict; they are plain dicts here.
    rows: list[dict[str, Any]] = list(
        CaseEvent.objects.filter(kind=EventKind.STEP_STARTED, case__is_open=True, case__due_on__isnull=False)
        .exclude(case__current_step="")
        .annotate(step_key=KT("data__key"), lim=Cast(KT("data__limit"), output_field=IntegerField()))
        .filter(step_key=F("case__current_step"))
        .filter(old_enough)
        .filter(~Exists(completed), ~Exists(recorded))
        .order_by()
        .values("case_id", "seq", "on", "lim", "step_key", "data", "case__paused_days", "case__unit_id")  # type: ignore[arg-type]
    )
    now = core_clock.now()
    new: list[Anomaly] = []
    exact: list[dict[str, Any]] = []
    dues: dict[tuple[date, int], date] = {}
    for r in rows:
        if r["case__paused_days"]:
            exact.append(r)
            continue
        if (r["on"], r["lim"]) not in dues:
            dues[r["on"], r["lim"]] = add_workdays(r["on"], r["lim"])
        due = dues[r["on"], r["lim"]]
        if due >= today:
            continue
        step = clock.StepClock(
            key=r["step_key"], name=(r["data"] or {}).get("name", r["step_key"]), limit=r["lim"],
            counts=bool((r["data"] or {}).get("counts", True)), started_on=r["on"], due=due,
        )  # fmt: skip
        new.append(_step_row(r["case_id"], r["case__unit_id"], step, r["seq"], None, today, now))
    Anomaly.objects.bulk_create(new, ignore_conflicts=True)
    out = list(new)
    if not exact:
        return out
    ids = {r["case_id"] for r in exact}
    cases = Case.objects.select_related("version").in_bulk(ids)
    events: dict[int, list[clock.Ev]] = {}
    for e in CaseEvent.objects.filter(case_id__in=ids).order_by("case_id", "seq"):
        events.setdefault(e.case_id, []).append(
            clock.Ev(kind=e.kind, on=e.on, data=e.data or {}, seq=e.seq, at=e.at, actor_name=e.actor_name)
        )
    pol = clock.policy()
    paused: list[Anomaly] = []
    for r in exact:
        case = cases[r["case_id"]]
        c = clock.compute(events.get(case.pk, []), clock.limits_for(case, pol), today)
        open_step = next((s for s in c.steps if s.key == r["step_key"] and s.finished_on is None), None)
        if open_step is not None and open_step.started_on == r["on"] and open_step.overdue(today):
            paused.append(_step_row(case.pk, case.unit_id, open_step, r["seq"], None, today, now))
    Anomaly.objects.bulk_create(paused, ignore_conflicts=True)  # none recorded yet (the query)
    return out + paused


# --- the supervisor's action --------------------------------------------------------------------


def anomaly_close(*, actor: Any, anomaly: Anomaly, note: str, request: Any = None) -> Anomaly:
    """A supervisor closes an anomaly with a note (处理意见); audited."""
    from tongban.core import audit
    from tongban.core.errors import TongbanError

    note = (note or "").strip()
    if not note:
        raise TongbanError("supervision.note_required", _("请填写处理意见。"), field="note")
    with transaction.atomic():
        a = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
        if a.status == AnomalyStatus.CLOSED:
            raise TongbanError("supervision.anomaly_closed", _("该异常已处理。"))
        a.status, a.closed_at, a.closed_by, a.close_note = AnomalyStatus.CLOSED, core_clock.now(), actor, note
        a.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
        audit.record(
            "supervision.anomaly_closed",
            actor=actor,
            request=request,
            obj=a,
            old={"status": AnomalyStatus.OPEN},
            new={"status": a.status, "note": note},
        )
    return a
