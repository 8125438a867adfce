"""Demo notices: 政府办 publishes three notices (two to the whole county, one to some units); a few
demo accounts have read or confirmed them. Idempotent: a notice whose title exists is skipped."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.demo import DemoContext
from tongban.identity.models import User
from tongban.notices import services
from tongban.notices.models import Importance, Notice
from tongban.orgs.models import Unit

NOTICES = [
    (
        "关于做好2026年国庆节期间值班工作的通知",
        "各乡镇、县直各单位：\n\n国庆节期间，各单位须安排领导带班和专人值班，保持通讯畅通。值班表请于9月25日前报县政府办秘书股。\n\n遇有重大突发事件，须在30分钟内电话报告、1小时内书面报告。",
        Importance.IMPORTANT,
        True,
        [],
    ),
    (
        "关于开展机关作风建设专项检查的通知",
        "各单位：\n\n为进一步转变机关作风，县政府办将于下月组织专项检查，重点检查上班纪律、办文效率和群众满意度。\n\n请各单位对照要求开展自查，并于月底前报送自查报告。",
        Importance.NORMAL,
        True,
        [],
    ),
    (
        "关于报送2026年财政预算执行情况的紧急通知",
        "财政局、发改局、审计局：\n\n请于本周五下班前报送前三季度预算执行情况及全年预计完成情况。",
        Importance.URGENT,
        False,
        ["财政局", "发改局", "审计局"],
    ),
]


def seed(context: DemoContext) -> str:
    officehead = User.objects.filter(username="officehead").first()
    if officehead is None:
        return _("演示通知：未找到办公室主任账号，跳过")
    from tongban.orgs.selectors import user_primary_unit

    unit = user_primary_unit(officehead)
    if unit is None:
        return _("演示通知：办公室主任没有任职单位，跳过")
    created = 0
    for title, body, importance, whole_county, targets in NOTICES:
        if Notice.objects.filter(unit=unit, title=title).exists():
            continue
        target_ids = list(
            Unit.objects.filter(county_id=unit.county_id, short_name__in=targets).values_list("pk", flat=True)
        )
        notice = services.notice_create(
            actor=officehead,
            unit=unit,
            title=title,
            body=body,
            importance=importance,
            whole_county=whole_county,
            target_unit_ids=target_ids,
            expires_on=timezone.localdate() + timedelta(days=60),
        )
        services.notice_publish(actor=officehead, notice=notice)
        created += 1
        # some demo accounts have read the first notices; unitleader confirmed the first
        for i, username in enumerate(["clerk", "unitleader", "czclerk", "countyleader"]):
            reader = User.objects.filter(username=username).first()
            if reader is None or (created > 1 and i % 2):
                continue
            if (
                services.notice_read(actor=reader, notice=notice)
                and created == 1
                and username == "unitleader"
            ):
                services.notice_confirm(actor=reader, notice=notice)
    return _("演示通知：新增 %(n)d 条") % {"n": created}
