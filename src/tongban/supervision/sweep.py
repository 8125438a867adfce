"""The supervision sweep (电子监察, rules.md §4): every open case gets its light from the dates the
statutory clock cached on it (tongban.approvals.clock, the same comparisons as ``clock.light_on``):

- 绿灯 (green) while the running deadline ``due_on`` is more than ``warn_days`` working days away;
- 预警 (warning) from ``warn_on`` (ClockPolicy.warn_days working days before, default 2 [local]);
- 黄牌 (yellow) from ``yellow_on``, the day after the committed deadline (承诺时限) passed —
  with a 黄牌警告通知 to the unit, due ClockPolicy.rectify_days working days after the deadline;
- 红牌 (red) from ``red_on``, the day after that rectification deadline — with a 整改建议书.

A paused case (第四十五条; ``due_on`` empty) and one waiting for the applicant's 补正 keep their
light; a case whose clock stopped (decided, rejected, withdrawn, certificate issued) loses it.

The sweep is set-based: one SELECT … FOR UPDATE SKIP LOCKED and a few bulk UPDATEs per light over
the open cases (the partial index ``approvals_case_open``), so its work grows with the open
cases, not all cases. Each change is a :class:`LightChange` row; its alert (in-app + SMS to the
handler and the unit's heads) is sent once (``notified_at`` and notify's dedupe key). It runs
every 5 minutes (tasks.sweep_task) and, for one case, after every clock event
(:func:`relight_case`, the case listener)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import CharField, F, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tongban.approvals import clock
from tongban.approvals.models import Case, CaseEvent, ClockState, Light
from tongban.core import clock as core_clock
from tongban.identity.models import User
from tongban.notify.services import notify
from tongban.supervision import anomalies, rectify
from tongban.supervision.models import Anomaly, LightChange, Rectification, RectificationKind

logger = logging.getLogger(__name__)

EVENT = "supervision.light"
ALERTED = (Light.WARNING, Light.YELLOW, Light.RED)
CHUNK = 2000
ALERT_INLINE = 50  # alerts the sweep sends itself (a few ms each); a larger batch goes to send_alerts_task

_FIELDS = (
    "id", "light", "due_on", "unit_id", "handler_id", "county_id", "clock_state", "tracking_no", "title",
    "yellow_on", "accepted_on", "paused_days", "extension_days",
)  # fmt: skip


@dataclass
class SweepResult:
    open_cases: int = 0
    changed: int = 0
    alerts: int = 0
    anomalies: int = 0
    seconds: float = 0.0
    deemed_accepted: int | None = None  # None: the handling part's deemed acceptance is not installed
    by_light: dict[str, int] | None = None


def _target(today: date) -> Any:
    """The light each open case should show on ``today`` — ``clock.light_on`` as one SQL CASE:
    none once its clock stopped, its current light while no deadline runs (paused, waiting for
    补正), else 红牌 / 黄牌 / 预警 / green from the cached dates."""
    return DbCase(
        When(clock_state=ClockState.STOPPED, then=Value(Light.NONE)),
        When(due_on__isnull=True, then=F("light")),
        When(red_on__lte=today, then=Value(Light.RED)),
        When(yellow_on__lte=today, then=Value(Light.YELLOW)),
        When(warn_on__lte=today, then=Value(Light.WARNING)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


def target_light(case: Case, today: date | None = None) -> str:
    """The light ``case`` should show (None-safe for paused cases: their current light)."""
    if not case.is_open or case.clock_state == ClockState.STOPPED:
        return Light.NONE
    if case.due_on is None:
        return case.light
    return clock.light_on(
        case.due_on, case.warn_on, case.yellow_on, case.red_on, today or core_clock.today(), case.clock_state
    )


def _deem_accepted(today: date) -> int | None:
    try:
        from tongban.approvals import handling  # the handling part (第三十二条)
    except ImportError:
        return None
    fn = getattr(handling, "cases_deem_accepted", None)
    if fn is None:
        return None
    return int(fn(today=today) or 0)


def sweep(*, today: date | None = None) -> SweepResult:
    """Light every open case for ``today`` (default: today), record the changes, their
    rectification notices and anomalies, and alert once per change."""
    started = time.monotonic()
    today = today or core_clock.today()
    result = SweepResult(deemed_accepted=_deem_accepted(today), by_light={})
    pol = clock.policy()
    changes: list[LightChange] = []
    with transaction.atomic():
        changing: dict[str, list[dict[str, Any]]] = {}
        for row in _changing(
            Case.objects.filter(is_open=True).annotate(target=_target(today)).exclude(light=F("target"))
        ):
            changing.setdefault(row.pop("target"), []).append(row)
        for light, rows in changing.items():
            assert result.by_light is not None
            result.by_light[light] = len(rows)
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                changes += _apply(chunk, light, today, pol.rectify_days)
                result.anomalies += len(_apply_anomalies(chunk, light, today))
        result.changed = len(changes)
        result.anomalies += len(anomalies.sweep_steps(today)) + len(anomalies.sweep_fees())
    result.alerts = alerts_send(limit=ALERT_INLINE)
    if LightChange.objects.filter(notified_at__isnull=True).exists():
        from tongban.supervision.tasks import send_alerts_task

        transaction.on_commit(lambda: send_alerts_task.enqueue())
    result.open_cases = Case.objects.filter(is_open=True).count()
    result.seconds = round(time.monotonic() - started, 3)
    logger.info(
        "supervision sweep %s: %d open, %d changed, %d alerts, %d anomalies in %.2fs",
        today,
        result.open_cases,
        result.changed,
        result.alerts,
        result.anomalies,
        result.seconds,
    )
    return result


def _changing(qs: Any) -> list[dict[str, Any]]:
    """The rows to change, locked (cases being handled right now are skipped: their own event
    re-lights them)."""
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.order_by().values(*_FIELDS, "target"))


def _apply(rows: list[dict[str, Any]], light: str, today: date, rectify_days: int) -> list[LightChange]:
    now = core_clock.now()
    ids = [r["id"] for r in rows]
    Case.objects.filter(id__in=ids).update(light=light, light_since=now)
    made = LightChange.objects.bulk_create(
        [
            LightChange(
                case_id=r["id"],
                unit_id=r["unit_id"],
                old=r["light"],
                new=light,
                at=now,
                due_on=r["due_on"],
                notified_at=None if light in ALERTED else now,
            )
            for r in rows
        ]
    )
    if light == Light.YELLOW:
        Rectification.objects.bulk_create(
            rectify.auto_rows(rows, RectificationKind.YELLOW, today, rectify_days), ignore_conflicts=True
        )
    elif light == Light.RED:
        Rectification.objects.bulk_create(
            rectify.auto_rows(rows, RectificationKind.RED, today, rectify_days), ignore_conflicts=True
        )
    return made


def _apply_anomalies(rows: list[dict[str, Any]], light: str, today: date) -> list[Anomaly]:
    if light != Light.YELLOW:
        return []
    candidates = anomalies.over_committed_rows(rows, today)
    have = set(
        Anomaly.objects.filter(
            case_id__in=[a.case_id for a in candidates], kind__in={a.kind for a in candidates}
        ).values_list("case_id", "kind", "key")
    )
    new = [a for a in candidates if (a.case_id, a.kind, a.key) not in have]
    Anomaly.objects.bulk_create(new, ignore_conflicts=True)
    return new


def relight_case(case: Case, today: date | None = None) -> LightChange | None:
    """Re-light one case after a clock event (inside the event's transaction, the case locked):
    the same rules as the sweep; the alert is sent at once."""
    today = today or core_clock.today()
    light = target_light(case, today)
    if light == case.light:
        return None
    row = {f: getattr(case, f) for f in _FIELDS}
    row["light"] = case.light
    (change,) = _apply([row], light, today, clock.policy().rectify_days)
    _apply_anomalies([row], light, today)
    case.light, case.light_since = light, change.at
    if light in ALERTED:
        alerts_send(ids=[change.pk])
    return change


def on_case_event(case: Case, event: CaseEvent) -> None:
    """The case listener (tongban.approvals.hooks): re-light and record the event's anomalies."""
    relight_case(case)
    anomalies.detect_from_event(case, event)


# --- alerts -------------------------------------------------------------------------------------


def _case_url(case_id: int) -> str:
    try:
        return reverse("approvals:case", kwargs={"pk": case_id})
    except NoReverseMatch:
        return ""


def alerts_send(*, ids: Iterable[int] | None = None, limit: int | None = None) -> int:
    """Send the alert of each change not yet alerted (in-app + SMS to the case's handler and the
    unit's heads), once: the rows are locked and marked ``notified_at`` in the same transaction,
    and notify() deduplicates on ``case:<id>:<light>:<due_on>``. Returns notifications made."""
    sent = 0
    with transaction.atomic():
        qs = LightChange.objects.filter(notified_at__isnull=True)
        if ids is not None:
            qs = qs.filter(id__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        qs = qs.select_related("case", "case__item").order_by("id")
        pending = list(qs[:limit] if limit else qs)
        if not pending:
            return 0
        heads = rectify.unit_heads({c.unit_id for c in pending})
        handler_ids = {c.case.handler_id for c in pending if c.case.handler_id}
        handlers = {u.pk: u for u in User.objects.filter(pk__in=handler_ids)}
        labels = dict(Light.choices)
        now = core_clock.now()
        for ch in pending:
            case = ch.case
            users = list(heads.get(ch.unit_id, []))
            if case.handler_id in handlers:
                users.append(handlers[case.handler_id])
            label = labels.get(ch.new, ch.new)
            if ch.new == Light.WARNING:
                body = _("办件 %(no)s 将于 %(due)s 到期，请抓紧办理。")
            elif ch.new == Light.YELLOW:
                body = _(
                    "办件 %(no)s 已超过承诺期限 %(due)s，亮黄牌，已发出黄牌警告通知，请在整改期限内办结或说明原因。"
                )
            else:
                body = _("办件 %(no)s 黄牌整改期限已过（期限 %(due)s），亮红牌，已发出整改建议书。")
            sent += len(
                notify(
                    users=users,
                    event=EVENT,
                    title=_("【%(light)s】%(no)s %(item)s")
                    % {"light": label, "no": case.tracking_no, "item": case.item.name},
                    body=body % {"no": case.tracking_no, "due": ch.due_on.isoformat() if ch.due_on else "—"},
                    url=_case_url(case.pk),
                    dedupe_key=f"case:{case.pk}:{ch.new}:{ch.due_on.isoformat() if ch.due_on else ''}",
                )
            )
        LightChange.objects.filter(id__in=[c.pk for c in pending]).update(notified_at=now)
    return sent


# --- settings -----------------------------------------------------------------------------------

LIMITS = {"warn_days": (0, 10), "rectify_days": (1, 20), "rating_followup_days": (1, 30)}


def policy_update(*, actor: User, request: Any = None, **values: int) -> tuple[Any, bool]:
    """Change the county's thresholds (ClockPolicy: 预警提前工作日, 黄牌整改期限, 差评整改反馈期限 —
    rules.md §3–4 [local]). When the clock's thresholds change, every open case's dates are
    recomputed (clock.refresh_open_cases) and the sweep runs again, in a task after commit.
    Returns (policy, whether the clock's dates must be recomputed)."""
    from tongban.core import audit
    from tongban.core.errors import TongbanError

    for name, value in values.items():
        if name not in LIMITS:
            raise TongbanError("supervision.unknown_setting", _("未知的设置项。"), field=name)
        lo, hi = LIMITS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise TongbanError(
                "supervision.bad_setting",
                _("取值应在 %(lo)d 至 %(hi)d 个工作日之间。") % {"lo": lo, "hi": hi},
                field=name,
            )
    with transaction.atomic():
        pol = clock.policy()
        pol = type(pol).objects.select_for_update().get(pk=pol.pk)
        old = {k: getattr(pol, k) for k in values}
        changed = {k: v for k, v in values.items() if old[k] != v}
        if not changed:
            return pol, False
        for k, v in changed.items():
            setattr(pol, k, v)
        pol.updated_by = actor
        pol.save(update_fields=[*changed, "updated_by", "updated_at"])
        audit.record(
            "supervision.settings_changed",
            actor=actor,
            request=request,
            obj=pol,
            old={k: old[k] for k in changed},
            new=changed,
        )
        refresh = bool({"warn_days", "rectify_days"} & set(changed))
        if refresh:
            from tongban.supervision.tasks import refresh_and_sweep_task

            transaction.on_commit(lambda: refresh_and_sweep_task.enqueue())
    return pol, refresh


def sweep_now(*, actor: User, request: Any = None) -> SweepResult:
    """A supervisor runs the sweep at once (audited)."""
    from tongban.core import audit

    result = sweep()
    audit.record(
        "supervision.sweep_run",
        actor=actor,
        request=request,
        object_type="supervision.sweep",
        new={"changed": result.changed, "alerts": result.alerts, "anomalies": result.anomalies},
    )
    return result
