"""Portal endpoints (disclosure): annual reports of 政府信息公开 (国办公开办函〔2021〕30号).

``router`` (staff, under /api/v1/portal/): the computed request table of a year and organ with
its balance check, and "生成年报草稿" — portal administrators and disclosure officers only.
``public_router`` (anonymous, under /api/v1/public/portal/): a published report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tongban.api.common import Id, caller, errors, public_errors
from tongban.interaction.disclosure_table import COLUMNS, ROWS
from tongban.portal import annual_report
from tongban.portal import disclosure_selectors as sel
from tongban.portal.forms_disclosure import text_to_html

router = Router(tags=["门户网站：信息公开年报"])
public_router = Router(tags=["门户网站：信息公开年报（公开）"])


class DisclosureColumnOut(Schema):
    key: str = Field(description="申请人类型（列）")
    label: str


class RowOut(Schema):
    key: str = Field(
        description="行：new 本年新收, carried_over 上年结转, 办理结果 outcome[.reason], handled_total, carried_forward"
    )
    label: str
    level: int = Field(description="0 一级行, 1 办理结果, 2 具体情形")
    values: dict[str, int] = Field(description="各列数量")


class CheckOut(Schema):
    key: str
    left: int = Field(description="本年新收 + 上年结转")
    right: int = Field(description="办理结果总计 + 结转下年度")
    ok: bool


class TableOut(Schema):
    year: int
    organ_id: int | None = Field(description="报告机关；空为全县汇总")
    columns: list[DisclosureColumnOut]
    rows: list[RowOut]
    checks: list[CheckOut]
    balanced: bool
    due_on: date = Field(description="公布期限：部门 1 月 31 日，县 3 月 31 日")
    report_id: int | None = Field(description="已有年报页面")


class TableQuery(Schema):
    year: int = Field(description="年度")
    organ: int | None = Field(None, description="报告机关 id；不填为全县汇总")


class DisclosureDraftIn(Schema):
    year: int = Field(description="年度")
    organ: int | None = Field(None, description="报告机关 id；不填为全县汇总")
    carried_over: dict[str, int] | None = Field(
        None, description="手工上年结转（各申请人类型），不填按记录统计"
    )
    proactive: dict[str, dict[str, Any]] = Field(default_factory=dict, description="二、主动公开")
    reviews: dict[str, dict[str, int]] = Field(default_factory=dict, description="四、复议诉讼")
    overview: str = Field(description="一、总体情况（纯文本）")
    problems: str = ""
    other: str = ""


class DisclosureDraftOut(Schema):
    id: int
    title: str
    live: bool
    balanced: bool
    requests_table: dict[str, dict[str, int]]


class DisclosureReportOut(Schema):
    id: int
    title: str
    year: int
    organ: str | None
    url: str
    publish_date: datetime | None
    overview: str = Field(description="一、总体情况（HTML）")
    proactive: dict[str, dict[str, Any]]
    requests_table: dict[str, dict[str, int]]
    reviews: dict[str, dict[str, int]]
    problems: str
    other: str


def _table_out(table: dict[str, dict[str, int]], year: int, organ: Any, report: Any) -> dict[str, Any]:
    checks = annual_report.column_checks(table)
    return {
        "year": year,
        "organ_id": organ.pk if organ else None,
        "columns": [{"key": k, "label": str(label)} for k, label in COLUMNS],
        "rows": [
            {"key": k, "label": str(label), "level": level, "values": table[k]} for k, label, level in ROWS
        ],
        "checks": [{"key": c["key"], "left": c["left"], "right": c["right"], "ok": c["ok"]} for c in checks],
        "balanced": all(c["ok"] for c in checks),
        "due_on": annual_report.due_date(year, organ),
        "report_id": report.pk if report is not None else None,
    }


@router.get(
    "/annual-reports/table",
    response={200: TableOut, **errors(400, 403, 404)},
    summary="年报申请情况表（按申请记录统计）",
)
def annual_report_table(request: HttpRequest, q: Query[TableQuery]) -> Any:
    """三、收到和处理政府信息公开申请情况 of a year, computed from the request records (with the
    report's hand-set carried-over row when there is a report), and the balance check per column."""
    scope, organ = sel.access_scope(caller(request), q.organ)
    report = annual_report.find_report(scope.county, q.year, organ)
    override = None
    if report is not None:
        override = report.get_latest_revision_as_object().carried_over or None
    table = annual_report.build_table(scope.county, q.year, organ, override)
    return _table_out(table, q.year, organ, report)


@router.post(
    "/annual-reports/draft",
    response={200: DisclosureDraftOut, **errors(400, 403, 404)},
    summary="生成年报草稿",
)
def annual_report_draft(request: HttpRequest, body: DisclosureDraftIn) -> Any:
    """生成年报草稿: create or update the report as a draft for editors to publish; refused (400,
    ``portal.annual_report_unbalanced``) when the table does not balance."""
    user = caller(request)
    scope, organ = sel.access_scope(user, body.organ)
    page = annual_report.save_draft(
        user, scope.county, body.year, organ,
        carried_over=body.carried_over, proactive=body.proactive, reviews=body.reviews,
        overview=text_to_html(body.overview), problems=text_to_html(body.problems),
        other=text_to_html(body.other), request=request,
    )  # fmt: skip
    return {
        "id": page.pk,
        "title": page.title,
        "live": page.live,
        "balanced": True,
        "requests_table": page.requests_table,
    }


@public_router.get(
    "/annual-reports/{report_id}",
    response={200: DisclosureReportOut, **public_errors(404)},
    auth=None,
    summary="已公开的政府信息公开工作年度报告",
)
def public_annual_report(request: HttpRequest, report_id: Id) -> Any:
    """A published annual report with its four tables."""
    page = sel.public_report(report_id)
    return {
        "id": page.pk,
        "title": page.title,
        "year": page.year,
        "organ": page.organ.name if page.organ else None,
        "url": page.get_url(request) or "",
        "publish_date": page.publish_date,
        "overview": page.overview,
        "proactive": annual_report.normalise_proactive(page.proactive),
        "requests_table": page.requests_table,
        "reviews": annual_report.normalise_reviews(page.reviews),
        "problems": page.problems,
        "other": page.other,
    }
