"""Demo data of the feedback part: complaints in every status (one overdue), ratings of completed
demo cases with one bad rating whose follow-up is open, and department scores for the last six
months so the trend chart has lines. Idempotent: demo complaints are found by subject, rated
cases are not rated again, scores are recomputed in place."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tongban.approvals.models import Case, CaseRating, CaseStatus
from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.core.demo import DemoContext
from tongban.core.errors import TongbanError
from tongban.identity.models import User
from tongban.orgs.models import County, Unit
from tongban.supervision import complaints, performance
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import Complaint, ComplaintChannel

# subject, channel, complainant, phone, unit short name, text, what happens next
DEMO_COMPLAINTS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "窗口工作人员态度生硬",
        ComplaintChannel.WEB,
        "周建国",
        "13900001111",
        "市场监管局",
        "11月20日上午在政务服务中心市场监管窗口咨询食品经营许可，工作人员不耐烦，没有一次性告知需要的材料。",
        "received",
    ),
    (
        "建设工程规划许可超过承诺时限未办结",
        ComplaintChannel.PHONE,
        "吴晓燕",
        "13900002222",
        "住建局",
        "来电反映：10月递交的规划许可申请至今未办结，多次询问均答复“在审查”。",
        "assigned",
    ),
    (
        "要求提供申请指南以外的材料",
        ComplaintChannel.LETTER,
        "郑海波",
        "13900003333",
        "市场监管局",
        "来信反映：办理个体工商户登记时，窗口要求提供房东身份证原件，办事指南中没有这一项。",
        "stated",
    ),
    (
        "收取材料复印费",
        ComplaintChannel.VISIT,
        "孙丽",
        "13900004444",
        "市场监管局",
        "来访反映：办理许可时窗口收取复印费5元，未出具票据。",
        "upheld",
    ),
    (
        "网上申请后无人联系",
        ComplaintChannel.WEB,
        "钱明",
        "13900005555",
        "行政审批局",
        "网上提交申请三天后没有收到任何短信或电话。",
        "not_upheld",
    ),
    (
        "投诉长期未获答复的办件",
        ComplaintChannel.PHONE,
        "林志强",
        "13900006666",
        "住建局",
        "来电反映：施工许可办件资料已补齐，但一直未受理。",
        "overdue",
    ),
]


def _county() -> County | None:
    from tongban.orgs.demo import COUNTY_CODE

    return County.objects.filter(code=COUNTY_CODE).first() or County.objects.order_by("id").first()


def _unit(county: County, short: str) -> Unit | None:
    return Unit.objects.filter(county=county, short_name=short, is_active=True).first()


def _seed_complaints(county: County, supervisor: User) -> int:
    created = 0
    leaders: dict[int, Any] = {}
    for subject, channel, name, phone, unit_short, text, fate in DEMO_COMPLAINTS:
        if Complaint.objects.filter(county=county, subject=subject).exists():
            continue
        unit = _unit(county, unit_short)
        if unit is None:
            continue
        if channel == ComplaintChannel.WEB:
            c = complaints.complaint_file(
                name=name, phone=phone, subject=subject, text=text, unit_id=unit.pk, limited=False
            )
        else:
            received_on = None
            if fate == "overdue":
                received_on = workcal.add_workdays(tclock.today(), -15)
            c = complaints.complaint_enter(
                actor=supervisor,
                channel=channel,
                name=name,
                phone=phone,
                subject=subject,
                text=text,
                unit_id=unit.pk,
                received_on=received_on,
            )
        created += 1
        if fate in ("assigned", "stated", "upheld"):
            c = complaints.complaint_forward(
                complaint=c, actor=supervisor, note=_("请核实情况，于三个工作日内书面说明。")
            )
        if fate in ("stated", "upheld"):
            heads = leaders.setdefault(unit.pk, sel.unit_heads(unit))
            if heads:
                c = complaints.complaint_state(
                    complaint=c,
                    actor=heads[0],
                    statement=_(
                        "经核查，窗口工作人员确有未按办事指南执行的情况，已批评教育并组织窗口人员重新学习办事指南。"
                    ),
                )
        if fate == "upheld":
            complaints.complaint_answer(
                complaint=c,
                actor=supervisor,
                upheld=True,
                answer=_(
                    "经核查投诉属实。已责令该单位退还所收费用、向您致歉，并对相关人员作出处理。感谢您的监督。"
                ),
            )
        elif fate == "not_upheld":
            complaints.complaint_answer(
                complaint=c,
                actor=supervisor,
                upheld=False,
                answer=_(
                    "经核查，您的申请已于提交次日受理，受理通知已发送至您的账户；短信因号码停机未送达。请登录网上办事大厅查看。"
                ),
            )
    return created


# level, efficiency, guide accuracy, convenience, operability, comment
DEMO_RATINGS = [
    (2, 2, 3, 2, 3, "办理时间比承诺的长，中间没有人告知进度。"),
    (5, 5, 5, 5, 5, "全程网上办理，很方便。"),
    (4, 4, 5, 4, 4, ""),
    (5, 5, 4, 5, 5, "窗口人员很耐心。"),
    (3, 3, 3, 4, 3, ""),
]


def _seed_ratings() -> tuple[int, int]:
    """Rate completed demo cases that have an account and no rating yet (through the applicant's
    own service, so the follow-up opens as in real life)."""
    from tongban.approvals import applying

    if CaseRating.objects.filter(comment=DEMO_RATINGS[0][5]).exists():
        return 0, 0
    cases = list(
        Case.objects.filter(status=CaseStatus.COMPLETED, account__isnull=False, rating__isnull=True)
        .select_related("account")
        .order_by("-completed_at", "id")[: len(DEMO_RATINGS)]
    )
    rated = bad = 0
    for case, (level, eff, guide, conv, oper, comment) in zip(cases, DEMO_RATINGS, strict=False):
        if case.account is None:
            continue
        try:
            applying.case_rate(
                case=case,
                account=case.account,
                level=level,
                efficiency=eff,
                guide_accuracy=guide,
                convenience=conv,
                operability=oper,
                comment=comment,
            )
        except TongbanError:
            continue
        rated += 1
        bad += level <= 2
    return rated, bad


def seed(context: DemoContext) -> str:
    county = _county()
    supervisor = User.objects.filter(username="supervisor", is_active=True).first()
    if county is None or supervisor is None or not sel.is_supervisor(supervisor):
        return _("电子监察（投诉、差评、绩效）：未找到县或监察员账号，跳过")
    created = _seed_complaints(county, supervisor)
    rated, bad = _seed_ratings()
    month = tclock.today().replace(day=1)
    months: list[date] = []
    for _i in range(6):
        months.append(month)
        month = sel.previous_month(month)
    rows = sum(len(performance.compute_month(county=county, month=m)) for m in reversed(months))
    return _("电子监察：新增投诉 %(c)d 件，评价 %(r)d 条（差评 %(b)d 条），近 6 个月绩效 %(s)d 行") % {
        "c": created,
        "r": rated,
        "b": bad,
        "s": rows,
    }
