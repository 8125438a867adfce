"""The portal's site search: Chinese full text over the live, public pages of a county's site.

Design
------
- The index is the platform's :class:`~tongban.search.models.SearchEntry` (text segmented with
  rjieba, FTS5 on SQLite / a generated ``tsvector`` with a GIN index on PostgreSQL). A portal
  page is one entry of kind ``"portal.page"``: ``object_id`` = the page id, ``county`` = the
  site's county, ``unit_id`` = the page's unit or its column's unit, ``doc_type`` = a short code
  of the page type (:data:`PAGE_TYPES`; the column is 16 characters), ``date`` = the publish
  date, ``number`` = the 文号 of a policy document. The kind is not registered in the staff
  search's registry, so staff search never shows these entries (they are public anyway).
- Only live pages outside any private section (Wagtail view restrictions) are indexed; the index
  follows publishing through Wagtail's ``page_published`` / ``page_unpublished`` /
  ``post_page_move`` signals, ``post_delete`` of pages and saves/deletes of view restrictions
  (wired in :mod:`tongban.portal.setup_search`). ``reindex_site(home)`` rebuilds a site in bulk
  (the demo seeder and ``manage.py reindex_portal``).
- ``search_site(home, q, …)`` is a county-scoped full-text match (no staff visibility rules:
  everything indexed is public), newest first, 10 a page, with optional column (the page is
  below that channel/column) and date range filters. An empty query, one longer than 100
  characters, one of punctuation only or of stop words only is answered with a ``problem``
  code (the page shows tips instead of results), never an error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction

from tongban.portal.models import (
    AnnualReportPage,
    ArticlePage,
    ChannelPage,
    ColumnKind,
    ColumnPage,
    DepartmentPage,
    DisclosureGuidePage,
    HomePage,
    InvestmentProjectPage,
    LeaderProfilePage,
    PageAttachment,
    PolicyDocumentPage,
    ProcurementNoticePage,
    TopicPage,
)
from tongban.search import selectors as search_selectors
from tongban.search import services as search_services
from tongban.search import text as textmod
from tongban.search.models import SearchEntry

KIND = "portal.page"
PER_PAGE = 10
MAX_PAGE = 50
MAX_QUERY_CHARS = textmod.MAX_QUERY_CHARS  # 100


@dataclass(frozen=True)
class PageType:
    code: str  # SearchEntry.doc_type (≤ 16 characters)
    label: Any
    text_fields: tuple[str, ...]  # searchable text (rich text is stripped of tags)
    number_field: str = ""


# Which pages are searchable, and with which fields. Navigation pages (home, channels, columns,
# the catalogue, which is computed) are not: they have no text of their own.
PAGE_TYPES: dict[type[Page], PageType] = {
    ArticlePage: PageType("article", _("文章"), ("subtitle", "summary", "body", "author", "source")),
    PolicyDocumentPage: PageType(
        "policy",
        _("政策文件"),
        ("issuing_organ", "index_number", "body", "source"),
        number_field="doc_number",
    ),
    LeaderProfilePage: PageType("leader", _("领导简介"), ("name", "position", "duties", "resume")),
    DepartmentPage: PageType(
        "department", _("部门介绍"), ("duties", "leaders", "address", "office_hours", "phone")
    ),
    ProcurementNoticePage: PageType(
        "procurement", _("采购公告"), ("project_number", "purchaser", "agency", "method", "body")
    ),
    InvestmentProjectPage: PageType(
        "investment", _("招商项目"), ("industry", "location", "cooperation", "contact", "body")
    ),
    AnnualReportPage: PageType("annual_report", _("年度报告"), ("overview", "problems", "other")),
    TopicPage: PageType("topic", _("专题"), ("intro",)),
    DisclosureGuidePage: PageType("guide", _("公开指南"), ("body",)),
}
TYPE_LABELS: dict[str, Any] = {t.code: t.label for t in PAGE_TYPES.values()}

# Words that carry no meaning alone: a query made only of them is "junk" (a helpful page), and
# they are dropped from a query that has other words.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "为",
        "对",
        "把",
        "被",
        "就",
        "也",
        "都",
        "而",
        "之",
        "等",
        "啊",
        "吗",
        "呢",
        "吧",
        "哦",
        "嗯",
        "呀",
        "着",
        "过",
        "个",
        "这",
        "那",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "有",
        "没有",
        "一个",
        "什么",
        "哪里",
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "is",
        "are",
    ]
)


# --- indexing ----------------------------------------------------------------------------------
def _local_date(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _page_type(page: Page) -> PageType | None:
    for model in type(page).__mro__:
        if model in PAGE_TYPES:
            return PAGE_TYPES[model]
    return None


def _column_units(home: Page) -> dict[str, int]:
    """path → unit id of the site's columns that have an owning unit."""
    return {
        path: unit_id
        for path, unit_id in ColumnPage.objects.descendant_of(home)
        .exclude(unit_id=None)
        .values_list("path", "unit_id")
    }


def _unit_from_columns(path: str, columns: dict[str, int]) -> int | None:
    """The unit of the nearest column above ``path`` (treebeard paths: 4 characters a level)."""
    p = path[:-4]
    while p:
        if p in columns:
            return columns[p]
        p = p[:-4]
    return None


def _fields(page: Page, ptype: PageType, columns: dict[str, int], attachments: list[str]) -> dict[str, Any]:
    texts = [str(getattr(page, name, "") or "") for name in ptype.text_fields]
    unit_id = getattr(page, "unit_id", None) or getattr(page, "department_id", None)
    if not unit_id:
        unit_id = _unit_from_columns(page.path, columns)
    date = _local_date(getattr(page, "publish_date", None) or page.first_published_at)
    fields = search_services.entry_fields(
        title=page.title,
        number=str(getattr(page, ptype.number_field, "") or "") if ptype.number_field else "",
        body="\n".join(textmod.plain_text(t) for t in texts if t),
        attachments_text=" ".join(attachments),
        doc_type=ptype.code,
        date=date,
    )
    # a page title is plain text, not HTML: kept as typed (shown escaped), never stripped of "tags"
    fields["title"] = page.title[:300]
    return {"unit_id": unit_id, **fields}


def _attachment_titles(page_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = PageAttachment.objects.filter(page_id__in=list(page_ids)).values_list(
        "page_id", "title", "document__title"
    )
    for page_id, title, doc_title in rows:
        out.setdefault(page_id, []).append(title or doc_title or "")
    return out


def _is_searchable(page: Page) -> bool:
    return bool(page.live) and not page.get_view_restrictions().exists()


@transaction.atomic
def index_page(page: Page) -> None:
    """Upsert the entry of ``page`` (any Page; the specific page is loaded when needed); a page
    that is not live, is in a private section, is not of a searchable type or not on a county's
    site is removed from the index instead."""
    specific = page.specific if type(page) is Page else page
    ptype = _page_type(specific)
    home = None
    if ptype is not None and _is_searchable(specific):
        home = HomePage.objects.filter(path=specific.path[: HomePage.steplen * 2]).first()
        if home is None:
            home = specific.get_ancestors().type(HomePage).specific().first()
    if ptype is None or home is None:
        unindex_page(page.pk)
        return
    fields = _fields(specific, ptype, _column_units(home), _attachment_titles([page.pk]).get(page.pk, []))
    SearchEntry.objects.update_or_create(
        kind=KIND, object_id=page.pk, defaults={"county_id": home.county_id, **fields}
    )


def unindex_page(page_id: int) -> None:
    SearchEntry.objects.filter(kind=KIND, object_id=page_id).delete()


def unindex_unsearchable_below(page: Page) -> int:
    """Drop the entries of ``page`` and of every page below it that is no longer live or is in a
    private section (after an unpublish or a new view restriction)."""
    below = Page.objects.filter(path__startswith=page.path)
    keep = below.live().public().values("id")
    stale = SearchEntry.objects.filter(kind=KIND, object_id__in=below.values("id")).exclude(
        object_id__in=keep
    )
    deleted, _by_model = stale.delete()
    return deleted


def reindex_below(page: Page) -> int:
    """Index again every searchable live public page below ``page`` (inclusive), e.g. after a move
    or after a column's owning unit changed; drop the rest. Returns the count indexed."""
    home = HomePage.objects.filter(path=page.path[: HomePage.steplen * 2]).first()
    if home is None:
        return 0
    unindex_unsearchable_below(page)
    return _bulk_index(home, page.path, replace=False)


@transaction.atomic
def reindex_site(home: HomePage) -> int:
    """Rebuild the index of ``home``'s site in bulk: every searchable live page outside private
    sections; entries of pages no longer there are dropped. Returns the number indexed."""
    SearchEntry.objects.filter(kind=KIND, county_id=home.county_id).delete()
    return _bulk_index(home, home.path, replace=True)


def _bulk_index(home: HomePage, prefix: str, *, replace: bool) -> int:
    columns = _column_units(home)
    entries: list[SearchEntry] = []
    for model, ptype in PAGE_TYPES.items():
        pages = list(model.objects.live().public().filter(path__startswith=prefix).order_by("path"))
        if not pages:
            continue
        attachments = _attachment_titles(p.pk for p in pages) if hasattr(model, "attachments") else {}
        for p in pages:
            entries.append(
                SearchEntry(
                    kind=KIND,
                    object_id=p.pk,
                    county_id=home.county_id,
                    **_fields(p, ptype, columns, attachments.get(p.pk, [])),
                )
            )
    if not replace:
        SearchEntry.objects.filter(kind=KIND, object_id__in=[e.object_id for e in entries]).delete()
    SearchEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


# --- searching ---------------------------------------------------------------------------------
@dataclass
class SiteHit:
    page_id: int
    url: str
    title: SafeString  # escaped, terms in <mark>
    title_text: str
    snippet: SafeString  # escaped, terms in <mark>
    date: dt.date | None
    number: str
    doc_type: str
    type_label: str
    column_title: str
    column_url: str


@dataclass
class SiteResults:
    q: str
    terms: list[str]
    problem: str = ""  # "" | "empty" | "too_long" | "junk" | "stop_words"
    hits: list[SiteHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    column_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def previous_page(self) -> int:
        return self.page - 1


def parse_date(value: Any) -> dt.date | None:
    """A date from a ``YYYY-MM-DD`` parameter (or a date); anything else is ignored (None)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def parse_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def query_problem(q: str) -> tuple[str, list[str]]:
    """("", terms) for a usable query; else the problem code and no terms."""
    raw = (q or "").strip()
    if not raw:
        return "empty", []
    if len(raw) > MAX_QUERY_CHARS:
        return "too_long", []
    terms = textmod.query_terms(raw)
    if not terms:
        return "junk", []
    meaningful = [t for t in terms if t not in STOP_WORDS]
    if not meaningful:
        return "stop_words", []
    return "", meaningful


def _column_scope(home: Page, column_id: int | None) -> Page | None:
    if column_id is None:
        return None
    return Page.objects.descendant_of(home).filter(pk=column_id).type(ChannelPage, ColumnPage).first()


def search_site(
    home: HomePage,
    q: str,
    *,
    column_id: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    page: int | str = 1,
    request: HttpRequest | None = None,
) -> SiteResults:
    """One page of the site's pages matching every word of ``q`` (rjieba segmented; stop words
    dropped), newest first, optionally only below the channel/column ``column_id`` and published
    between ``start`` and ``end`` (inclusive). Titles and snippets are escaped with the matched
    words in ``<mark>``. A query that cannot be searched sets ``problem`` and returns no hits."""
    raw = (q or "").strip()
    start_d, end_d = parse_date(start), parse_date(end)
    if start_d and end_d and start_d > end_d:
        start_d, end_d = end_d, start_d
    number = max(1, min(MAX_PAGE, parse_int(page) or 1))
    problem, terms = query_problem(raw)
    result = SiteResults(
        q=raw[:MAX_QUERY_CHARS], terms=terms, problem=problem, page=number, start=start_d, end=end_d
    )
    if problem:
        return result
    qs = SearchEntry.objects.filter(county_id=home.county_id, kind=KIND)
    scope = _column_scope(home, column_id)
    if scope is not None:
        result.column_id = scope.pk
        qs = qs.filter(
            object_id__in=Page.objects.filter(path__startswith=scope.path, depth__gt=scope.depth).values("id")
        )
    if start_d:
        qs = qs.filter(date__gte=start_d)
    if end_d:
        qs = qs.filter(date__lte=end_d)
    matched = search_selectors.matching(qs, terms)
    result.total = matched.count()
    if result.total == 0:
        return result
    offset = (number - 1) * PER_PAGE
    rows = list(
        matched.order_by("-date", "-id").values("object_id", "title", "number", "body", "doc_type", "date")[
            offset : offset + PER_PAGE
        ]
    )
    pages = {p.pk: p for p in Page.objects.filter(pk__in=[r["object_id"] for r in rows])}
    parents = {p.path: p for p in Page.objects.filter(path__in={p.path[:-4] for p in pages.values()})}
    for r in rows:
        p = pages.get(r["object_id"])
        if p is None:  # deleted since it was indexed
            continue
        parent = parents.get(p.path[:-4])
        result.hits.append(
            SiteHit(
                page_id=p.pk,
                url=p.get_url(request) or "",
                title=textmod.highlight(r["title"], terms),
                title_text=r["title"],
                snippet=textmod.snippet([r["body"]], terms),
                date=r["date"],
                number=r["number"],
                doc_type=r["doc_type"],
                type_label=str(TYPE_LABELS.get(r["doc_type"], "")),
                column_title=parent.title if parent is not None else "",
                column_url=(parent.get_url(request) or "") if parent is not None else "",
            )
        )
    return result


@dataclass(frozen=True)
class ColumnChoice:
    id: int
    title: str
    depth: int  # 0 = channel, 1 = column, 2 = sub-column
    url: str = ""


def column_choices(home: HomePage) -> list[ColumnChoice]:
    """The site's channels and columns (link columns left out) in tree order, for the filter."""
    rows: list[tuple[str, int, str, int]] = list(
        ChannelPage.objects.child_of(home).live().values_list("path", "id", "title", "depth")
    )
    rows += list(
        ColumnPage.objects.descendant_of(home)
        .live()
        .filter(link_url="")
        .exclude(kind=ColumnKind.LINK)
        .values_list("path", "id", "title", "depth")
    )
    rows.sort()
    return [ColumnChoice(id=pk, title=title, depth=depth - home.depth - 1) for _p, pk, title, depth in rows]


def popular_columns(
    home: HomePage, request: HttpRequest | None = None, *, limit: int = 8
) -> list[ColumnChoice]:
    """Columns to suggest when a query cannot be searched: the flagship columns, then the first
    columns of each channel."""
    cols = list(
        ColumnPage.objects.descendant_of(home)
        .live()
        .filter(depth=home.depth + 2)
        .order_by("-is_flagship", "path")
        .only("id", "title", "depth", "url_path", "path", "link_url")[:limit]
    )
    return [ColumnChoice(id=c.pk, title=c.title, depth=1, url=c.get_url(request) or "") for c in cols]


def restriction_changed(restriction: PageViewRestriction) -> None:
    """A view restriction was added, changed or removed: index the section again."""
    page = Page.objects.filter(pk=restriction.page_id).first()
    if page is not None:
        reindex_below(page)
