"""The attendance demo: the latest past meeting of the demo county gets sign-ins (on time, late, one
at the desk), one leave and absences; a second run creates nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.meetings import attendance as att
from tongban.meetings.demo_attendance import seed
from tongban.meetings.models import Attendee, Meeting, MeetingEvent
from tongban.meetings.testing import build_world, make_meeting
from tongban.orgs.demo import COUNTY_CODE

pytestmark = pytest.mark.django_db


def test_demo_signs_in_the_past_meeting_once() -> None:
    assert seed(None) == "会议签到：没有演示县"  # type: ignore[arg-type]
    w = build_world(code=COUNTY_CODE)
    start = timezone.localtime(timezone.now() - timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    m = make_meeting(
        w,
        starts_at=start,
        status="ended",
        late_after_minutes=5,
        people=("deputy", "county_head"),
        confirm={
            "scj": ("scj_head", "scj_staff"),
            "czj": ("cz_head", "cz_clerk"),
            "qsz": ("qs_head", "qs_clerk"),
            "smx": ("sm_head", "sm_clerk"),
        },
    )
    make_meeting(w, title="下周的会", starts_at=start + timedelta(days=9))  # not touched
    summary = seed(None)  # type: ignore[arg-type]
    assert m.title in summary and f"/meetings/{m.pk}/attendance/" in summary
    rep = att.report(m)
    t = rep.totals.counts()
    assert t["expected"] == 10 and t["leave"] == 1 and t["late"] >= 1 and t["absent"] >= 1
    assert t["present"] + t["late"] + t["leave"] + t["absent"] == 10 and t["waiting"] == 0
    assert rep.totals.leave[0].reason
    assert any(v.online for v in rep.venues) and not all(v.online for v in rep.venues)
    assert Attendee.objects.filter(meeting=m, sign_method="organiser").count() == 1
    events = MeetingEvent.objects.filter(meeting=m).count()
    assert "已存在" in seed(None)  # type: ignore[arg-type]
    assert MeetingEvent.objects.filter(meeting=m).count() == events
    assert not Attendee.objects.filter(meeting__title="下周的会", signed_in_at__isnull=False).exists()


def test_demo_completes_the_scheduling_demos_sign_ins() -> None:
    w = build_world(code=COUNTY_CODE)
    start = timezone.localtime(timezone.now() - timedelta(days=7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    m = make_meeting(
        w, starts_at=start, status="ended", confirm={"scj": ("scj_head", "scj_staff"), "czj": ("cz_head",)}
    )
    # as the scheduling demo leaves it: rows signed in, no events
    Attendee.objects.filter(meeting=m, user__in=[w.users["deputy"], w.users["scj_head"]]).update(
        signed_in_at=start - timedelta(minutes=5), sign_method="qr"
    )
    Attendee.objects.filter(meeting=m, user=w.users["scj_staff"]).update(
        signed_in_at=start + timedelta(minutes=12), sign_method="organiser", signed_in_by=w.users["organiser"]
    )
    summary = seed(None)  # type: ignore[arg-type]
    # only 冯局长 missing: he stays absent and the last participant who signed in (吴科员) is the leave
    assert "应到 4 人，到会 2、迟到 0、请假 1、缺席 1" in summary
    assert MeetingEvent.objects.filter(meeting=m, kind="signed_in").count() == 2
    ev = MeetingEvent.objects.get(meeting=m, kind="signed_in", attendee__user=w.users["scj_head"])
    assert ev.actor == w.users["scj_head"] and ev.at == start - timedelta(minutes=5)
    wu = Attendee.objects.get(meeting=m, user=w.users["scj_staff"])
    assert wu.reply == "leave" and wu.leave_reason and wu.signed_in_at is None
    assert "已存在" in seed(None)  # type: ignore[arg-type]
    assert MeetingEvent.objects.filter(meeting=m).count() == 3


def test_demo_on_the_demo_county(settings: Any, tmp_path: Any) -> None:
    from tongban.meetings import demo_scheduling
    from tongban.orgs import demo
    from tongban.orgs.services import seed_apply

    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    seed_apply(plan=demo.build_plan(staff=600))
    demo_scheduling.seed(None)  # type: ignore[arg-type]
    summary = seed(None)  # type: ignore[arg-type]
    past = Meeting.objects.get(title="全县一季度经济运行分析会")
    assert past.title in summary and "请假 1" in summary
    t = att.report(past).totals.counts()
    assert t["leave"] == 1 and t["late"] >= 1 and t["absent"] >= 1 and t["present"] >= 1
    assert MeetingEvent.objects.filter(meeting=past, kind="signed_in").count() == t["present"] + t["late"]
    assert "已存在" in seed(None)  # type: ignore[arg-type]
