"""Reads of requests for government information: the officers' boxes, access functions, the
applicant's look-up and the annual report's request table (国办公开办函〔2021〕30号)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import clock
from tongban.core.calendar import add_workdays
from tongban.core.errors import NotFound, PermissionDenied
from tongban.identity.models import PublicAccount
from tongban.interaction import disclosure as svc
from tongban.interaction.disclosure_table import COLUMNS, REASONS, empty_table
from tongban.interaction.models import DisclosureRequest, RequestStatus
from tongban.orgs.models import County, Unit

S = RequestStatus

# box key -> (label, statuses; None = all)
BOXES: list[tuple[str, Any, tuple[str, ...] | None]] = [
    ("received", gettext_lazy("待确认"), (S.RECEIVED,)),
    ("supplement", gettext_lazy("待补正"), (S.SUPPLEMENT,)),
    ("processing", gettext_lazy("办理中"), (S.PROCESSING,)),
    ("consulting", gettext_lazy("征求意见中"), (S.CONSULTING,)),
    ("fee", gettext_lazy("待缴费"), (S.FEE_PENDING,)),
    ("answered", gettext_lazy("已答复"), (S.ANSWERED,)),
    ("closed", gettext_lazy("已终止"), (S.CLOSED,)),
    ("all", gettext_lazy("全部"), None),
]
BOX_STATUSES = {key: statuses for key, _label, statuses in BOXES}


def visible_requests(user: Any) -> QuerySet[DisclosureRequest]:
    """The requests ``user`` may see as an officer (none for anybody else)."""
    county, units = svc.officer_scope(user)
    if county is None:
        return DisclosureRequest.objects.none()
    qs = DisclosureRequest.objects.filter(county_id=county)
    if units is not None:
        qs = qs.filter(organ_id__in=units)
    return qs


def requests_for(
    user: Any, *, box: str = "all", q: str = "", overdue: bool = False
) -> QuerySet[DisclosureRequest]:
    qs = visible_requests(user).select_related("organ")
    statuses = BOX_STATUSES.get(box)
    if statuses:
        qs = qs.filter(status__in=statuses)
    q = (q or "").strip()[:64]
    if q:
        qs = qs.filter(Q(tracking_code__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q))
    if overdue:
        qs = qs.filter(status__in=(S.RECEIVED, S.PROCESSING), due_on__lt=clock.today())
    if statuses and set(statuses) <= {S.ANSWERED, S.CLOSED}:
        return qs.order_by("-answered_on", "-id")
    return qs.order_by("due_on", "received_on", "id")


def box_counts(user: Any) -> dict[str, int]:
    rows = visible_requests(user).values("status").annotate(n=Count("id"))
    by_status = {r["status"]: r["n"] for r in rows}
    out = {}
    for key, _label, statuses in BOXES:
        out[key] = sum(by_status.values()) if statuses is None else sum(by_status.get(s, 0) for s in statuses)
    return out


def open_count(user: Any) -> int:
    """The nav badge: requests waiting for the officer (待确认 + 办理中)."""
    if not svc.is_officer(user):
        return 0
    return visible_requests(user).filter(status__in=(S.RECEIVED, S.PROCESSING)).count()


def get_request_for(user: Any, pk: int) -> DisclosureRequest:
    """The request ``pk`` for an officer who may see it; PermissionDenied for non-officers,
    NotFound when it does not exist or belongs to another organ."""
    if not svc.is_officer(user):
        raise PermissionDenied("interaction.disclosure_forbidden", _("您不是政府信息公开工作人员。"))
    req = visible_requests(user).select_related("organ", "handler", "account").filter(pk=pk).first()
    if req is None:
        raise NotFound("interaction.disclosure_not_found", _("没有找到该申请。"))
    return req


def lookup(code: str, id_number: str) -> DisclosureRequest:
    """The applicant's look-up: code + ID number (身份证号 or 统一社会信用代码). One answer for
    'no such code' and 'wrong ID number'."""
    req = (
        DisclosureRequest.objects.select_related("organ")
        .filter(tracking_code=(code or "").strip().upper()[:24])
        .first()
    )
    if req is None or not svc.applicant_matches(req, id_number):
        raise NotFound("interaction.disclosure_lookup", _("申请编号或证件号码不正确。"))
    return req


def for_account(account: PublicAccount) -> QuerySet[DisclosureRequest]:
    return (
        DisclosureRequest.objects.filter(account=account)
        .select_related("organ")
        .order_by("-submitted_at", "-id")
    )


def is_overdue(req: DisclosureRequest, today: date | None = None) -> bool:
    today = today or clock.today()
    return req.status in svc.OPEN and req.due_on is not None and req.due_on < today


def due_soon(req: DisclosureRequest, today: date | None = None, days: int = 3) -> bool:
    today = today or clock.today()
    return (
        req.status in svc.OPEN and req.due_on is not None and today <= req.due_on <= add_workdays(today, days)
    )


# --- the annual report's table -------------------------------------------------------------------
def annual_table(county: County, year: int, *, organ: Unit | None = None) -> dict[str, dict[str, int]]:
    """三、收到和处理政府信息公开申请情况 of the annual report (国办公开办函〔2021〕30号), by
    applicant type:

    - new = received in ``year``; carried_over = received before the year and not handled before it;
    - handled = answered or closed (``answered_on``) in the year, by ``outcome`` / ``outcome_reason``
      (parent rows = the sums of their reason rows; 予以公开 / 部分公开 have none);
    - carried_forward = received by the year's end and not handled by it.

    It balances by construction: new + carried_over = handled_total + carried_forward."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    qs = DisclosureRequest.objects.filter(county=county, received_on__lte=end).filter(
        Q(answered_on__isnull=True) | Q(answered_on__gte=start)
    )
    if organ is not None:
        qs = qs.filter(organ=organ)
    table = empty_table()
    cells: Counter[tuple[str, str]] = Counter()
    for kind, received_on, answered_on, outcome, reason in qs.values_list(
        "applicant_type", "received_on", "answered_on", "outcome", "outcome_reason"
    ).iterator():
        col = kind if kind in table["new"] else "other"
        if received_on >= start:
            cells["new", col] += 1
        else:
            cells["carried_over", col] += 1
        if answered_on is not None and answered_on <= end and outcome:
            cells[outcome, col] += 1
            if outcome in REASONS:
                known = {k for k, _l in REASONS[outcome]}
                if reason not in known and outcome == "other":
                    reason = "other"  # an unlabelled closure is 其他
                cells[f"{outcome}.{reason}", col] += 1
            cells["handled_total", col] += 1
        else:
            cells["carried_forward", col] += 1
    for (row, col), n in cells.items():
        if row in table:
            table[row][col] += n
    for cols in table.values():
        cols["total"] = sum(v for c, v in cols.items() if c != "total")
    return table


def column_keys() -> list[str]:
    return [c for c, _l in COLUMNS]


def public_county() -> County | None:
    """The county whose portal this is (the deployment serves one county's site)."""
    return County.objects.order_by("id").first()


def reason_label(outcome: str, reason: str) -> str:
    return next((str(label) for k, label in REASONS.get(outcome, []) if k == reason), "")
