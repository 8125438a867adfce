"""REST endpoints of the portal's site search, website health check and error reports (找错).

Public (``public_router``, under /api/v1/public/portal/): ``GET search`` (anonymous),
``GET error-reports/challenge`` and ``POST error-reports`` (anonymous, challenge + rate limit).
Staff (``router``, under /api/v1/portal/): ``GET health`` (portal administrators: everything;
a unit's editors and reviewers: their columns), ``GET error-reports``,
``POST error-reports/{id}/handle`` (portal administrators)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from tongban.api.common import Id, Offset, PageNo, caller, errors, public_errors
from tongban.interaction import antispam
from tongban.portal import errors as error_reports
from tongban.portal import health, search
from tongban.portal.models import ErrorReport
from tongban.portal.views_search import home_for

router = Router(tags=["portal"])
public_router = Router(tags=["portal (public)"])


# --- search ------------------------------------------------------------------------------------
class PortalSearchParams(Schema):
    q: str = ""
    column: int | None = None
    start: str = ""
    end: str = ""
    page: PageNo = 1


class SiteHitOut(Schema):
    page_id: int
    url: str
    title: str
    title_html: str  # escaped, matched words in <mark>
    snippet_html: str  # escaped, matched words in <mark>
    date: dt.date | None
    number: str
    doc_type: str
    type_label: str
    column: str
    column_url: str


class SiteSearchOut(Schema):
    q: str
    terms: list[str]
    problem: str  # "" | empty | too_long | junk | stop_words
    total: int
    page: int
    pages: int
    items: list[SiteHitOut]


@public_router.get(
    "/search",
    auth=None,
    response={200: SiteSearchOut, **public_errors(404)},
    summary="站内搜索",
    description=(
        "门户网站全文检索（中文分词）：标题、正文、文号。可按栏目（column=频道或栏目页面 id，含下级栏目）"
        "和发布日期（start、end，YYYY-MM-DD）筛选，按发布日期倒序，每页 10 条。"
        "空白、只有标点、只有常用虚词或超过 100 字的搜索词不报错，返回 problem 说明原因。"
    ),
)
def site_search(request: HttpRequest, params: Query[PortalSearchParams]) -> SiteSearchOut:
    res = search.search_site(
        home_for(request),
        params.q,
        column_id=params.column,
        start=params.start,
        end=params.end,
        page=params.page,
        request=request,
    )
    return SiteSearchOut(
        q=res.q,
        terms=res.terms,
        problem=res.problem,
        total=res.total,
        page=res.page,
        pages=res.num_pages,
        items=[
            SiteHitOut(
                page_id=h.page_id,
                url=h.url,
                title=h.title_text,
                title_html=str(h.title),
                snippet_html=str(h.snippet),
                date=h.date,
                number=h.number,
                doc_type=h.doc_type,
                type_label=h.type_label,
                column=h.column_title,
                column_url=h.column_url,
            )
            for h in res.hits
        ],
    )


# --- health ------------------------------------------------------------------------------------
class FindingOut(Schema):
    rule: str
    rule_label: str
    severity: str  # fail | warn
    message: str
    column_id: int | None
    column_title: str
    page_id: int | None
    page_title: str
    unit_id: int | None
    unit_name: str
    due_on: dt.date | None
    link: str
    letter_code: str
    edit_url: str


class RuleOut(Schema):
    code: str
    label: str
    basis: str
    status: str  # pass | warn | fail
    count: int


class HealthOut(Schema):
    today: dt.date
    newest: dt.date | None
    passed: bool
    admin: bool  # False: only the findings of the caller's units' columns
    rules: list[RuleOut]
    findings: list[FindingOut]


@router.get(
    "/health",
    response={200: HealthOut, **errors(403)},
    summary="网站健康检查",
    description=(
        "按国办秘函〔2019〕19号检查指标列出网站的问题：首页和栏目更新、空白栏目、超过3个月未答复的来信、"
        "错误链接、无发布日期的页面。网站管理员看全部；单位的网站编辑、审核只看本单位栏目的问题。"
    ),
)
def site_health(request: HttpRequest) -> HealthOut:
    scope, rep = health.report_for(caller(request))
    return HealthOut(
        today=rep.today,
        newest=rep.newest,
        passed=rep.passed,
        admin=scope.is_admin,
        rules=[
            RuleOut(
                code=s.rule.code,
                label=str(s.rule.label),
                basis=str(s.rule.basis),
                status=s.status,
                count=s.count,
            )
            for s in rep.summary()
        ],
        findings=[
            FindingOut(
                rule=f.rule,
                rule_label=f.rule_label,
                severity=f.severity,
                message=f.message,
                column_id=f.column_id,
                column_title=f.column_title,
                page_id=f.page_id,
                page_title=f.page_title,
                unit_id=f.unit_id,
                unit_name=f.unit_name,
                due_on=f.due_on,
                link=f.link,
                letter_code=f.letter_code,
                edit_url=f.edit_url,
            )
            for f in rep.findings
        ],
    )


# --- error reports (找错) ------------------------------------------------------------------------
class ChallengeOut(Schema):
    question: str
    token: str


class ErrorReportIn(Schema):
    page_url: str
    kind: str  # typo | link | outdated | unreachable | other
    description: str
    contact: str = ""
    challenge_token: str
    challenge: str


class ErrorReportCreatedOut(Schema):
    id: int
    detail: str


class ErrorReportOut(Schema):
    id: int
    page_url: str
    kind: str
    kind_label: str
    description: str
    contact: str
    status: str
    reply: str
    created_at: dt.datetime
    handled_at: dt.datetime | None
    handled_by: str

    @staticmethod
    def resolve_kind_label(obj: ErrorReport) -> str:
        return error_reports.kind_label(obj.kind)

    @staticmethod
    def resolve_handled_by(obj: ErrorReport) -> str:
        return (obj.handled_by.full_name or obj.handled_by.username) if obj.handled_by else ""


class HandleIn(Schema):
    status: str  # fixed | rejected
    reply: str


class ErrorListParams(Schema):
    status: str = ""
    offset: Offset = 0
    limit: int = 20


class ErrorListOut(Schema):
    total: int
    items: list[ErrorReportOut]


@public_router.get(
    "/error-reports/challenge",
    auth=None,
    response=ChallengeOut,
    summary="纠错验证题",
    description="取一道验证题（小学加法）；提交纠错时带回 token 和答案。30 分钟内有效，只能用一次。",
)
def error_challenge(request: HttpRequest) -> ChallengeOut:
    c = antispam.new_challenge()
    return ChallengeOut(question=c.question, token=c.token)


@public_router.post(
    "/error-reports",
    auth=None,
    response={201: ErrorReportCreatedOut, **public_errors(400)},
    summary="提交网站纠错",
    description="匿名提交：页面地址、错误类型（typo 错别字、link 链接错误、outdated 内容过时、unreachable 无法访问、other 其他）、"
    "问题描述（≤1000字）、联系方式（选填）和验证题答案。同一地址每小时最多 5 条。",
)
def error_report(request: HttpRequest, data: ErrorReportIn) -> tuple[int, ErrorReportCreatedOut]:
    antispam.check_challenge(data.challenge_token, data.challenge)
    report = error_reports.report_error(
        county=home_for(request).county,
        page_url=data.page_url,
        kind=data.kind,
        description=data.description,
        contact=data.contact,
        request=request,
    )
    return 201, ErrorReportCreatedOut(id=report.pk, detail=str(_("感谢您的纠错，我们会尽快核实处理。")))


@router.get(
    "/error-reports",
    response={200: ErrorListOut, **errors(403)},
    summary="网站纠错列表",
    description="本县的网站纠错，最新的在前；status 可为 new、fixed、rejected。仅网站管理员。",
)
def error_list(request: HttpRequest, params: Query[ErrorListParams]) -> ErrorListOut:
    qs = error_reports.reports_for(caller(request), status=params.status)
    limit = max(1, min(100, params.limit))
    offset = max(0, params.offset)
    return ErrorListOut(total=qs.count(), items=list(qs[offset : offset + limit]))  # type: ignore[arg-type]


@router.post(
    "/error-reports/{report_id}/handle",
    response={200: ErrorReportOut, **errors(400, 403, 404)},
    summary="处理网站纠错",
    description="把一条待处理的纠错标为已更正（fixed）或不属实（rejected），并写处理说明。仅网站管理员；每条只处理一次。",
)
def error_handle(request: HttpRequest, report_id: Id, data: HandleIn) -> ErrorReport:
    return error_reports.handle_report(
        user=caller(request), pk=report_id, status=data.status, reply=data.reply, request=request
    )
