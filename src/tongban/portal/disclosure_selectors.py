"""Reads of the portal's disclosure part: the catalogue (政府信息公开目录, 条例第十二条 — by 第二十条
category and by department), the guide's live facts, and who may prepare annual reports.

The catalogue reads the live content pages of a site in one query (a UNION ALL over the content
page tables joined to ``wagtailcore_page``) and the site's columns in another (their unit and
category are the fallbacks of a page without its own); grouping, counting and paging are done on
those rows, so a request costs two queries whatever the group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import CharField, DateField, F, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, County, RoleGrant, Unit
from tongban.orgs.selectors import county_for_user
from tongban.portal.models import (
    AnnualReportPage,
    ArticlePage,
    ColumnPage,
    DepartmentPage,
    DisclosureCategory,
    HomePage,
    InvestmentProjectPage,
    LeaderProfilePage,
    PolicyDocumentPage,
    ProcurementNoticePage,
)

PAGE_SIZE = 20
UNSET = "none"  # the group of pages without a category / unit
PAGE_STEP = 4  # treebeard's path step in Wagtail

_CONTENT_MODELS: tuple[type[Any], ...] = (
    ArticlePage,
    PolicyDocumentPage,
    LeaderProfilePage,
    DepartmentPage,
    ProcurementNoticePage,
    InvestmentProjectPage,
)


# --- who prepares annual reports -------------------------------------------------------------------
def _grants(user: Any) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(
        user=user,
        role__in=(BusinessRole.PORTAL_ADMIN, BusinessRole.DISCLOSURE_OFFICER),
        unit__is_active=True,
    )


def may_prepare_reports(user: Any) -> bool:
    """Portal administrators and disclosure officers (依申请公开办理员) prepare the annual reports."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _grants(user).exists()


@dataclass
class ReportScope:
    county: County
    county_wide: bool  # may prepare the county's 汇总 report
    organs: list[Unit]  # may prepare these organs' reports


def report_scope(user: Any) -> ReportScope:
    """What ``user`` may prepare: a portal administrator any organ's report and the county's; a
    disclosure officer their own units' reports, and the county's when their unit runs the
    信息公开年报 column (the government office, 政府信息公开工作主管部门). Refused otherwise."""
    if not may_prepare_reports(user):
        raise PermissionDenied(
            "portal.not_disclosure_staff", _("只有网站管理员和依申请公开办理员可以编制年报。")
        )
    county = county_for_user(user)
    if county is None:
        raise NotFound("orgs.no_county", _("尚未建立县的组织机构。"))
    grants = list(_grants(user).filter(county=county).select_related("unit"))
    admin = any(g.role == BusinessRole.PORTAL_ADMIN for g in grants)
    column = (
        ColumnPage.objects.filter(slug="ndbg", path__startswith=_home_path(county)).only("unit_id").first()
        if HomePage.objects.filter(county=county).exists()
        else None
    )
    if admin:
        organs = list(Unit.objects.filter(county=county, is_active=True).order_by("sort", "id"))
    else:
        organs = sorted({g.unit for g in grants}, key=lambda u: (u.sort, u.pk))
    county_wide = admin or (column is not None and any(g.unit_id == column.unit_id for g in grants))
    return ReportScope(county=county, county_wide=county_wide, organs=organs)


def _home_path(county: County) -> str:
    home = HomePage.objects.filter(county=county).only("path").first()
    return home.path if home is not None else "-"


def access_scope(user: Any, organ_id: int | None) -> tuple[ReportScope, Unit | None]:
    """The scope and the organ (None = the county's report) ``user`` asks for, or refused."""
    scope = report_scope(user)
    if organ_id is None:
        if not scope.county_wide:
            raise PermissionDenied("portal.not_county_reporter", _("您只能编制本单位的年报。"))
        return scope, None
    for unit in scope.organs:
        if unit.pk == organ_id:
            return scope, unit
    if Unit.objects.filter(pk=organ_id, county=scope.county).exists():
        raise PermissionDenied("portal.not_unit_reporter", _("您不能编制该单位的年报。"))
    raise NotFound("portal.unit_not_found", _("单位不存在。"))


def reports_of(county: County, *, year: int | None = None) -> QuerySet[AnnualReportPage]:
    """The county's report pages (drafts included), newest year first."""
    qs = AnnualReportPage.objects.filter(path__startswith=_home_path(county)).select_related("organ")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "organ__sort", "id")


def public_report(report_id: int) -> AnnualReportPage:
    page = AnnualReportPage.objects.live().public().filter(pk=report_id).select_related("organ").first()
    if page is None:
        raise NotFound("portal.report_not_found", _("年报不存在或尚未发布。"))
    return page


# --- the guide's live facts -------------------------------------------------------------------------
def accepting_organs(county: County) -> list[Unit]:
    """The organs that accept requests: units with a 依申请公开办理员."""
    ids = RoleGrant.objects.filter(
        county=county, role=BusinessRole.DISCLOSURE_OFFICER, unit__is_active=True
    ).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("sort", "id"))


# --- the catalogue ------------------------------------------------------------------------------
@dataclass
class CatalogueItem:
    id: int
    title: str
    url_path: str
    date: dt.date | None
    category: str
    unit_id: int | None
    index_number: str
    doc_number: str
    kind: str
    url: str = ""


@dataclass
class Group:
    key: str
    label: str
    count: int


@dataclass
class Catalogue:
    by: str  # "category" or "unit"
    groups: list[Group]
    selected: str  # the group shown ("" = all)
    selected_label: str
    page: PaginatorPage  # of CatalogueItem
    total: int
    units: dict[int, str] = field(default_factory=dict)


def _content_rows(home: HomePage) -> tuple[list[CatalogueItem], dict[int, tuple[str, int]]]:
    """Every live content page below ``home`` (one UNION ALL query) with its effective category and
    unit (the nearest column's when the page has none; the columns are a second query), and the
    names and sort keys of the units met."""
    blank = Value("", output_field=CharField())
    parts: list[QuerySet[Any]] = []
    models: tuple[Any, ...] = (*_CONTENT_MODELS, AnnualReportPage)
    for model in models:
        qs = model.objects.filter(live=True, path__startswith=home.path, depth__gt=home.depth).order_by()
        is_policy = model is PolicyDocumentPage
        is_report = model is AnnualReportPage
        unit = "organ" if is_report else "unit"
        parts.append(
            qs.annotate(
                d_date=Coalesce(
                    TruncDate("publish_date"), TruncDate("first_published_at"), output_field=DateField()
                ),
                d_category=Value(DisclosureCategory.OTHER, output_field=CharField())
                if is_report
                else F("disclosure_category"),
                d_unit=F(f"{unit}_id"),
                d_unit_name=F(f"{unit}__name"),
                d_unit_sort=F(f"{unit}__sort"),
                d_index=F("index_number") if is_policy else blank,
                d_doc=F("doc_number") if is_policy else blank,
                d_kind=Value(model._meta.model_name, output_field=CharField()),
            ).values_list(
                "id",
                "title",
                "url_path",
                "path",
                "d_date",
                "d_category",
                "d_unit",
                "d_unit_name",
                "d_unit_sort",
                "d_index",
                "d_doc",
                "d_kind",
            )
        )
    union = parts[0].union(*parts[1:], all=True)
    units: dict[int, tuple[str, int]] = {}
    columns: dict[str, tuple[int | None, str]] = {}
    for path, unit_id, unit_name, unit_sort, category in ColumnPage.objects.filter(
        path__startswith=home.path, depth__gt=home.depth
    ).values_list("path", "unit_id", "unit__name", "unit__sort", "disclosure_category"):
        columns[path] = (unit_id, category)
        if unit_id is not None:
            units[unit_id] = (unit_name, unit_sort)
    items = []
    for row in union:
        pk, title, url_path, path, date, category, unit_id, unit_name, unit_sort, index_no, doc_no, kind = row
        if unit_id is not None:
            units[unit_id] = (unit_name, unit_sort)
        p = path[:-PAGE_STEP]
        while len(p) > len(home.path) and (unit_id is None or not category):
            col_unit, col_category = columns.get(p, (None, ""))
            unit_id = unit_id if unit_id is not None else col_unit
            category = category or col_category
            p = p[:-PAGE_STEP]
        items.append(
            CatalogueItem(
                id=pk,
                title=title,
                url_path=url_path,
                date=date,
                category=category or "",
                unit_id=unit_id,
                index_number=index_no or "",
                doc_number=doc_no or "",
                kind=kind,
            )
        )
    return items, units


def catalogue(
    home: HomePage, *, by: str = "category", group: str = "", page: Any = 1, per_page: int = PAGE_SIZE
) -> Catalogue:
    """The catalogue of ``home``'s site grouped ``by`` 第二十条 category or by unit, the items of
    ``group`` (all when empty) newest first, paginated. Two queries."""
    by = "unit" if by == "unit" else "category"
    items, unit_info = _content_rows(home)
    unit_ids = {i.unit_id for i in items if i.unit_id is not None}
    units = {uid: unit_info[uid][0] for uid in unit_ids}

    def key_of(item: CatalogueItem) -> str:
        if by == "category":
            return item.category or UNSET
        return str(item.unit_id) if item.unit_id is not None else UNSET

    counts: dict[str, int] = {}
    for item in items:
        k = key_of(item)
        counts[k] = counts.get(k, 0) + 1
    groups: list[Group] = []
    if by == "category":
        for value, label in DisclosureCategory.choices:
            groups.append(Group(key=value, label=str(label), count=counts.get(value, 0)))
        if counts.get(UNSET):
            groups.append(Group(key=UNSET, label=_("未分类"), count=counts[UNSET]))
    else:
        for uid in sorted(unit_ids, key=lambda u: (unit_info[u][1], u)):
            groups.append(Group(key=str(uid), label=units[uid], count=counts.get(str(uid), 0)))
        if counts.get(UNSET):
            groups.append(Group(key=UNSET, label=_("县政府门户网站"), count=counts[UNSET]))
    labels = {g.key: g.label for g in groups}
    selected = group if group in labels else ""
    chosen = [i for i in items if not selected or key_of(i) == selected]
    chosen.sort(key=lambda i: (i.date or dt.date.min, i.id), reverse=True)
    paginator = Paginator(chosen, per_page)
    current = paginator.get_page(page)
    root = reverse("wagtail_serve", args=[""])
    for item in current.object_list:
        item.url = root + _site_relative(item.url_path, home)
    return Catalogue(
        by=by,
        groups=groups,
        selected=selected,
        selected_label=labels.get(selected, ""),
        page=current,
        total=len(items),
        units=units,
    )


def _site_relative(url_path: str, home: HomePage) -> str:
    """A page's URL below the site root (the site root is the home page, served at /portal/)."""
    root = home.url_path
    return url_path[len(root) :] if url_path.startswith(root) else url_path.lstrip("/")
