"""Demo data of the records part (order 430, after the meetings of ``demo_scheduling``): the 纪要
of the demo's ended meeting (else the latest past one), drafted from its agenda by its organiser
(status 起草中, so the demo can continue with "转公文办理"). No recordings: a recording only comes from a real
Janus room (start Janus with ``make demo``, record in the meeting room, stop — the conversion task
makes the files). Idempotent: a county that has any minutes is left alone."""

from __future__ import annotations

from django.utils import timezone

from tongban.core.demo import DemoContext
from tongban.meetings import minutes as minutes_svc
from tongban.meetings.models import AgendaItem, Meeting, MeetingStatus, Minutes
from tongban.orgs.models import County


def seed(ctx: DemoContext) -> str:
    from tongban.orgs.demo import COUNTY_CODE

    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return "会议纪要：没有演示县"
    if Minutes.objects.filter(meeting__county=county).exists():
        return "会议纪要：演示纪要已存在"
    past = (
        Meeting.objects.filter(county=county, ends_at__lt=timezone.now())
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.DRAFT])
        .filter(pk__in=AgendaItem.objects.values("meeting_id"))
        .select_related("organiser", "host_unit", "chair")
    )
    # the demo's ended meeting (with sign-ins) first; otherwise the latest one that has passed
    meeting = (
        past.filter(status=MeetingStatus.ENDED).order_by("-ends_at", "-id").first()
        or past.order_by("-ends_at", "-id").first()
    )
    if meeting is None:
        return "会议纪要：没有已召开的演示会议（录像须由 Janus 实际录制，不造假数据）"
    m = minutes_svc.draft_from_agenda(meeting=meeting, actor=meeting.organiser)
    return f"会议纪要：已按议程起草《{m.title}》（录像须由 Janus 实际录制，演示不含录像）"
