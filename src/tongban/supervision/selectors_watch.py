"""Reads of the watch part, already filtered for the actor.

Supervisors (监察员, a RoleGrant ``supervisor``) see every case, anomaly and notice of their
county; a unit's heads (单位领导, 办公室主任) see their unit's rectification notices only. The
dashboard reads aggregates (GROUP BY over the open cases, the partial index approvals_case_open),
so its cost does not grow with the closed cases."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.approvals.handling_selectors import Chain
from tongban.approvals.models import Case, Light
from tongban.core import clock as core_clock
from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, County, RoleGrant, Unit
from tongban.supervision.models import (
    Anomaly,
    AnomalyStatus,
    LightChange,
    Rectification,
    RectificationStatus,
)

LIGHT_ORDER = [Light.RED, Light.YELLOW, Light.WARNING, Light.GREEN, Light.NONE]
HEAD_ROLES = (BusinessRole.UNIT_LEADER, BusinessRole.OFFICE_HEAD)
LIGHT_COLORS = {
    "red": "#c62828", "yellow": "#f9a825", "warning": "#fb8c00", "green": "#2e7d32", "none": "#9e9e9e",
}  # fmt: skip


def _uid(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "pk", None)


def _memo(user: Any, key: str, read: Any) -> Any:
    """``read()`` once per user object (a request's ``request.user`` lives for one request: the
    page and the navigation entries share the answer)."""
    memo = getattr(user, "_tb_watch", None)
    if not isinstance(memo, dict):
        memo = {}
        with contextlib.suppress(AttributeError):
            user._tb_watch = memo
    if key not in memo:
        memo[key] = read()
    return memo[key]


def supervisor_county(user: Any) -> County | None:
    uid = _uid(user)
    if uid is None:
        return None

    def read() -> County | None:
        grant = (
            RoleGrant.objects.filter(user_id=uid, role=BusinessRole.SUPERVISOR, unit__is_active=True)
            .select_related("county")
            .first()
        )
        return grant.county if grant is not None else None

    return _memo(user, "county", read)


def is_supervisor(user: Any) -> bool:
    return supervisor_county(user) is not None


def access_supervisor(user: Any) -> County:
    """The county ``user`` supervises, or PermissionDenied (only 监察员)."""
    county = supervisor_county(user)
    if county is None:
        raise PermissionDenied("supervision.not_supervisor", _("只有监察员可以使用电子监察。"))
    return county


def head_unit_ids(user: Any) -> list[int]:
    uid = _uid(user)
    if uid is None:
        return []
    return list(
        _memo(
            user,
            "heads",
            lambda: list(
                RoleGrant.objects.filter(user_id=uid, role__in=HEAD_ROLES, unit__is_active=True)
                .values_list("unit_id", flat=True)
                .distinct()
            ),
        )
    )


def open_rectifications_for_unit_head(user: Any) -> int:
    units = head_unit_ids(user)
    if not units:
        return 0
    return Rectification.objects.filter(unit_id__in=units, status=RectificationStatus.ISSUED).count()


# --- dashboard ----------------------------------------------------------------------------------


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _open_in(county: County) -> QuerySet[Case]:
    """The county's open cases. With one county on the platform (the usual deployment) that is
    every open case, and the aggregates read the partial index approvals_case_open alone."""
    qs = Case.objects.filter(is_open=True)
    if County.objects.exclude(pk=county.pk).exists():
        qs = qs.filter(county=county)
    return qs


def dashboard(county: County, *, oldest: int = 10) -> dict[str, Any]:
    """The real-time figures: open cases by light, by department (and light), the oldest open
    cases, today's light changes, open anomalies and notices. A constant number of queries."""
    open_cases = _open_in(county)
    by_light: dict[str, int] = {str(light): 0 for light in LIGHT_ORDER}
    per_unit: dict[int, dict[str, int]] = {}
    # COUNT(*), not COUNT(id): an index-only scan of approvals_case_open_unit (unit, light), id is not in it
    for unit_id, light, n in open_cases.order_by().values_list("unit_id", "light").annotate(n=Count("*")):
        per_unit.setdefault(unit_id, {})[light] = n
        by_light[light] = by_light.get(light, 0) + n
    units = {u.pk: u for u in Unit.objects.filter(pk__in=per_unit).order_by("sort", "id")}
    departments: list[dict[str, Any]] = []
    for uid, unit in units.items():
        counts = per_unit[uid]
        departments.append(
            {
                "unit_id": uid,
                "unit": unit.short_name or unit.name,
                "total": sum(counts.values()),
                **{(light or "none"): counts.get(light, 0) for light in LIGHT_ORDER},
            }
        )
    departments.sort(key=lambda d: (-d["red"], -d["yellow"], -d["warning"], -d["total"], d["unit"]))
    oldest_cases = list(
        open_cases.select_related("unit", "item", "handler").order_by("received_at", "id")[:oldest]
    )
    today = core_clock.today()
    start = _day_start(today)
    changes_today = LightChange.objects.filter(
        unit__county=county, at__gte=start, at__lt=start + timedelta(days=1)
    )
    today_counts: dict[str, int] = {str(light): 0 for light in LIGHT_ORDER}
    for new, n in changes_today.order_by().values_list("new").annotate(n=Count("id")):
        today_counts[new] = n
    latest = list(changes_today.select_related("case", "unit").order_by("-at", "-id")[:20])
    anomalies_open = Anomaly.objects.filter(unit__county=county, status=AnomalyStatus.OPEN).count()
    rect = (
        Rectification.objects.filter(county=county)
        .exclude(status=RectificationStatus.CLOSED)
        .aggregate(
            n=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=today, status=RectificationStatus.ISSUED)),
        )
    )
    return {
        "today": today,
        "total_open": sum(by_light.values()),
        "by_light": by_light,
        "departments": departments,
        "oldest": oldest_cases,
        "oldest_received_on": oldest_cases[0].received_on if oldest_cases else None,
        "changes_today": today_counts,
        "latest_changes": latest,
        "anomalies_open": anomalies_open,
        "rectifications_open": rect["n"],
        "rectifications_overdue": rect["overdue"],
    }


def open_cases(
    county: County, *, light: str | None = None, unit_id: int | None = None, q: str = "", cap: int = 0
) -> QuerySet[Case] | Chain:
    """Open cases of the county, most urgent first (红牌, 黄牌, 预警, then by deadline). Each light
    reads the partial index approvals_case_open (light, due_on) in its order; all lights are
    the lights one after another (a :class:`~tongban.approvals.handling_selectors.Chain`, each
    part in that index's order), so no page sorts every open case. ``cap``: count at most this
    many rows (0: count them all)."""
    qs = _open_in(county)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(tracking_no__icontains=q) | Q(applicant_name__icontains=q) | Q(title__icontains=q))
    qs = qs.select_related("unit", "item", "handler")
    order = (F("due_on").asc(nulls_last=True), "received_at", "id")
    # approvals_case_open orders by (light, due_on) only: the cases due the same day are sorted,
    # so a page sorts the ids alone, then reads its rows by id (Chain narrow)
    lights = [light] if light is not None and light in Light.values else LIGHT_ORDER
    return Chain([qs.filter(light=li).order_by(*order) for li in lights], cap=cap, narrow=True)


def anomalies_list(
    county: County, *, kind: str = "", unit_id: int | None = None, status: str = ""
) -> QuerySet[Anomaly]:
    qs = Anomaly.objects.filter(unit__county=county)
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("case", "unit", "closed_by").order_by("-detected_at", "-id")


def access_anomaly(pk: int, user: Any) -> Anomaly:
    county = access_supervisor(user)
    a = Anomaly.objects.select_related("case", "unit").filter(pk=pk, case__county=county).first()
    if a is None:
        raise NotFound("supervision.anomaly_not_found", _("异常记录不存在。"))
    return a


def rectifications_for(user: Any, *, status: str = "", unit_id: int | None = None) -> QuerySet[Rectification]:
    """Notices the user may see: all of the county for a supervisor, the unit's own for its heads."""
    county = supervisor_county(user)
    if county is not None:
        qs = Rectification.objects.filter(county=county)
    else:
        units = head_unit_ids(user)
        if not units:
            raise PermissionDenied(
                "supervision.not_allowed", _("只有监察员和责任单位负责人可以查看整改通知。")
            )
        qs = Rectification.objects.filter(unit_id__in=units)
    if status:
        qs = qs.filter(status=status)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.select_related("unit", "case", "issued_by", "replied_by", "closed_by").order_by(
        "status", "deadline", "-id"
    )


def access_rectification(pk: int, user: Any) -> Rectification:
    """A notice the user may see (supervisor of its county, or a head of its unit)."""
    r = (
        Rectification.objects.select_related("unit", "case", "issued_by", "replied_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    county = supervisor_county(user)
    if r is not None and (
        (county is not None and r.county_id == county.pk) or r.unit_id in head_unit_ids(user)
    ):
        return r
    if r is None or county is not None:
        raise NotFound("supervision.rect_not_found", _("整改通知不存在。"))
    raise PermissionDenied("supervision.not_allowed", _("只有监察员和责任单位负责人可以查看整改通知。"))


def county_units(county: County) -> QuerySet[Unit]:
    return Unit.objects.filter(county=county, is_active=True).order_by("sort", "id")


def case_by_tracking_no(county: County, tracking_no: str) -> Case:
    case = Case.objects.filter(county=county, tracking_no=tracking_no.strip()).first()
    if case is None:
        raise NotFound("supervision.case_not_found", _("没有这个受理编号的办件。"))
    return case


def case_url(case_id: int) -> str:
    """The case page (approvals:case; supervisors read it read-only), or "" when not installed."""
    try:
        return reverse("approvals:case", kwargs={"pk": case_id})
    except NoReverseMatch:
        return ""


def dashboard_json(data: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures as plain JSON (the page's charts and the API)."""
    labels = dict(Light.choices)
    return {
        "today": data["today"].isoformat(),
        "total_open": data["total_open"],
        "by_light": [
            {"light": k or "none", "label": str(labels[k]), "count": v, "color": LIGHT_COLORS[k or "none"]}
            for k, v in data["by_light"].items()
        ],
        "departments": data["departments"],
        "changes_today": {(k or "none"): v for k, v in data["changes_today"].items()},
        "anomalies_open": data["anomalies_open"],
        "rectifications_open": data["rectifications_open"],
        "rectifications_overdue": data["rectifications_overdue"],
        "oldest": [
            {
                "id": c.pk,
                "tracking_no": c.tracking_no,
                "item": c.item.name,
                "unit": c.unit.short_name or c.unit.name,
                "received_on": c.received_on.isoformat(),
                "due_on": c.due_on.isoformat() if c.due_on else None,
                "light": c.light or "none",
                "status": c.status,
            }
            for c in data["oldest"]
        ],
        "labels": {
            "red": str(labels[Light.RED]),
            "yellow": str(labels[Light.YELLOW]),
            "warning": str(labels[Light.WARNING]),
            "green": str(labels[Light.GREEN]),
            "none": _("不计时"),
        },
        "colors": LIGHT_COLORS,
    }
