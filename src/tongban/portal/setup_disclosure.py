"""Wiring of the portal's disclosure part (政府信息公开: guide, catalogue, annual reports).

- nav entry 信息公开年报 (section 门户网站) for portal administrators and disclosure officers;
- the annual report's table is recomputed and checked before every save of an AnnualReportPage
  (``pre_save``), and the Wagtail admin refuses saving, creating or publishing an unbalanced report
  with the Chinese message (hooks ``before_create_page``, ``before_edit_page``,
  ``before_publish_page``) — 国办公开办函〔2021〕30号's 勾稽关系;
- demo data (order 420): the county's report of last year, published."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SECTION = _("门户网站")


def _may_prepare(user: Any) -> bool:
    from tongban.portal import disclosure_selectors as sel

    return bool(user.is_authenticated) and sel.may_prepare_reports(user)


def _refuse(request: Any, exc: Exception, url: str) -> Any:
    from django.contrib import messages
    from django.shortcuts import redirect

    messages.error(request, str(exc))
    return redirect(url)


def _posted_year_and_organ(request: Any) -> tuple[int | None, Any]:
    from tongban.orgs.models import Unit

    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        return None, None
    organ_id = request.POST.get("organ") or ""
    organ = Unit.objects.filter(pk=int(organ_id)).first() if organ_id.isdigit() else None
    return year, organ


def before_create_page(request: Any, parent_page: Any, page_class: Any) -> Any:
    from django.urls import reverse

    from tongban.core.errors import TongbanError
    from tongban.portal import annual_report
    from tongban.portal.models import AnnualReportPage, HomePage

    if request.method != "POST" or not issubclass(page_class, AnnualReportPage):
        return None
    year, organ = _posted_year_and_organ(request)
    home = parent_page.get_ancestors(inclusive=True).type(HomePage).first()
    if year is None or home is None:
        return None  # the form's own validation answers
    try:
        annual_report.check_balance(annual_report.build_table(home.specific.county, year, organ))
    except TongbanError as exc:
        url = reverse(
            "wagtailadmin_pages:add",
            args=(page_class._meta.app_label, page_class._meta.model_name, parent_page.pk),
        )
        return _refuse(request, exc, url)
    return None


def before_edit_page(request: Any, page: Any) -> Any:
    from django.urls import reverse

    from tongban.core.errors import TongbanError
    from tongban.portal import annual_report
    from tongban.portal.models import AnnualReportPage

    specific = page.specific
    if request.method != "POST" or not isinstance(specific, AnnualReportPage):
        return None
    year, organ = _posted_year_and_organ(request)
    county = annual_report.page_county(specific)
    if year is None or county is None:
        return None
    try:
        annual_report.check_balance(
            annual_report.build_table(county, year, organ, specific.carried_over or None)
        )
    except TongbanError as exc:
        return _refuse(request, exc, reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    return None


def before_publish_page(request: Any, page: Any) -> Any:
    from django.urls import reverse

    from tongban.core.errors import TongbanError
    from tongban.portal import annual_report
    from tongban.portal.models import AnnualReportPage

    specific = page.specific if not isinstance(page, AnnualReportPage) else page
    if not isinstance(specific, AnnualReportPage):
        return None
    try:
        annual_report.prepare_page(specific)
    except TongbanError as exc:
        return _refuse(request, exc, reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    return None


def _pre_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from tongban.portal import annual_report

    if raw:
        return
    annual_report.prepare_page(instance)


DEMO_OVERVIEW = (
    "<p>%(year)s年，%(county)s人民政府深入贯彻《中华人民共和国政府信息公开条例》，以公开为常态、不公开为例外，"
    "围绕县委、县政府中心工作，持续推进决策、执行、管理、服务、结果公开，依申请公开办理规范有序，"
    "政府网站和政务新媒体平台建设不断加强，政府信息公开工作取得新成效。</p>"
)
DEMO_PROBLEMS = (
    "<p>存在的主要问题：部分单位主动公开信息更新不够及时，政策解读形式较为单一。改进情况：建立栏目更新提醒机制，"
    "由网站管理员每日巡检；推行图表、视频等多种解读形式，提升政策解读质量。</p>"
)
DEMO_PROACTIVE = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative": {"issued": 12, "repealed": 3, "in_force": 86},
    "permits": {"decisions": 4216},
    "penalties": {"decisions": 318},
    "enforcement": {"decisions": 27},
    "fees": {"amount": "156.4"},
}
DEMO_REVIEWS = {
    "review": {"upheld": 2, "corrected": 0, "other": 1, "pending": 0},
    "direct_suit": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0},
    "after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0},
}


def seed_demo(ctx: Any) -> str:
    """The demo county's report of last year, computed from the demo requests and published
    (idempotent: an existing live report is left as it is)."""
    from tongban.core import clock
    from tongban.orgs.demo import COUNTY_CODE
    from tongban.orgs.models import County
    from tongban.portal import annual_report
    from tongban.portal.models import HomePage

    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or not HomePage.objects.filter(county=county).exists():
        return "信息公开年报：无门户网站，跳过"
    year = clock.today().year - 1
    page = annual_report.find_report(county, year, None)
    if page is None or not page.live:
        page = annual_report.save_draft(
            None, county, year, None,
            carried_over=None, proactive=DEMO_PROACTIVE, reviews=DEMO_REVIEWS,
            overview=DEMO_OVERVIEW % {"year": year, "county": county.name},
            problems=DEMO_PROBLEMS, other="<p>本年度未收取信息处理费。</p>",
        )  # fmt: skip
        page.get_latest_revision().publish()
        page.refresh_from_db()
    table = page.requests_table
    return f"信息公开年报：{year}年度（新收申请 {table['new']['total']} 件，办结 {table['handled_total']['total']} 件）"


def ready() -> None:
    import importlib

    from django.db.models.signals import pre_save

    from tongban.core import demo, nav
    from tongban.portal.models import AnnualReportPage

    nav.register(
        nav.NavItem(
            key="portal_disclosure",
            label=_("信息公开年报"),
            url_name="portal_disclosure:index",
            icon="bi-journal-text",
            section=SECTION,
            order=720,
            visible=_may_prepare,
        )
    )
    hooks = importlib.import_module("wagtail.hooks")  # (wagtail ships no type information)
    pre_save.connect(_pre_save, sender=AnnualReportPage, dispatch_uid="portal.annual_report.pre_save")
    hooks.register("before_create_page", before_create_page)
    hooks.register("before_edit_page", before_edit_page)
    hooks.register("before_publish_page", before_publish_page)
    demo.register("portal_annual_report", seed_demo, order=420)
