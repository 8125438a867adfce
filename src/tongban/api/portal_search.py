"""REST endpoints of the portal's site search, website health check and error reports (找错).

Public (``public_router``, under /api/v1/public/portal/): ``GET search`` (anonymous),
``GET error-reports/challenge`` and ``POST error-reports`` (anonymous, challenge + rate limit).
Staff (``router``, under /api/v1/portal/): ``GET health`` (portal administrators: everything;
a unit's editors and reviewers: their columns), ``GET error-reports``,
``POST error-reports/{id}/handle`` (portal administrators)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tongban.portal import search
from tongban.portal.views_search import home_for

router = Router(tags=["portal"])
public_router = Router(tags=["portal (public)"])


# --- search ------------------------------------------------------------------------------------
class SearchParams(Schema):
    q: str = ""
    column: int | None = None
    start: str = ""
    end: str = ""
    page: int = 1


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
    response=SiteSearchOut,
    summary="站内搜索",
    description=(
        "门户网站全文检索（中文分词）：标题、正文、文号。可按栏目（column=频道或栏目页面 id，含下级栏目）"
        "和发布日期（start、end，YYYY-MM-DD）筛选，按发布日期倒序，每页 10 条。"
        "空白、只有标点、只有常用虚词或超过 100 字的搜索词不报错，返回 problem 说明原因。"
    ),
)
def site_search(request: HttpRequest, params: Query[SearchParams]) -> SiteSearchOut:
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
