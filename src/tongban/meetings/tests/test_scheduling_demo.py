"""Demo data of the scheduling part: venues with terminals for every township, four meetings in
their states (today's video meeting with replies and one 请假, next week's, an ended one with
sign-ins, a draft), built through the services; a second run creates nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.meetings.demo_scheduling import seed
from tongban.meetings.models import Attendee, Invitation, Meeting, MeetingStatus, Reply, Venue
from tongban.orgs import demo
from tongban.orgs.services import seed_apply

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent(settings: Any, tmp_path: Any) -> None:
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    seed_apply(plan=demo.build_plan(staff=600))  # enough staff that the townships have their heads
    first = seed(None)  # type: ignore[arg-type]
    assert first.startswith("会议：会场")
    counts = (
        Venue.objects.count(),
        Meeting.objects.count(),
        Attendee.objects.count(),
        Invitation.objects.count(),
    )
    assert seed(None).startswith("会议：演示会议已存在")  # type: ignore[arg-type]
    assert (
        Venue.objects.count(),
        Meeting.objects.count(),
        Attendee.objects.count(),
        Invitation.objects.count(),
    ) == counts
    assert Venue.objects.count() == 13
    cg = Venue.objects.get(name="城关镇视频会议室")
    assert (
        cg.terminal.username == "chengguan"
        and Venue.objects.get(name="县政府第一会议室").terminal.username == "hall1"
    )
    assert Venue.objects.get(name="青石镇视频会议室").terminal.username == "zd_qingshi"
    today = Meeting.objects.get(title="全县安全生产工作视频调度会")
    assert today.status == MeetingStatus.NOTIFIED and today.chair.username == "countyleader"
    assert today.organiser.username == "huiwu" and today.venue_links.count() == 11
    assert today.invitations.count() == 13 and today.invitations.filter(status="confirmed").count() >= 5
    assert Attendee.objects.filter(meeting=today, reply=Reply.LEAVE).exclude(leave_reason="").count() == 1
    assert Attendee.objects.filter(meeting=today, role="terminal", user__username="chengguan").exists()
    statuses = dict(Meeting.objects.values_list("title", "status"))
    assert statuses == {
        "全县安全生产工作视频调度会": "notified",
        "县政府常务会议": "notified",
        "全县一季度经济运行分析会": "ended",
        "全县森林防火工作会议": "draft",
    }
    past = Meeting.objects.get(status="ended")
    assert Attendee.objects.filter(meeting=past, signed_in_at__isnull=False).count() >= 2
