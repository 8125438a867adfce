"""政府信息公开工作年度报告 (国办公开办函〔2021〕30号; 政府信息公开条例 第四十九条、第五十条).

- ``build_table(county, year, organ=None, carried_over_override=None)``: the request table
  (三、收到和处理政府信息公开申请情况) computed from the disclosure requests
  (:func:`tongban.interaction.disclosure_selectors.annual_table`), with an optional hand-set
  上年结转 row (the year before may predate the platform). The override replaces the
  ``carried_over`` row only: carried_forward is what the records say, so an override that does not
  fit the records is caught by the balance check.
- ``check_balance(table)``: every column must satisfy 本年新收 + 上年结转 = 办理结果总计 + 结转下年度
  (the 勾稽关系 printed in 30号's table); refused with ``portal.annual_report_unbalanced`` naming
  the columns.
- ``save_draft(...)``: the staff page's "生成年报草稿": create or update the report page (a draft
  revision) in the 信息公开年报 column for editors to review and publish.
- ``prepare_page(page)``: recompute and check the stored table of a page (called before every save
  of an :class:`AnnualReportPage` and by the Wagtail admin hooks), so no unbalanced report is stored
  or published.
- Deadlines (第五十条 and 30号): a department's report by 31 January, the county's (汇总) by 31 March
  of the following year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import audit
from tongban.core import clock as tclock
from tongban.core.errors import NotFound, TongbanError
from tongban.interaction.disclosure_table import COLUMNS, balance_errors, empty_table
from tongban.orgs.models import County, Unit

Table = dict[str, dict[str, int]]

COLUMN_KEYS = [key for key, _label in COLUMNS]
APPLICANT_KEYS = [key for key in COLUMN_KEYS if key != "total"]
REPORT_COLUMN_SLUG = "ndbg"  # the 信息公开年报 column (tongban.portal.structure)

# 二、主动公开政府信息情况 (30号): (row key, label, Art. 20 item, fields)
PROACTIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative": ("issued", "repealed", "in_force"),
    "permits": ("decisions",),
    "penalties": ("decisions",),
    "enforcement": ("decisions",),
    "fees": ("amount",),
}
PROACTIVE_LABELS: dict[str, Any] = {
    "regulations": gettext_lazy("规章"),
    "normative": gettext_lazy("行政规范性文件"),
    "permits": gettext_lazy("行政许可"),
    "penalties": gettext_lazy("行政处罚"),
    "enforcement": gettext_lazy("行政强制"),
    "fees": gettext_lazy("行政事业性收费"),
}
# 四、行政复议、行政诉讼 (30号): three groups, each the same five results (总计 = the sum of four)
REVIEW_GROUPS: tuple[str, ...] = ("review", "direct_suit", "after_review")
REVIEW_GROUP_LABELS: dict[str, Any] = {
    "review": gettext_lazy("行政复议"),
    "direct_suit": gettext_lazy("未经复议直接起诉"),
    "after_review": gettext_lazy("复议后起诉"),
}
REVIEW_RESULTS: tuple[str, ...] = ("upheld", "corrected", "other", "pending")
REVIEW_RESULT_LABELS: dict[str, Any] = {
    "upheld": gettext_lazy("结果维持"),
    "corrected": gettext_lazy("结果纠正"),
    "other": gettext_lazy("其他结果"),
    "pending": gettext_lazy("尚未审结"),
    "total": gettext_lazy("总计"),
}


# --- the request table ---------------------------------------------------------------------------
def _annual_table(county: County, year: int, organ: Unit | None) -> Table:
    from tongban.interaction.disclosure_selectors import annual_table

    return annual_table(county, year, organ=organ)


def normalise_carried_over(value: Any) -> dict[str, int] | None:
    """A hand-set 上年结转 row: non-negative whole numbers per applicant column; the total is
    their sum. ``None``/empty means "use the records". Refused with a Chinese message otherwise."""
    if not value:
        return None
    if not isinstance(value, dict):
        raise TongbanError("portal.annual_report_bad_carried_over", _("上年结转数应为各类申请人的数量。"))
    row: dict[str, int] = {}
    for key in APPLICANT_KEYS:
        raw = value.get(key, 0)
        try:
            n = int(raw if raw not in (None, "") else 0)
        except (TypeError, ValueError):
            raise TongbanError(
                "portal.annual_report_bad_carried_over",
                _("上年结转数应为不小于 0 的整数。"),
                field=f"carried_over_{key}",
            ) from None
        if n < 0 or str(raw).strip().startswith("-"):
            raise TongbanError(
                "portal.annual_report_bad_carried_over",
                _("上年结转数应为不小于 0 的整数。"),
                field=f"carried_over_{key}",
            )
        row[key] = n
    row["total"] = sum(row[k] for k in APPLICANT_KEYS)
    return row


def build_table(
    county: County,
    year: int,
    organ: Unit | None = None,
    carried_over_override: dict[str, Any] | None = None,
) -> Table:
    """The request table of ``year`` for the county (``organ`` None) or one organ, from the request
    records; ``carried_over_override`` replaces the 上年结转 row (carried_forward is unchanged)."""
    table = _annual_table(county, year, organ)
    full = empty_table()
    for key in full:
        for col in COLUMN_KEYS:
            full[key][col] = int(table.get(key, {}).get(col, 0))
    override = normalise_carried_over(carried_over_override)
    if override is not None:
        full["carried_over"] = override
    return full


def check_balance(table: Table) -> None:
    """新收 + 上年结转 = 办理结果总计 + 结转下年度, column by column (30号's 勾稽关系)."""
    bad = balance_errors(table)
    if bad:
        labels = dict(COLUMNS)
        names = "、".join(str(labels[c]) for c in bad)
        raise TongbanError(
            "portal.annual_report_unbalanced",
            _(
                "年报第三部分不平衡：%(columns)s列的“本年新收”加“上年结转”不等于“办理结果总计”加“结转下年度”。"
                "请核对上年结转数或申请办理记录。"
            )
            % {"columns": names},
            params={"columns": bad},
        )


def column_checks(table: Table) -> list[dict[str, Any]]:
    """Per column: left (新收 + 结转), right (总计 + 结转下年度) and whether they agree."""
    out = []
    for col, label in COLUMNS:
        left = table["new"][col] + table["carried_over"][col]
        right = table["handled_total"][col] + table["carried_forward"][col]
        out.append({"key": col, "label": label, "left": left, "right": right, "ok": left == right})
    return out


# --- 二 and 四 ---------------------------------------------------------------------------------
def _count(raw: Any, field: str) -> int:
    try:
        n = int(raw if raw not in (None, "") else 0)
    except (TypeError, ValueError):
        raise TongbanError(
            "portal.annual_report_bad_number", _("请填写不小于 0 的整数。"), field=field
        ) from None
    if n < 0:
        raise TongbanError("portal.annual_report_bad_number", _("请填写不小于 0 的整数。"), field=field)
    return n


def normalise_proactive(value: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """二、主动公开: whole numbers, and the fee amount in 万元 with at most 4 decimals (a string)."""
    value = value or {}
    out: dict[str, dict[str, Any]] = {}
    for row, fields in PROACTIVE_FIELDS.items():
        given = value.get(row) or {}
        out[row] = {}
        for f in fields:
            name = f"proactive_{row}_{f}"
            if f == "amount":
                raw = given.get(f, "0")
                try:
                    amount = Decimal(str(raw if raw not in (None, "") else "0"))
                except InvalidOperation:
                    raise TongbanError(
                        "portal.annual_report_bad_number", _("收费金额应为以万元计的数字。"), field=name
                    ) from None
                exponent = amount.as_tuple().exponent
                if not amount.is_finite() or amount < 0 or (isinstance(exponent, int) and exponent < -4):
                    raise TongbanError(
                        "portal.annual_report_bad_number",
                        _("收费金额应为不小于 0、最多四位小数的数字（万元）。"),
                        field=name,
                    )
                out[row][f] = f"{amount.quantize(Decimal('0.0001')).normalize():f}" if amount else "0"
            else:
                out[row][f] = _count(given.get(f), name)
    return out


def normalise_reviews(value: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """四、行政复议和行政诉讼: whole numbers; each group's 总计 is the sum of its four results."""
    value = value or {}
    out: dict[str, dict[str, int]] = {}
    for group in REVIEW_GROUPS:
        given = value.get(group) or {}
        row = {r: _count(given.get(r), f"reviews_{group}_{r}") for r in REVIEW_RESULTS}
        row["total"] = sum(row.values())
        out[group] = row
    return out


# --- deadlines -----------------------------------------------------------------------------------
def due_date(year: int, organ: Unit | None) -> dt.date:
    """30号 / 条例第五十条: departments publish by 31 January, the county (汇总) by 31 March."""
    return dt.date(year + 1, 1, 31) if organ is not None else dt.date(year + 1, 3, 31)


# --- pages -------------------------------------------------------------------------------------
def report_column(county: County) -> Any:
    """The 信息公开年报 column of the county's site."""
    from tongban.portal.models import ColumnPage, HomePage

    home = HomePage.objects.filter(county=county).first()
    if home is None:
        raise NotFound("portal.no_site", _("本县尚未建立门户网站。"))
    column = ColumnPage.objects.descendant_of(home).filter(slug=REPORT_COLUMN_SLUG).first()
    if column is None:
        raise NotFound("portal.no_report_column", _("门户网站缺少“信息公开年报”栏目。"))
    return column


def find_report(county: County, year: int, organ: Unit | None) -> Any:
    from tongban.portal.models import AnnualReportPage

    column = report_column(county)
    return AnnualReportPage.objects.child_of(column).filter(year=year, organ=organ).order_by("id").first()


def page_county(page: Any) -> County | None:
    home = page.county_home() if page.path else None
    if home is not None:
        return home.county
    return page.organ.county if page.organ_id else None


def prepare_page(page: Any) -> None:
    """Recompute the page's request table from the records (with its carried-over override) and
    refuse an unbalanced one. Run before every save of an AnnualReportPage."""
    county = page_county(page)
    if county is None:
        return
    table = build_table(county, page.year, page.organ, page.carried_over or None)
    check_balance(table)
    page.requests_table = table
    if page.live and page.publish_date is None:
        page.publish_date = tclock.now()


def report_title(county: County, year: int, organ: Unit | None) -> str:
    who = organ.name if organ is not None else f"{county.name}人民政府"
    return _("%(organ)s%(year)s年政府信息公开工作年度报告") % {"organ": who, "year": year}


@transaction.atomic
def save_draft(
    actor: Any,
    county: County,
    year: int,
    organ: Unit | None,
    *,
    carried_over: dict[str, Any] | None,
    proactive: dict[str, Any] | None,
    reviews: dict[str, Any] | None,
    overview: str,
    problems: str = "",
    other: str = "",
    request: Any = None,
) -> Any:
    """ "生成年报草稿": create or update the report of ``year``/``organ`` as a draft revision in the
    信息公开年报 column; editors review and publish it in the CMS. Refused (nothing saved) when the
    table does not balance or a figure is not a number."""
    from tongban.portal.models import AnnualReportPage

    if year < 2008 or year > tclock.today().year:
        raise TongbanError("portal.annual_report_bad_year", _("年度不正确。"), field="year")
    if organ is not None and organ.county_id != county.pk:
        raise NotFound("portal.unit_not_found", _("单位不存在。"))
    if not overview.strip():
        raise TongbanError("portal.annual_report_no_overview", _("请填写“总体情况”。"), field="overview")
    override = normalise_carried_over(carried_over)
    table = build_table(county, year, organ, override)
    check_balance(table)
    fields = {
        "carried_over": override or {},
        "requests_table": table,
        "proactive": normalise_proactive(proactive),
        "reviews": normalise_reviews(reviews),
        "overview": overview,
        "problems": problems,
        "other": other,
    }
    page = find_report(county, year, organ)
    if page is None:
        column = report_column(county)
        slug = f"{year}" if organ is None else f"{year}-{organ.unit_code.lower()}"
        page = AnnualReportPage(
            title=report_title(county, year, organ), slug=slug, year=year, organ=organ, live=False, **fields
        )
        column.add_child(instance=page)
        created = True
    else:
        live = page.live
        page = page.get_latest_revision_as_object()
        for name, value in fields.items():
            setattr(page, name, value)
        if not live:
            page.save()
        created = False
    page.save_revision(user=actor if getattr(actor, "pk", None) else None, log_action=True)
    audit.record(
        "portal.annual_report_draft",
        actor=actor,
        request=request,
        obj=page,
        unit_id=organ.pk if organ else None,
        new={"year": year, "organ": organ.pk if organ else None, "created": created},
    )
    return page
