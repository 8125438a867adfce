"""Template context of the disclosure pages (guide, catalogue, annual report), computed here so the
page models stay plain: ``{% disclosure_catalogue page request as cat %}``,
``{% disclosure_guide_facts page as facts %}``, ``{% requests_table_layout table as rows %}``,
``{% proactive_rows report.proactive as p %}``, ``{% review_cells report.reviews as cells %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError
from tongban.interaction.disclosure_table import COLUMNS, ROWS, empty_table
from tongban.portal import annual_report

register = template.Library()


@register.simple_tag
def disclosure_catalogue(page: Any, request: HttpRequest) -> Any:
    """The catalogue of the page's site: ?by=category|unit, ?category=… or ?unit=…, ?page=…"""
    from tongban.portal import disclosure_selectors as sel

    home = page.county_home()
    if home is None:
        return None
    by = "unit" if request.GET.get("by") == "unit" or "unit" in request.GET else "category"
    group = request.GET.get("unit" if by == "unit" else "category", "")
    return sel.catalogue(home, by=by, group=group, page=request.GET.get("page") or 1)


@register.simple_tag
def disclosure_guide_facts(page: Any) -> dict[str, Any]:
    """The live facts shown with the guide: the organs accepting requests, the time limits
    (条例第三十条、第三十二条、第三十三条) and the two fee methods of 国办函〔2020〕109号."""
    from tongban.portal import disclosure_selectors as sel

    home = page.county_home()
    organs = sel.accepting_organs(home.county) if home is not None else []
    limits = [
        (_("当场答复或收到申请之日起"), _("20 个工作日内答复"), _("第三十三条")),
        (
            _("需要延长答复期限的"),
            _("经负责人同意并告知申请人，延长不超过 20 个工作日（限一次）"),
            _("第三十三条"),
        ),
        (
            _("申请内容不明确的"),
            _("收到申请之日起 7 个工作日内一次性告知补正，期限自收到补正后的申请起计算"),
            _("第三十条"),
        ),
        (_("征求第三方意见的"), _("第三方 15 个工作日内提出意见，所需时间不计入答复期限"), _("第三十二条")),
    ]
    by_request = [
        (_("10 件以下（含 10 件）"), _("不收费")),
        (_("11—30 件（含 30 件）的部分"), _("每件 100 元")),
        (_("31 件以上的部分"), _("以 10 件为一档，每增加一档，收费标准提高 100 元/件")),
    ]
    by_page = [
        (_("30 页以下（含 30 页）"), _("不收费")),
        (_("31—100 页（含 100 页）的部分"), _("每页 10 元")),
        (_("101—200 页（含 200 页）的部分"), _("每页 20 元")),
        (_("201 页以上的部分"), _("每页 40 元")),
    ]
    examples = []
    try:
        from tongban.interaction.disclosure_fees import fee_for
    except ImportError:  # pragma: no cover - the requests part provides it
        fee_for = None  # type: ignore[assignment]
    if fee_for is not None:
        for method, count, unit in (
            ("request", 15, _("件")),
            ("request", 35, _("件")),
            ("page", 120, _("页")),
        ):
            examples.append({"method": method, "count": count, "unit": unit, "fee": fee_for(method, count)})
    return {
        "organs": organs,
        "limits": limits,
        "fees_by_request": by_request,
        "fees_by_page": by_page,
        "fee_examples": examples,
    }


@register.simple_tag
def requests_table_layout(table: dict[str, dict[str, int]] | None) -> list[dict[str, Any]]:
    """The request table's body rows in 国办公开办函〔2021〕30号's layout: label cells (with their
    colspan/rowspan) then the seven values. Parent outcome rows with reasons are merged label
    cells (their figures are the reasons'), as in the official form."""
    table = table or empty_table()
    keys = [col for col, _label in COLUMNS]
    parents = {key.split(".")[0] for key, _label, level in ROWS if level == 2}
    labels = {key: label for key, label, _level in ROWS}
    block = [key for key, _label, level in ROWS if level >= 1 and key not in parents]
    out: list[dict[str, Any]] = []
    numbering: dict[str, int] = {}
    first_in_block = True
    for key, label, level in ROWS:
        if key in parents:
            continue
        cells: list[dict[str, Any]] = []
        if level == 0:
            cells.append({"label": label, "colspan": 3, "rowspan": 1})
        else:
            if first_in_block:
                cells.append({"label": _("三、本年度办理结果"), "colspan": 1, "rowspan": len(block)})
                first_in_block = False
            if level == 1:
                cells.append({"label": label, "colspan": 2, "rowspan": 1})
            else:
                parent = key.split(".")[0]
                n = numbering.get(parent, 0)
                if n == 0:
                    count = sum(1 for k in block if k.startswith(parent + "."))
                    cells.append({"label": labels[parent], "colspan": 1, "rowspan": count})
                numbering[parent] = n + 1
                cells.append({"label": f"{n + 1}．{label}", "colspan": 1, "rowspan": 1})
        row = table.get(key, {})
        out.append({"key": key, "cells": cells, "values": [int(row.get(c, 0)) for c in keys]})
    return out


@register.simple_tag
def proactive_rows(proactive: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """二、主动公开 with every figure present (0 when not filled)."""
    try:
        return annual_report.normalise_proactive(proactive or {})
    except TongbanError:  # a stored report always renders
        return annual_report.normalise_proactive({})


@register.simple_tag
def review_cells(reviews: dict[str, Any] | None) -> list[int]:
    """四、行政复议 and 行政诉讼 as the fifteen figures of 30号's single row."""
    try:
        data = annual_report.normalise_reviews(reviews or {})
    except TongbanError:
        data = annual_report.normalise_reviews({})
    return [data[g][r] for g in annual_report.REVIEW_GROUPS for r in (*annual_report.REVIEW_RESULTS, "total")]


@register.simple_tag
def review_result_labels() -> list[Any]:
    return [annual_report.REVIEW_RESULT_LABELS[r] for r in (*annual_report.REVIEW_RESULTS, "total")]


@register.simple_tag
def applicant_columns() -> list[Any]:
    return [label for _key, label in COLUMNS]
