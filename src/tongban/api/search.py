"""REST endpoints of the search domain: full-text search over what the caller may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tongban.api.common import OptionalYear, PageNo, errors
from tongban.search import selectors

router = Router(tags=["search"])


def _user(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or request.user


class SearchHitOut(Schema):
    kind: str
    kind_label: str
    object_id: int
    url: str
    title: str
    title_html: str  # escaped, matched words in <mark>
    number: str
    snippet_html: str  # escaped, matched words in <mark>
    date: dt.date | None
    year: int | None
    doc_type: str
    unit_id: int | None
    unit: str


class SearchOut(Schema):
    q: str
    terms: list[str]
    total: int
    capped: bool  # only the newest matches were examined: there are more than ``total``
    page: int
    pages: int
    items: list[SearchHitOut]


class SearchParams(Schema):
    q: str = ""
    kind: str = ""
    year: OptionalYear = None
    unit_id: int | None = None
    page: PageNo = 1


@router.get(
    "/",
    response={200: SearchOut, **errors(403)},
    summary="全文检索",
    description="按标题、文号、正文和附件文本检索（中文分词），只返回调用者有权查看的条目，按日期倒序，每页 20 条。",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    user = _user(request)
    selectors.access_search(user)
    res = selectors.search(
        user=user, q=params.q, kind=params.kind, year=params.year, unit_id=params.unit_id, page=params.page
    )
    return SearchOut(
        q=res.q,
        terms=res.terms,
        total=res.total,
        capped=res.capped,
        page=res.page,
        pages=res.num_pages,
        items=[
            SearchHitOut(
                kind=h.kind,
                kind_label=h.kind_label,
                object_id=h.object_id,
                url=h.url,
                title=h.title_text,
                title_html=str(h.title),
                number=h.number,
                snippet_html=str(h.snippet),
                date=h.date,
                year=h.year,
                doc_type=h.doc_type,
                unit_id=h.unit_id,
                unit=h.unit_name,
            )
            for h in res.hits
        ],
    )
