"""The attendance demo: the latest past meeting of the demo county gets sign-ins (on time, late, one
at the desk), one leave and absences; a second run creates nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.meetings import attendance as att
from tongban.meetings.demo_attendance import seed
from tongban.meetings.models import Attendee, MeetingEvent
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
