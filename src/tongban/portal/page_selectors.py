"""Reads of the public site's templates: the home page's blocks, a channel's columns with their
latest items, a column's paginated listing, an article's attachments / related pages / column
neighbours, breadcrumbs and the meta tags of rules.md §6.

Every list is a fixed number of queries whatever the number of items (the listings are checked with
``django_assert_max_num_queries``): content pages are loaded per concrete model with their images'
renditions prefetched, a channel's "latest items per column" is one windowed query per content
model, and the private sections (Wagtail view restrictions) are read once per cache generation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction

from tongban.core.errors import NotFound
from tongban.orgs.models import UnitKind
from tongban.portal import cache as page_cache
from tongban.portal.models import (
    AnnualReportPage,
    ArticlePage,
    ChannelPage,
    ColumnPage,
    DepartmentPage,
    DisclosureCataloguePage,
    HomePage,
    InvestmentProjectPage,
    LeaderProfilePage,
    PageAttachment,
    PolicyDocumentPage,
    ProcurementNoticePage,
    TopicPage,
)

PER_PAGE = 20
THUMB = "fill-480x300"
BANNER = "fill-1200x500"
PORTRAIT = "fill-240x320"

# Content models listed in columns (all have ``publish_date``) and what each listing loads with it.
CONTENT_MODELS: tuple[type[Page], ...] = (
    ArticlePage,
    PolicyDocumentPage,
    LeaderProfilePage,
    DepartmentPage,
    ProcurementNoticePage,
    InvestmentProjectPage,
    AnnualReportPage,
)
COLUMNISH = (ColumnPage, ChannelPage, TopicPage)


def _images(*filters: str) -> QuerySet[Any]:
    return get_image_model().objects.prefetch_renditions(*filters)


def _with_relations(model: type[Page], qs: QuerySet[Any]) -> QuerySet[Any]:
    """What a listing shows of a content page, loaded up front (no query per item)."""
    if model is ArticlePage or model is InvestmentProjectPage:
        return qs.prefetch_related(Prefetch("cover", queryset=_images(THUMB)))
    if model is LeaderProfilePage:
        return qs.prefetch_related(Prefetch("photo", queryset=_images(PORTRAIT)))
    if model is DepartmentPage:
        return qs.select_related("department")
    if model is AnnualReportPage:
        return qs.select_related("organ")
    return qs


# --- visibility ------------------------------------------------------------------------------


def private_paths() -> list[str]:
    """Tree paths of the private sections (Wagtail view restrictions), read once per generation."""
    value = page_cache.cached_value(
        "private-paths",
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
    )
    return list(value)  # type: ignore[call-overload]


def visible(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Live pages outside every private section."""
    qs = qs.filter(live=True)
    paths = private_paths()
    if paths:
        q = Q()
        for p in paths:
            q |= Q(path__startswith=p)
        qs = qs.exclude(q)
    return qs


def is_public(page: Page) -> bool:
    return page.live and not any(page.path.startswith(p) for p in private_paths())


def get_public_page(pk: int) -> Page:
    """A live portal page outside every private section (the page read API), else NotFound."""
    from tongban.portal.models import BasePortalPage

    row = visible(Page.objects.filter(pk=pk)).first()
    page = row.specific if row is not None else None
    if page is None or not isinstance(page, BasePortalPage):
        raise NotFound("portal.page_not_found", _("页面不存在或未发布。"))
    return page


def get_public_column(pk: int) -> ColumnPage:
    page = get_public_page(pk)
    if not isinstance(page, ColumnPage):
        raise NotFound("portal.column_not_found", _("栏目不存在或未发布。"))
    return page


# --- generic content loading -----------------------------------------------------------------


def _content_models_under(parent: Page, *, children_only: bool) -> list[type[Page]]:
    """The concrete content models found below ``parent`` (one query)."""
    base = Page.objects.child_of(parent) if children_only else Page.objects.descendant_of(parent)
    type_ids = set(visible(base).values_list("content_type_id", flat=True).distinct())
    found: list[type[Page]] = []
    for type_id in type_ids:
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model in CONTENT_MODELS:
            found.append(model)
    return sorted(found, key=CONTENT_MODELS.index)


def _scope(model: type[Page], parent: Page, *, children_only: bool) -> QuerySet[Any]:
    manager = model.objects
    return visible(manager.child_of(parent) if children_only else manager.descendant_of(parent))


def load_specific(rows: Sequence[tuple[int, int]]) -> list[Page]:
    """Specific pages for ``(id, content_type_id)`` rows, in the rows' order: one query per model."""
    by_model: dict[type[Page], list[int]] = defaultdict(list)
    for pk, type_id in rows:
        model = ContentType.objects.get_for_id(type_id).model_class()
        by_model[model].append(pk)  # type: ignore[index]
    loaded: dict[int, Page] = {}
    for model, ids in by_model.items():
        qs = _with_relations(model, model.objects.filter(pk__in=ids))
        loaded.update({p.pk: p for p in qs})
    return [loaded[pk] for pk, _t in rows if pk in loaded]


def latest_content(parent: Page, *, limit: int, children_only: bool = False) -> list[Page]:
    """The newest content pages below ``parent`` (by ``publish_date``), whatever their models."""
    models = _content_models_under(parent, children_only=children_only)
    if not models:
        return []
    if len(models) == 1:
        model = models[0]
        qs = _scope(model, parent, children_only=children_only).order_by(
            F("publish_date").desc(nulls_last=True), "-id"
        )
        return list(_with_relations(model, qs)[:limit])
    parts = [
        _scope(m, parent, children_only=children_only).values_list("id", "content_type_id", "publish_date")
        for m in models
    ]
    union = parts[0].union(*parts[1:], all=True).order_by("-publish_date", "-id")
    return load_specific([(r[0], r[1]) for r in union[:limit]])


# --- breadcrumbs and meta ----------------------------------------------------------------------


def breadcrumbs(page: Page) -> list[Page]:
    """The page's ancestors from the site's home page down (the page itself not included)."""
    return list(page.get_ancestors().filter(depth__gt=1))


def column_of(page: Page) -> Page | None:
    """The column (栏目) a page belongs to: itself for a channel/column/topic, else its nearest
    column-like ancestor."""
    if isinstance(page, COLUMNISH):
        return page
    if isinstance(page, HomePage):
        return None
    parent = page.get_parent()
    while parent is not None and parent.depth > 1:
        specific = parent.specific
        if isinstance(specific, COLUMNISH):
            return specific
        parent = parent.get_parent()
    return None


def publish_time(page: Page) -> datetime | None:
    value = getattr(page, "publish_date", None) or page.first_published_at or page.last_published_at
    return value if isinstance(value, datetime) else None


@dataclass(frozen=True)
class PageMeta:
    """The meta tags of 政府网站发展指引 (国办发〔2017〕47号) for one page besides the site's own."""

    column_name: str = ""
    column_description: str = ""
    column_keywords: str = ""
    column_type: str = ""
    article_title: str = ""
    pub_date: str = ""  # YYYY-MM-DD HH:MM, local time
    content_source: str = ""
    is_column: bool = False
    is_article: bool = False


def page_meta(page: Page, *, site_name: str = "") -> PageMeta:
    """ColumnName/ColumnDescription/ColumnKeywords/ColumnType on channel, column and content pages
    (a content page carries its column's); ArticleTitle/PubDate/ContentSource on content pages."""
    page = page.specific if type(page) is Page else page
    if isinstance(page, HomePage):
        return PageMeta()
    if isinstance(page, DisclosureCataloguePage):
        # 政府信息公开目录 is a column of its own (its list is computed, not its children).
        return PageMeta(
            column_name=page.title,
            column_description=page.intro[:200] or page.title,
            column_keywords=str(_("政府信息公开目录")),
            column_type="信息发布",
            is_column=True,
        )
    column = column_of(page)
    col: dict[str, Any] = {}
    if column is not None:
        if isinstance(column, TopicPage):
            description, keywords, ctype = column.intro[:200], column.title, "信息发布"
        else:
            description = getattr(column, "description", "") or column.title
            keywords = getattr(column, "keywords", "") or column.title
            ctype = getattr(column, "column_type", "") or "信息发布"
        col = {
            "column_name": column.title,
            "column_description": description,
            "column_keywords": keywords,
            "column_type": ctype,
        }
    if isinstance(page, COLUMNISH):
        return PageMeta(**col, is_column=True)
    when = publish_time(page)
    unit = getattr(page, "unit", None) or getattr(page, "department", None) or getattr(page, "organ", None)
    source = (
        getattr(page, "source", "")
        or getattr(page, "issuing_organ", "")
        or getattr(page, "purchaser", "")
        or (unit.name if unit is not None else "")
        or site_name
    )
    return PageMeta(
        **col,
        article_title=page.title,
        pub_date=timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "",
        content_source=source,
        is_article=True,
    )


# --- the home page -----------------------------------------------------------------------------


@dataclass
class HomeBlocks:
    headlines: list[ArticlePage]
    news: list[ArticlePage]
    departments: list[ArticlePage]
    townships: list[ArticlePage]
    notices: list[ArticlePage]
    policies: list[PolicyDocumentPage]
    topics: list[TopicPage]
    columns: dict[str, ColumnPage]
    channels: dict[str, ChannelPage]
    special: dict[str, Page] = field(default_factory=dict)


HOME_COLUMNS = ("yaowen", "bumen", "xiangzhen", "tongzhi", "zfwj", "xwwj", "zcjd", "xinxiang", "fangtan")


def _articles_in(column: ColumnPage | None, limit: int, **filters: Any) -> list[ArticlePage]:
    if column is None:
        return []
    qs = visible(ArticlePage.objects.descendant_of(column)).filter(**filters)
    return list(qs.order_by(F("publish_date").desc(nulls_last=True), "-id")[:limit])


def home_blocks(home: HomePage) -> HomeBlocks:
    """The home page's lists: headlines with images, 要闻, 部门动态, 乡镇动态, 通知公告, policy
    documents, topics and the columns/channels the flagship entries link to."""
    columns = {
        c.slug: c for c in visible(ColumnPage.objects.descendant_of(home)).filter(slug__in=HOME_COLUMNS)
    }
    channels = {c.slug: c for c in visible(ChannelPage.objects.child_of(home))}
    special = {
        p.slug: p
        for p in visible(Page.objects.descendant_of(home)).filter(
            Q(slug__in=("gkzn", "gkml", "ndbg")), depth__lte=home.depth + 2
        )
    }
    headlines = list(
        visible(ArticlePage.objects.descendant_of(home))
        .filter(is_headline=True, cover__isnull=False)
        .order_by(F("publish_date").desc(nulls_last=True), "-id")
        .prefetch_related(Prefetch("cover", queryset=_images(BANNER, THUMB)))[:5]
    )
    tongzhi = columns.get("tongzhi")
    notice_q = Q(is_notice=True)
    if tongzhi is not None:
        notice_q |= Q(path__startswith=tongzhi.path)
    notices = list(
        visible(ArticlePage.objects.descendant_of(home))
        .filter(notice_q)
        .order_by(F("publish_date").desc(nulls_last=True), "-id")[:8]
    )
    policies = list(
        visible(PolicyDocumentPage.objects.descendant_of(home)).order_by(
            F("publish_date").desc(nulls_last=True), "-id"
        )[:6]
    )
    topics = list(
        visible(TopicPage.objects.descendant_of(home))
        .order_by(F("publish_date").desc(nulls_last=True), "-id")
        .prefetch_related(Prefetch("banner", queryset=_images(THUMB)))[:4]
    )
    return HomeBlocks(
        headlines=headlines,
        news=_articles_in(columns.get("yaowen"), 8),
        departments=_articles_in(columns.get("bumen"), 8),
        townships=_articles_in(columns.get("xiangzhen"), 8),
        notices=notices,
        policies=policies,
        topics=topics,
        columns=columns,
        channels=channels,
        special=special,
    )


# --- channel and column pages ----------------------------------------------------------------


@dataclass
class ColumnBlock:
    column: ColumnPage
    items: list[Page]


def channel_blocks(channel: ChannelPage, *, per_column: int = 6) -> list[ColumnBlock]:
    """Each column of the channel with its newest items (a sub-column's items count for its
    parent): one query per content model, whatever the number of columns and items."""
    columns = list(visible(ColumnPage.objects.child_of(channel)).order_by("path"))
    if not columns:
        return []
    prefix_len = (channel.depth + 1) * Page.steplen
    found: dict[str, list[tuple[datetime | None, int, Page]]] = defaultdict(list)
    for model in _content_models_under(channel, children_only=False):
        qs = (
            _scope(model, channel, children_only=False)
            .annotate(
                column_path=Substr("path", 1, prefix_len),
                rank=Window(
                    RowNumber(),
                    partition_by=[Substr("path", 1, prefix_len)],
                    order_by=[F("publish_date").desc(nulls_last=True), F("id").desc()],
                ),
            )
            .filter(rank__lte=per_column)
        )
        for p in qs:
            found[p.column_path].append((p.publish_date, p.pk, p))
    blocks = []
    epoch = datetime(1970, 1, 1, tzinfo=timezone.get_current_timezone())
    for column in columns:
        rows = sorted(found.get(column.path, []), key=lambda r: (r[0] or epoch, r[1]), reverse=True)
        blocks.append(ColumnBlock(column=column, items=[r[2] for r in rows[:per_column]]))
    return blocks


@dataclass
class ColumnListing:
    column: ColumnPage
    layout: str  # list | pictures | policies | procurement | leaders | departments | projects | reports
    page: PaginatorPage | None
    items: list[Page]
    subcolumns: list[ColumnPage]
    groups: list[tuple[str, list[DepartmentPage]]] = field(default_factory=list)


_LAYOUTS = {
    PolicyDocumentPage: "policies",
    ProcurementNoticePage: "procurement",
    LeaderProfilePage: "leaders",
    DepartmentPage: "departments",
    InvestmentProjectPage: "projects",
    AnnualReportPage: "reports",
}


def _page_number(raw: object) -> int:
    try:
        return max(1, int(str(raw)))
    except (TypeError, ValueError):
        return 1


def column_listing(column: ColumnPage, page_number: object = 1) -> ColumnListing:
    """A column's content, newest ``publish_date`` first, 20 a page; with sub-columns the items of
    the whole branch. The 县领导 column lists leaders by their sort order, the 部门导航 column
    departments grouped by unit kind."""
    subcolumns = list(visible(ColumnPage.objects.child_of(column)).order_by("path"))
    children_only = not subcolumns
    models = _content_models_under(column, children_only=children_only)
    number = _page_number(page_number)
    items: list[Page]
    if models == [LeaderProfilePage]:
        items = list(
            _with_relations(
                LeaderProfilePage, _scope(LeaderProfilePage, column, children_only=children_only)
            ).order_by("sort", "path")[:200]
        )
        return ColumnListing(column, "leaders", None, items, subcolumns)
    if models == [DepartmentPage]:
        departments = list(
            _scope(DepartmentPage, column, children_only=children_only)
            .select_related("department")
            .order_by("department__sort", "department__id", "path")[:500]
        )
        by_kind: dict[str, list[DepartmentPage]] = defaultdict(list)
        for d in departments:
            by_kind[d.department.kind].append(d)
        labels = dict(UnitKind.choices)
        groups = [(str(labels[k]), by_kind[k]) for k in labels if by_kind.get(k)]
        return ColumnListing(column, "departments", None, departments, subcolumns, groups)
    if not models:
        return ColumnListing(column, "list", None, [], subcolumns)
    order = (F("publish_date").desc(nulls_last=True), "-id")
    if len(models) == 1:
        model = models[0]
        paginator = Paginator(_scope(model, column, children_only=children_only).order_by(*order), PER_PAGE)
        page = paginator.get_page(number)
        ids = [p.pk for p in page.object_list]
        loaded = {p.pk: p for p in _with_relations(model, model.objects.filter(pk__in=ids))}
        items = [loaded[i] for i in ids if i in loaded]
        layout = _LAYOUTS.get(model, "list")
    else:
        parts = [
            _scope(m, column, children_only=children_only).values_list(
                "id", "content_type_id", "publish_date"
            )
            for m in models
        ]
        union = parts[0].union(*parts[1:], all=True).order_by("-publish_date", "-id")
        paginator = Paginator(union, PER_PAGE)
        page = paginator.get_page(number)
        items = load_specific([(r[0], r[1]) for r in page.object_list])
        layout = "list"
    if layout == "list" and items and all(getattr(p, "cover_id", None) for p in items):
        layout = "pictures"
    return ColumnListing(column, layout, page, items, subcolumns)


# --- content pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    title: str
    url: str
    extension: str
    size: int | None


def attachments(page: Page) -> list[Attachment]:
    rows = PageAttachment.objects.filter(page=page).select_related("document").order_by("sort_order", "id")
    out = []
    for row in rows:
        doc = row.document
        size = doc.file_size
        if size is None:
            try:
                size = doc.file.size
            except (OSError, ValueError):
                size = None
        out.append(
            Attachment(
                title=row.title or doc.title,
                url=doc.url,
                extension=(doc.file_extension or "").upper(),
                size=size,
            )
        )
    return out


def related_pages(page: Page) -> list[Page]:
    """The page's related pages (相关文章), live and public, in the editor's order."""
    targets = list(
        visible(Page.objects.filter(pk__in=page.related.values("target_id"))).values_list(
            "id", "content_type_id"
        )
    )
    order = list(page.related.order_by("sort_order").values_list("target_id", flat=True))
    rank = {pk: i for i, pk in enumerate(order)}
    targets.sort(key=lambda r: rank.get(r[0], 0))
    return load_specific(targets)


def column_recent(page: Page, *, limit: int = 6) -> list[Page]:
    """The newest other items of the page's column (same content model)."""
    model = type(page)
    qs = visible(model.objects.sibling_of(page, inclusive=False))
    return list(qs.order_by(F("publish_date").desc(nulls_last=True), "-id")[:limit])


def interpreted_documents(article: ArticlePage) -> list[PolicyDocumentPage]:
    """The policy documents an interpretation (解读) article explains."""
    return list(visible(PolicyDocumentPage.objects.filter(interpretation=article)).order_by("-issued_on"))


def interpretation_of(document: PolicyDocumentPage) -> ArticlePage | None:
    if document.interpretation_id is None:
        return None
    return visible(ArticlePage.objects.filter(pk=document.interpretation_id)).first()


def topic_articles(topic: TopicPage, *, limit: int = 30) -> list[ArticlePage]:
    qs = visible(ArticlePage.objects.child_of(topic)).order_by(F("publish_date").desc(nulls_last=True), "-id")
    return list(_with_relations(ArticlePage, qs)[:limit])


def leader_lines(text: str) -> list[list[str]]:
    """The 领导班子 field (one person a line: 姓名 职务 分工) as rows of at most three cells."""
    rows = []
    for line in text.splitlines():
        if line.strip():
            cells = line.split(None, 2)
            rows.append(cells + [""] * (3 - len(cells)))
    return rows


def other_departments(page: DepartmentPage, *, limit: int = 50) -> Iterable[DepartmentPage]:
    return (
        visible(DepartmentPage.objects.sibling_of(page, inclusive=False))
        .select_related("department")
        .order_by("department__sort", "path")[:limit]
    )


def page_kind_label(page: Page) -> str:
    return str(page._meta.verbose_name) if hasattr(page, "_meta") else _("页面")


# --- what other parts publish (政民互动, the service hall) -------------------------------------


@dataclass
class InteractionBlocks:
    letters: list[Any]
    interviews: list[Any]
    surveys: list[Any]
    hall_items: list[Any]


def interaction_blocks(county: Any) -> InteractionBlocks:
    """The home page's 政民互动 and 网上办事 entries: the latest published letter replies, the
    upcoming or live interviews, the open surveys and the most applied-for service items. Each is
    empty when there is nothing to show."""
    from tongban.approvals import catalogue_selectors
    from tongban.interaction import interviews_selectors, letters_selectors, surveys_selectors

    return InteractionBlocks(
        letters=list(letters_selectors.published_letters(county, limit=5)),
        interviews=list(interviews_selectors.upcoming_and_live(county, limit=3)),
        surveys=list(surveys_selectors.open_surveys(county, limit=5)),
        hall_items=list(catalogue_selectors.popular_items(county, limit=6)),
    )
