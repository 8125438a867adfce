"""The request table (三、收到和处理政府信息公开申请情况) of the annual report, in the form of
国办公开办函〔2021〕30号: its columns (applicant types) and rows (new, carried over, the outcome
rows with their reasons, the total, carried forward). Shared by the disclosure requests
(:mod:`tongban.interaction.disclosure_selectors.annual_table`) and the portal's annual report.

The table balances: for every column, new + carried_over = handled_total + carried_forward."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# columns: 自然人, then 法人或其他组织 (five kinds), then 总计
COLUMNS: list[tuple[str, object]] = [
    ("person", _("自然人")),
    ("business", _("商业企业")),
    ("research", _("科研机构")),
    ("charity", _("社会公益组织")),
    ("legal", _("法律服务机构")),
    ("other", _("其他")),
    ("total", _("总计")),
]

# Outcome reasons by outcome (DisclosureRequest.outcome / outcome_reason). 予以公开 and 部分公开
# have none (部分公开: 区分处理的，只计这一情形，不计其他情形).
REASONS: dict[str, list[tuple[str, object]]] = {
    "refused": [
        ("state_secret", _("属于国家秘密")),
        ("law_prohibited", _("其他法律行政法规禁止公开")),
        ("three_safety", _("危及“三安全一稳定”")),
        ("third_party", _("保护第三方合法权益")),
        ("internal", _("属于三类内部事务信息")),
        ("process", _("属于四类过程性信息")),
        ("enforcement", _("属于行政执法案卷")),
        ("inquiry", _("属于行政查询事项")),
    ],
    "unavailable": [
        ("not_held", _("本机关不掌握相关政府信息")),
        ("needs_creation", _("没有现成信息需要另行制作")),
        ("unclear", _("补正后申请内容仍不明确")),
    ],
    "not_processed": [
        ("petition", _("信访举报投诉类申请")),
        ("duplicate", _("重复申请")),
        ("publication", _("要求提供公开出版物")),
        ("mass", _("无正当理由大量反复申请")),
        ("confirmation", _("要求行政机关确认或重新出具已获取信息")),
    ],
    "other": [
        ("no_supplement", _("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")),
        ("fee_unpaid", _("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")),
        ("other", _("其他")),
    ],
}

# Rows in table order: (key, label, level). Outcome rows are "outcome" or "outcome.reason".
ROWS: list[tuple[str, object, int]] = [
    ("new", _("一、本年新收政府信息公开申请数量"), 0),
    ("carried_over", _("二、上年结转政府信息公开申请数量"), 0),
    ("disclosed", _("（一）予以公开"), 1),
    ("partial", _("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), 1),
    ("refused", _("（三）不予公开"), 1),
    *[(f"refused.{k}", label, 2) for k, label in REASONS["refused"]],
    ("unavailable", _("（四）无法提供"), 1),
    *[(f"unavailable.{k}", label, 2) for k, label in REASONS["unavailable"]],
    ("not_processed", _("（五）不予处理"), 1),
    *[(f"not_processed.{k}", label, 2) for k, label in REASONS["not_processed"]],
    ("other", _("（六）其他处理"), 1),
    *[(f"other.{k}", label, 2) for k, label in REASONS["other"]],
    ("handled_total", _("（七）总计"), 1),
    ("carried_forward", _("四、结转下年度继续办理"), 0),
]

OUTCOMES_WITH_REASONS = tuple(REASONS)


def empty_table() -> dict[str, dict[str, int]]:
    """Every row with every column at 0: ``table[row_key][column_key]``."""
    return {key: {col: 0 for col, _label in COLUMNS} for key, _label, _level in ROWS}


def balance_errors(table: dict[str, dict[str, int]]) -> list[str]:
    """The columns (keys) where new + carried_over ≠ handled_total + carried_forward."""
    bad = []
    for col, _label in COLUMNS:
        left = table["new"][col] + table["carried_over"][col]
        right = table["handled_total"][col] + table["carried_forward"][col]
        if left != right:
            bad.append(col)
    return bad
