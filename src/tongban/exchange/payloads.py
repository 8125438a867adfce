"""The records pushed to the provincial platform (format: ``schemas/push-batch.v1.json``,
described in docs/exchange.md).

- Approval cases: one record per case changed since the watermark, ordered by (updated_at, id).
  Personal data is minimised (个人信息保护法 Art. 6, data minimisation): a natural person's name is
  masked to the surname (``张*``), no ID number, phone or address is ever sent; an enterprise's
  name and unified social credit code are public registration data and are sent.
- Disclosure statistics: per calendar month and per receiving organ, the requests received by
  applicant type and those handled by outcome (the rows of 国办公开办函〔2021〕30号), recomputed in
  full for every month touched by a changed request, so the receiver replaces (period, organ)."""

from __future__ import annotations

import calendar as pycalendar
from collections import Counter
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.approvals.models import Case, CaseStatus
from tongban.interaction.disclosure_table import COLUMNS, REASONS
from tongban.interaction.models import DisclosureRequest, RequestStatus

SCHEMA_ID = "tongban.exchange.push-batch/v1"
APPLICANT_COLUMNS = [c for c, _l in COLUMNS if c != "total"]
OUTCOME_ROWS = ["disclosed", "partial", "refused", "unavailable", "not_processed", "other"]


def mask_person_name(name: str) -> str:
    """``张三丰`` → ``张**``: the surname only (a two-character compound surname is not guessed)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def case_on_time(case: Case) -> bool | None:
    """Finished within the statutory limit: the decision day (or, without a decision, the completion
    day) on or before ``due_statutory``. None while the case is open or had no running clock."""
    if case.status not in (CaseStatus.DECIDED, CaseStatus.COMPLETED) or case.due_statutory is None:
        return None
    if case.decided_on is not None:
        return case.decided_on <= case.due_statutory
    if case.completed_at is not None:
        return timezone.localdate(case.completed_at) <= case.due_statutory
    return None


def changed_cases(after: datetime | None, after_id: int, limit: int) -> QuerySet[Case]:
    qs = Case.objects.select_related("item", "version", "unit", "county")
    if after is not None:
        qs = qs.filter(Q(updated_at__gt=after) | Q(updated_at=after, id__gt=after_id))
    return qs.order_by("updated_at", "id")[:limit]


def case_record(case: Case) -> dict[str, Any]:
    person = case.applicant_kind == "person"
    applicant: dict[str, Any] = {"kind": case.applicant_kind}
    if person:
        applicant["name_masked"] = mask_person_name(case.applicant_name)
    else:
        applicant["name"] = case.applicant_name
        applicant["credit_code"] = case.applicant_id_number
    return {
        "case_no": case.tracking_no,
        "county_code": case.county.code,
        "item": {"code": case.item.code, "name": case.version.name},
        "applicant": applicant,
        "channel": case.channel,
        "department": {"code": case.unit.unit_code, "name": case.unit.name},
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "decision": case.decision or None,
        "received_at": _iso(case.received_at),
        "accepted_on": _iso(case.accepted_on),
        "decided_on": _iso(case.decided_on),
        "closed_at": _iso(case.completed_at),
        "statutory_limit_days": case.version.statutory_limit,
        "committed_limit_days": case.version.committed_limit,
        "due_statutory": _iso(case.due_statutory),
        "on_time": case_on_time(case),
        "updated_at": _iso(case.updated_at),
    }


# --- disclosure statistics -------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def changed_disclosure(
    after: datetime | None, after_id: int, limit: int
) -> list[tuple[int, datetime, int, date, date | None]]:
    """(id, updated_at, county_id, received_on, answered_on) of changed requests, oldest first."""
    qs = DisclosureRequest.objects.all()
    if after is not None:
        qs = qs.filter(Q(updated_at__gt=after) | Q(updated_at=after, id__gt=after_id))
    return list(
        qs.order_by("updated_at", "id").values_list(
            "id", "updated_at", "county_id", "received_on", "answered_on"
        )[:limit]
    )


def disclosure_month(county_id: int, month: date) -> list[dict[str, Any]]:
    """The month's records: one per organ with requests received or handled in it."""
    first = month_of(month)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    rows = DisclosureRequest.objects.filter(county_id=county_id).filter(
        Q(received_on__gte=first, received_on__lte=last) | Q(answered_on__gte=first, answered_on__lte=last)
    )
    organs: dict[int, dict[str, Any]] = {}
    cells: dict[int, Counter[str]] = {}
    for (
        organ_id,
        organ_code,
        organ_name,
        county_code,
        kind,
        received_on,
        answered_on,
        outcome,
        reason,
        on_time,
        status,
    ) in rows.values_list(
        "organ_id",
        "organ__unit_code",
        "organ__name",
        "county__code",
        "applicant_type",
        "received_on",
        "answered_on",
        "outcome",
        "outcome_reason",
        "on_time",
        "status",
    ).order_by("organ_id", "id"):
        organs.setdefault(organ_id, {"code": organ_code, "name": organ_name, "county_code": county_code})
        c = cells.setdefault(organ_id, Counter())
        col = kind if kind in APPLICANT_COLUMNS else "other"
        if first <= received_on <= last:
            c[f"received.{col}"] += 1
        if (
            answered_on is not None
            and first <= answered_on <= last
            and outcome
            and status in (RequestStatus.ANSWERED, RequestStatus.CLOSED)
        ):
            c[f"handled.{outcome}.{col}"] += 1
            if outcome in REASONS:
                known = {k for k, _l in REASONS[outcome]}
                r = reason if reason in known else ("other" if outcome == "other" else "")
                if r:
                    c[f"reason.{outcome}.{r}"] += 1
            c["answered"] += 1
            if on_time is True:
                c["on_time"] += 1
            elif on_time is False:
                c["overdue"] += 1
    out = []
    for organ_id, organ in organs.items():
        c = cells[organ_id]
        received = {col: c[f"received.{col}"] for col in APPLICANT_COLUMNS}
        received["total"] = sum(received.values())
        handled: dict[str, dict[str, int]] = {}
        for row in OUTCOME_ROWS:
            by_col = {col: c[f"handled.{row}.{col}"] for col in APPLICANT_COLUMNS}
            by_col["total"] = sum(by_col.values())
            handled[row] = by_col
        reasons = {
            f"{row}.{k}": c[f"reason.{row}.{k}"]
            for row in REASONS
            for k, _l in REASONS[row]
            if c[f"reason.{row}.{k}"]
        }
        out.append(
            {
                "period": first.strftime("%Y-%m"),
                "period_start": first.isoformat(),
                "period_end": last.isoformat(),
                "county_code": organ["county_code"],
                "organ": {"code": organ["code"], "name": organ["name"]},
                "received": received,
                "handled": handled,
                "handled_reasons": reasons,
                "answered_total": c["answered"],
                "answered_on_time": c["on_time"],
                "answered_overdue": c["overdue"],
            }
        )
    return out


def months_touched(rows: list[tuple[int, datetime, int, date, date | None]]) -> list[tuple[int, date]]:
    """The (county, month) pairs whose figures the changed requests affect."""
    touched: set[tuple[int, date]] = set()
    for _id, _at, county_id, received_on, answered_on in rows:
        touched.add((county_id, month_of(received_on)))
        if answered_on is not None:
            touched.add((county_id, month_of(answered_on)))
    return sorted(touched)
