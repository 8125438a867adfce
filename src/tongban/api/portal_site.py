"""Portal endpoints (site): ``router`` under /api/v1/portal/, ``public_router`` under
/api/v1/public/portal/.

The public page read API (anonymous): a live page of the portal by id, and a column's pages
newest first (20 a page) — the same pages a visitor sees; unpublished pages and pages in a
private section (Wagtail view restrictions) answer 404. Thin: :mod:`tongban.portal.page_selectors`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from wagtail.models import Page

from tongban.api.common import Id, PageNo, public_errors
from tongban.portal import page_selectors as sel

router = Router(tags=["portal"])
public_router = Router(tags=["portal (public)"])

# Fields of each page model the API gives besides the common ones (type-specific, plain values).
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "ArticlePage": ("subtitle", "author", "summary", "is_headline", "is_notice"),
    "PolicyDocumentPage": (
        "doc_number",
        "issuing_organ",
        "index_number",
        "issued_on",
        "effective_on",
        "expires_on",
        "validity",
        "interpretation_id",
    ),
    "LeaderProfilePage": ("name", "position", "duties", "sort"),
    "DepartmentPage": ("department_id", "leaders", "address", "office_hours", "phone", "postcode"),
    "ProcurementNoticePage": (
        "notice_type",
        "project_number",
        "purchaser",
        "agency",
        "method",
        "budget",
        "deadline",
    ),
    "InvestmentProjectPage": ("industry", "location", "total_investment", "cooperation", "contact"),
    "ColumnPage": ("description", "keywords", "column_type", "kind", "link_url", "disclosure_category"),
    "ChannelPage": ("description", "keywords", "column_type"),
    "TopicPage": ("intro",),
    "AnnualReportPage": ("year", "organ_id"),
}
BODY_FIELDS = ("body", "duties", "resume", "overview")


class SiteAttachmentOut(Schema):
    title: str
    url: str
    extension: str
    size: int | None = None


class PageOut(Schema):
    id: int
    title: str
    type: str
    type_label: str
    url: str
    parent_id: int | None = None
    publish_date: datetime | None = None
    source: str = ""
    disclosure_category: str = ""
    body: str = ""
    attachments: list[SiteAttachmentOut] = []
    fields: dict[str, Any] = {}


class PageSummaryOut(Schema):
    id: int
    title: str
    type: str
    url: str
    publish_date: datetime | None = None


class PageListOut(Schema):
    column_id: int
    count: int
    page: int
    pages: int
    items: list[PageSummaryOut]


class PageQuery(Schema):
    page: PageNo = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _summary(request: HttpRequest, page: Page) -> dict[str, Any]:
    return {
        "id": page.pk,
        "title": page.title,
        "type": type(page).__name__,
        "url": page.get_url(request) or "",
        "publish_date": sel.publish_time(page),
    }


@public_router.get(
    "/pages/{page_id}",
    auth=None,
    response={200: PageOut, **public_errors(404)},
    url_name="portal_public_page",
    summary="读取一个已发布的网站页面（标题、类型、地址、发布时间、来源、正文、附件及各类型字段）",
)
def page_detail(request: HttpRequest, page_id: Id) -> dict[str, Any]:
    page = sel.get_public_page(page_id)
    name = type(page).__name__
    body = ""
    for attr in BODY_FIELDS:
        value = getattr(page, attr, None)
        if value:
            body = str(value)
            break
    parent = page.get_parent()
    return {
        **_summary(request, page),
        "type_label": sel.page_kind_label(page),
        "parent_id": parent.pk if parent is not None and parent.depth > 1 else None,
        "source": getattr(page, "source", "") or "",
        "disclosure_category": getattr(page, "disclosure_category", "") or "",
        "body": body,
        "attachments": [a.__dict__ for a in sel.attachments(page)],
        "fields": {f: _plain(getattr(page, f, None)) for f in EXTRA_FIELDS.get(name, ())},
    }


@public_router.get(
    "/columns/{column_id}/pages",
    auth=None,
    response={200: PageListOut, **public_errors(404)},
    url_name="portal_public_column_pages",
    summary="栏目下已发布的页面，按发布时间倒序，每页 20 条（县领导按排序，部门导航按部门）",
)
def column_pages(request: HttpRequest, column_id: Id, q: Query[PageQuery]) -> dict[str, Any]:
    column = sel.get_public_column(column_id)
    listing = sel.column_listing(column, q.page)
    if listing.page is not None:
        count, number, pages = (
            listing.page.paginator.count,
            listing.page.number,
            listing.page.paginator.num_pages,
        )
    else:
        count, number, pages = len(listing.items), 1, 1
    return {
        "column_id": column.pk,
        "count": count,
        "page": number,
        "pages": pages,
        "items": [_summary(request, p) for p in listing.items],
    }
