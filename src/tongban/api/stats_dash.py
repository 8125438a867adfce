"""/api/v1/stats/ endpoints of the dashboards: the overview (also the big screen's feed), the unit
comparison, the trends, the effect report and its unit costs, feedback (意见建议) and the
changelog. Same permissions as the pages (:mod:`tongban.stats.access`); thin over the selectors
and services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tongban.api.common import caller as _caller
from tongban.api.common import errors
from tongban.core import clock
from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import Unit
from tongban.orgs.selectors import access_county
from tongban.stats import access
from tongban.stats import dashboards as dash
from tongban.stats import effect as eff
from tongban.stats import feedback as fbs
from tongban.stats.models import ChangelogEntry, EffectCosts, Feedback

router = Router(tags=["考核统计：总览与意见"])


# --- schemas ------------------------------------------------------------------------------------------
class LightsOut(Schema):
    green: int
    yellow: int
    red: int


class StatsLetterOut(Schema):
    code: str
    label: str
    count: int


class FiguresOut(Schema):
    active_users_today: int
    staff_total: int
    logins_today: int
    docs_in_motion: int
    docs_today: int
    cases_open: int
    cases_by_light: LightsOut
    letters_by_status: list[StatsLetterOut]
    meetings_today: int
    feedback_open: int
    active_rate: float | None


class LightOut(Schema):
    code: str
    label: str
    color: str
    count: int


class SeriesOut(Schema):
    code: str
    label: str
    data: list[int]


class TrendChartOut(Schema):
    days: list[str]
    series: list[SeriesOut]


class StatsRankOut(Schema):
    unit_id: int
    name: str
    active_rate: float | None


class PeriodOut(Schema):
    key: str
    label: str
    start: date
    end: date


class EffectRowOut(Schema):
    key: str
    label: str
    docs: int
    copies: int
    pages: int
    reams: float
    cost: float


class CostsOut(Schema):
    paper_per_page: float
    print_per_page: float
    delivery_per_copy: float
    default_pages: int
    formula: str


class EffectOut(Schema):
    period: PeriodOut
    formula: str
    costs: CostsOut
    total: EffectRowOut
    by_month: list[EffectRowOut]
    by_unit: list[EffectRowOut]


class StatsOverviewOut(Schema):
    scope: str
    unit_id: int | None
    unit_name: str
    snapshot_at: str | None
    has_snapshot: bool
    figures: FiguresOut
    lights: list[LightOut]
    letters: list[StatsLetterOut]
    trend: TrendChartOut
    top: list[StatsRankOut]
    bottom: list[StatsRankOut]
    effect: EffectOut | None = None


class SnapshotOut(Schema):
    id: int
    at: str


class UnitRowOut(Schema):
    rank: int
    unit_id: int
    name: str
    kind: str
    group: str
    group_label: str
    staff: float
    active_user_days: int
    active_rate: float | None
    logins: int
    docs_handled: int
    docs_per_person: float | None
    tasks_overdue: int
    cases_closed: int
    cases_on_time_pct: float | None
    letters_answered: int
    letters_on_time_pct: float | None
    meetings_invited: int
    meeting_attendance_pct: float | None
    notices_read_pct: float | None
    docs_sent: int


class GroupOut(Schema):
    group: str
    label: str
    units: int
    staff: float
    active_rate: float | None
    docs_handled: int
    tasks_overdue: int


class ComparisonOut(Schema):
    period: PeriodOut
    workdays: int
    group: str
    rows: list[UnitRowOut]
    groups: list[GroupOut]


class TrendRowOut(Schema):
    day: date
    logins: int
    active_users: int
    docs_handled: int
    notices_read: int
    docs_sent: int


class TrendsOut(Schema):
    days: int
    unit_id: int | None
    rows: list[TrendRowOut]
    totals: dict[str, int]


class CostsIn(Schema):
    paper_per_page: str | None = None
    print_per_page: str | None = None
    delivery_per_copy: str | None = None
    default_pages: int | None = None


class FeedbackIn(Schema):
    kind: str = "suggestion"
    title: str
    body: str
    page_url: str = ""
    page_title: str = ""


class FeedbackOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    page_url: str
    page_title: str
    status: str
    status_label: str
    answer: str
    answered_at: str | None
    changelog_id: int | None
    created_at: str
    author: str
    unit: str


class AnswerIn(Schema):
    status: str
    answer: str
    changelog_id: int | None = None


class ChangelogIn(Schema):
    title: str
    body: str
    released_on: date
    version: str = ""
    published: bool = False
    feedback_ids: list[int] = []


class ChangelogOut(Schema):
    id: int
    title: str
    body: str
    released_on: date
    version: str
    published: bool
    feedback_ids: list[int]


# --- helpers -----------------------------------------------------------------------------------------
def _scope(user: Any, unit_id: int | None) -> Unit | None:
    if unit_id is not None and not fbs.id_ok(unit_id):
        raise NotFound("stats.unit_not_found", _("单位不存在"))
    if access.can_view_county(user):
        return access.access_unit(unit_id, user) if unit_id is not None else None
    ids = access.visible_unit_ids(user) or set()
    if not ids:
        raise PermissionDenied("stats.denied", _("您无权查看统计。"))
    if unit_id is not None:
        return access.access_unit(unit_id, user)
    return Unit.objects.get(pk=min(ids))


def _period(p: dash.Period) -> dict[str, Any]:
    return {"key": p.key, "label": p.label, "start": p.start, "end": p.end}


def _costs(c: EffectCosts) -> dict[str, Any]:
    return {
        "paper_per_page": float(c.paper_per_page),
        "print_per_page": float(c.print_per_page),
        "delivery_per_copy": float(c.delivery_per_copy),
        "default_pages": c.default_pages,
        "formula": eff.formula_text(c),
    }


def _effect(rep: eff.EffectReport) -> dict[str, Any]:
    return {
        "period": _period(rep.period),
        "formula": rep.formula,
        "costs": _costs(rep.costs),
        "total": rep.total.as_dict(),
        "by_month": [r.as_dict() for r in rep.by_month],
        "by_unit": [r.as_dict() for r in rep.by_unit],
    }


def _fb(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "kind_label": str(f.get_kind_display()),
        "title": f.title,
        "body": f.body,
        "page_url": f.page_url,
        "page_title": f.page_title,
        "status": f.status,
        "status_label": str(f.get_status_display()),
        "answer": f.answer,
        "answered_at": f.answered_at.isoformat() if f.answered_at else None,
        "changelog_id": f.changelog_id,
        "created_at": f.created_at.isoformat(),
        "author": f.author.full_name or f.author.username,
        "unit": f.unit.display_name if f.unit else "",
    }


def _entry(e: ChangelogEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "title": e.title,
        "body": e.body,
        "released_on": e.released_on,
        "version": e.version,
        "published": e.published,
        "feedback_ids": sorted(f.pk for f in e.feedback.all()),
    }


# --- dashboards -------------------------------------------------------------------------------------------
@router.get(
    "overview",
    response={200: StatsOverviewOut, **errors(403, 404, 422)},
    url_name="stats_overview",
    summary="统计总览（大屏数据源）",
)
def overview(request: HttpRequest, unit: int | None = None, include_effect: bool = False) -> dict[str, Any]:
    """The KPI cards of the latest snapshot, the lights, the letters, the 30-day trend and the top
    and bottom five units. A unit leader or office head gets their unit's version; ``unit`` picks a
    unit (county viewers: any). ``include_effect`` adds this year's effect report (the big screen)."""
    user = _caller(request)
    scope = _scope(user, unit)
    data = dash.chart_data(dash.overview(unit=scope))
    if include_effect:
        access.require_county(user)
        today = clock.today()
        data["effect"] = _effect(eff.report(access_county(user), eff.default_period(today)))
    return data


@router.post("overview/snapshot", response={201: SnapshotOut, **errors(403)}, summary="立即生成统计概况")
def snapshot_take(request: HttpRequest) -> Status:
    user = _caller(request)
    access.require_manage(user)
    from tongban.stats import snapshot

    snap = snapshot.take()
    return Status(201, {"id": snap.pk, "at": snap.at.isoformat()})


@router.get("units", response={200: ComparisonOut, **errors(403, 422)}, summary="单位对比")
def units(request: HttpRequest, period: str = "month", group: str = "") -> dict[str, Any]:
    """``period``: month, last_month, quarter, year, last30, YYYY-MM or YYYY; ``group``: leading,
    dept, township or empty. Ranked by active rate = active_user_days / (staff × workdays)."""
    user = _caller(request)
    access.require_county(user)
    c = dash.unit_comparison(dash.parse_period(period), group=dash.parse_group(group))
    return {
        "period": _period(c.period),
        "workdays": c.workdays,
        "group": c.group,
        "rows": [r.as_dict() for r in c.rows],
        "groups": c.groups,
    }


@router.get("trends", response={200: TrendsOut, **errors(403, 404, 422)}, summary="使用趋势")
def trends(request: HttpRequest, days: int = 30, unit: int | None = None) -> dict[str, Any]:
    """The last 30, 90 or 365 days, summed per day over the county's (or the unit's) units."""
    user = _caller(request)
    n = dash.parse_days(days)
    scope = _scope(user, unit)
    rows = dash.trends(n, unit_ids={scope.pk} if scope else None)
    return {
        "days": n,
        "unit_id": scope.pk if scope else None,
        "rows": rows,
        "totals": dash.trend_totals(rows),
    }


@router.get("effect", response={200: EffectOut, **errors(403, 404, 422)}, summary="效益报告")
def effect(request: HttpRequest, period: str = "year") -> dict[str, Any]:
    user = _caller(request)
    access.require_county(user)
    return _effect(eff.report(access_county(user), dash.parse_period(period)))


@router.get("effect/costs", response={200: CostsOut, **errors(403, 404)}, summary="效益测算单价")
def costs_get(request: HttpRequest) -> dict[str, Any]:
    user = _caller(request)
    access.require_county(user)
    return _costs(eff.costs_for(access_county(user)))


@router.put(
    "effect/costs", response={200: CostsOut, **errors(400, 403, 404, 422)}, summary="设置效益测算单价"
)
def costs_put(request: HttpRequest, body: CostsIn) -> dict[str, Any]:
    """考核管理员 only. Amounts as decimal strings (``"0.05"``); missing fields keep their value."""
    user = _caller(request)
    access.require_manage(user)
    return _costs(eff.costs_update(actor=user, county=access_county(user), data=body.dict(), request=request))


# --- feedback ------------------------------------------------------------------------------------------------
@router.post("feedback", response={201: FeedbackOut, **errors(400, 422)}, summary="提意见建议")
def feedback_create(request: HttpRequest, body: FeedbackIn) -> Status:
    """Any staff member. ``page_url`` must be a path of this site (or a full URL of this host)."""
    user = _caller(request)
    fb = fbs.feedback_create(
        actor=user,
        kind=body.kind,
        title=body.title,
        body=body.body,
        page_url=body.page_url,
        page_title=body.page_title,
        user_agent=request.headers.get("User-Agent", ""),
        host=request.get_host(),
        request=request,
    )
    fb = fbs.access_feedback(fb.pk, user)
    return Status(201, _fb(fb))


@router.get("feedback", response={200: list[FeedbackOut], **errors()}, summary="我的意见")
def feedback_mine(request: HttpRequest) -> list[dict[str, Any]]:
    user = _caller(request)
    return [_fb(f) for f in fbs.my_feedback(user).select_related("author", "unit")[:200]]


@router.get("feedback/manage", response={200: list[FeedbackOut], **errors(400, 403)}, summary="意见处理列表")
def feedback_manage(request: HttpRequest, status: str = "", kind: str = "") -> list[dict[str, Any]]:
    user = _caller(request)
    return [_fb(f) for f in fbs.manage_list(user, status=status, kind=kind)[:200]]


@router.get("feedback/{feedback_id}", response={200: FeedbackOut, **errors(404)}, summary="意见详情")
def feedback_get(request: HttpRequest, feedback_id: int) -> dict[str, Any]:
    return _fb(fbs.access_feedback(feedback_id, _caller(request)))


@router.post(
    "feedback/{feedback_id}/answer",
    response={200: FeedbackOut, **errors(400, 403, 404, 422)},
    summary="答复意见",
)
def feedback_answer(request: HttpRequest, feedback_id: int, body: AnswerIn) -> dict[str, Any]:
    """考核管理员: status accepted, done, declined or duplicate; the author is notified."""
    user = _caller(request)
    access.require_manage(user)
    fb = fbs.access_feedback(feedback_id, user)
    fbs.feedback_answer(
        actor=user,
        feedback=fb,
        status=body.status,
        answer=body.answer,
        changelog_id=body.changelog_id,
        request=request,
    )
    return _fb(fbs.access_feedback(feedback_id, user))


# --- changelog ------------------------------------------------------------------------------------------------
@router.get("changelog", response={200: list[ChangelogOut], **errors(403)}, summary="更新日志")
def changelog_list(request: HttpRequest, drafts: bool = False) -> list[dict[str, Any]]:
    """The published entries; ``drafts=true`` (考核管理员) lists every entry."""
    user = _caller(request)
    qs = fbs.all_changelog(user) if drafts else fbs.published_changelog()
    return [_entry(e) for e in qs.prefetch_related("feedback")[:200]]


@router.post("changelog", response={201: ChangelogOut, **errors(400, 403, 422)}, summary="写更新日志")
def changelog_create(request: HttpRequest, body: ChangelogIn) -> Status:
    user = _caller(request)
    access.require_manage(user)
    e = fbs.changelog_save(actor=user, entry=None, **body.dict(), request=request)
    return Status(201, _entry(e))


@router.get("changelog/{entry_id}", response={200: ChangelogOut, **errors(404)}, summary="更新日志详情")
def changelog_get(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    return _entry(fbs.access_entry(entry_id, _caller(request)))


@router.put(
    "changelog/{entry_id}", response={200: ChangelogOut, **errors(400, 403, 404, 422)}, summary="修改更新日志"
)
def changelog_update(request: HttpRequest, entry_id: int, body: ChangelogIn) -> dict[str, Any]:
    user = _caller(request)
    access.require_manage(user)
    e = fbs.access_entry(entry_id, user)
    return _entry(fbs.changelog_save(actor=user, entry=e, **body.dict(), request=request))


@router.delete("changelog/{entry_id}", response={204: None, **errors(403, 404)}, summary="删除更新日志")
def changelog_delete(request: HttpRequest, entry_id: int) -> Status:
    user = _caller(request)
    access.require_manage(user)
    fbs.changelog_delete(actor=user, entry=fbs.access_entry(entry_id, user), request=request)
    return Status(204, None)
