"""Demo data of the usage assessment (order 810, after the roll-up's 60 days of history at 800): the
county's scheme “<year>年度全县电子政务应用考核” (monthly, seven indicators, all active units),
set and published by the 考核管理员 (kaohe), with the scores of every month computed. Idempotent:
the scheme is found by name and year; running again only recomputes (the same figures give the
same scores)."""

from __future__ import annotations

from decimal import Decimal

from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.stats import metrics, scoring, services_assess
from tongban.stats.models import AssessmentScheme, PeriodKind, SchemeStatus

# (code, name, formula, weight, target, higher is better, unit, note)
INDICATORS: list[tuple[str, str, str, str, str, bool, str, str]] = [
    (
        "active",
        "登录活跃率",
        "pct(active_user_days, staff * workdays)",
        "20",
        "80",
        True,
        "%",
        "在岗人员每个工作日登录使用平台的比例",
    ),
    (
        "docs",
        "公文电子化办理",
        "docs_handled / staff",
        "15",
        "4",
        True,
        "件/人",
        "人均在平台上办理的公文件数",
    ),
    (
        "overdue",
        "待办超期率",
        "pct(tasks_overdue, tasks_done + tasks_overdue)",
        "15",
        "5",
        False,
        "%",
        "超期待办占全部待办的比例，越低越好",
    ),
    (
        "cases",
        "审批按时办结率",
        "100 - pct(cases_closed - cases_on_time, cases_closed)",
        "15",
        "100",
        True,
        "%",
        "无办结审批件的单位按 100% 计",
    ),
    (
        "letters",
        "信件按时答复率",
        "100 - pct(letters_answered - letters_on_time, letters_answered)",
        "10",
        "100",
        True,
        "%",
        "无答复信件的单位按 100% 计",
    ),
    (
        "meetings",
        "会议出勤率",
        "100 - pct(meetings_invited - meetings_attended, meetings_invited)",
        "15",
        "95",
        True,
        "%",
        "无参会任务的单位按 100% 计",
    ),
    (
        "notices",
        "通知阅读率",
        "100 - pct(notices_received - notices_read, notices_received)",
        "10",
        "90",
        True,
        "%",
        "无通知的单位按 100% 计",
    ),
]


def seed(context: DemoContext) -> str:
    admin = User.objects.filter(username="kaohe").first()
    if admin is None:
        return "考核：无考核管理员账号（kaohe），跳过"
    year = metrics.today().year
    name = f"{year}年度全县电子政务应用考核"
    scheme = AssessmentScheme.objects.filter(name=name, year=year).first()
    if scheme is None:
        scheme = services_assess.scheme_create(
            actor=admin,
            data={
                "name": name,
                "year": year,
                "period": PeriodKind.MONTH,
                "description": "县信息化办公室对各单位电子政务平台应用情况按月考核，结果纳入年度目标考核。",
            },
        )
    if scheme.status == SchemeStatus.DRAFT:
        have = set(scheme.indicators.values_list("code", flat=True))
        for code, iname, formula, weight, target, higher, unit_label, note in INDICATORS:
            if code in have:
                continue
            services_assess.indicator_add(
                actor=admin,
                scheme=scheme,
                data={
                    "code": code,
                    "name": iname,
                    "formula": formula,
                    "weight": Decimal(weight),
                    "target": Decimal(target),
                    "higher_is_better": higher,
                    "unit_label": unit_label,
                    "note": note,
                },
            )
        periods = services_assess.scheme_publish(actor=admin, scheme=scheme).periods
    else:
        periods = scoring.recompute_year(scheme)
    return f"考核：方案「{name}」已发布，{len(periods)} 个周期的得分已计算"
