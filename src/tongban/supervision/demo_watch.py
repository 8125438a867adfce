"""Demo of the watch part: one sweep over the demo cases (so the dashboard shows their lights,
the 黄牌/红牌 notices and anomalies), and two 整改通知 from the demo supervisor to the
departments with the most overdue cases — one already answered. Idempotent: notices are only
issued when the county has no supervisor-issued notice yet; the sweep changes nothing twice."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tongban.approvals.models import Case, Light
from tongban.core.demo import DemoContext
from tongban.orgs.models import BusinessRole, RoleGrant
from tongban.supervision import rectify, sweep
from tongban.supervision.models import LightChange, Rectification, RectificationKind

TEXTS = [
    _(
        "你单位近期有多件办件超过承诺时限亮黄牌。请逐件查明超期原因，对已超期办件限期办结，"
        "并建立办件到期提醒机制，整改情况书面报县纪委监委第一监督检查室。"
    ),
    _(
        "经电子监察发现，你单位存在受理后多次告知补正的情况。请对照《中华人民共和国行政许可法》第三十二条"
        "规定，落实一次性告知制度，完善申请材料清单，整改情况书面报告。"
    ),
]


def seed(context: DemoContext) -> str:
    grant = RoleGrant.objects.filter(role=BusinessRole.SUPERVISOR).select_related("user", "county").first()
    first = (
        grant is not None
        and not Rectification.objects.filter(county=grant.county, kind=RectificationKind.NOTICE).exists()
    )
    if first and grant is not None:
        # The handling demo replays each demo case's past events, and every event re-lit the case as
        # of today midway through its history. Start the watch from the cases as they are now: one
        # sweep, as the scheduler would have run it, records each case's light once.
        demo = Case.objects.filter(county=grant.county)
        LightChange.objects.filter(case__in=demo).delete()
        Rectification.objects.filter(case__in=demo).exclude(kind=RectificationKind.NOTICE).delete()
        demo.filter(is_open=True).update(light=Light.GREEN, light_since=None)
    result = sweep.sweep()
    made = 0
    if first and grant is not None:
        units = list(
            Case.objects.filter(is_open=True, county=grant.county)
            .values("unit_id")
            .annotate(n=Count("id", filter=Q(light__in=[Light.YELLOW, Light.RED])), total=Count("id"))
            .order_by("-n", "-total")[:2]
        )
        from tongban.orgs.models import Unit

        for i, row in enumerate(units):
            unit = Unit.objects.get(pk=row["unit_id"])
            case = (
                Case.objects.filter(is_open=True, unit=unit, light__in=[Light.YELLOW, Light.RED])
                .order_by("due_on")
                .first()
            )
            r = rectify.rectification_issue(
                actor=grant.user, county=grant.county, unit=unit, text=str(TEXTS[i % 2]),
                deadline_days=5, case=case,
            )  # fmt: skip
            made += 1
            head = (
                RoleGrant.objects.filter(unit=unit, role=BusinessRole.UNIT_LEADER)
                .select_related("user")
                .first()
            )
            if i == 1 and head is not None:
                rectify.rectification_reply(
                    actor=head.user, rectification=r,
                    reply=_("已组织全体审批人员学习第三十二条规定，修订申请材料清单并在窗口公示，今后一律一次性告知。"),
                )  # fmt: skip
    return _(
        "电子监察：%(open)d 件在办，%(changed)d 件灯色变化，%(anomalies)d 条异常，%(made)d 份整改通知"
    ) % {
        "open": result.open_cases,
        "changed": result.changed,
        "anomalies": result.anomalies,
        "made": made,
    }
