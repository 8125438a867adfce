"""In Chromium: the organiser arranges a meeting with two venues and an invited unit, is warned
of a room clash and saves anyway (仍然保存), sends the notice; the unit's clerk fills in the
参会回执 for two people (one attends, one on leave) and the organiser sees the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.meetings.models import ConfirmStatus, Invitation, Meeting, MeetingStatus, Reply
from tongban.meetings.testing import PASSWORD, build_world, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def test_arrange_clash_notify_confirm(page: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    w = build_world()
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    make_meeting(
        w, title="已排的会议", starts_at=start, minutes=60, venues=("hall",), chair="county_head", people=()
    )
    base = live_server.url

    _login(page, base, "organiser")
    page.goto(f"{base}/meetings/")
    page.click("#meeting-new")
    page.wait_for_load_state()
    page.fill("#id_title", "全县防汛工作视频会")
    page.check("#id_kind_1")  # 视频会议
    page.select_option("#id_chair", str(w.users["deputy"].pk))
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_confirm_deadline", (start - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_main_venue", str(w.venues["hall"].pk))
    page.check(f"#venue-choices input[value='{w.venues['qs_room'].pk}']")
    page.locator("#unit-choices details", has_text="青山县市场监督管理局").locator("summary").click()
    page.check(f"#inv-{w.units['scj'].pk}")
    page.fill(f"#seats-{w.units['scj'].pk}", "2")
    page.fill("#id_agenda-0-title", "部署汛期工作")
    page.click("#meeting-save")
    page.wait_for_load_state()
    warning = page.locator("#clash-warnings")
    assert "县政府第一会议室" in warning.inner_text() and "已排的会议" in warning.inner_text()
    assert Meeting.objects.count() == 1
    page.check("#id_force")
    page.click("#meeting-save")
    page.wait_for_load_state()
    m = Meeting.objects.get(title="全县防汛工作视频会")
    assert page.url.endswith(f"/meetings/{m.pk}/")
    page.click("#meeting-notify")
    page.wait_for_load_state()
    assert "已通知" in page.locator("#meeting-status").inner_text()

    # the clerk of 市场监管局 confirms two people
    _login(page, base, "scj_clerk")
    page.goto(f"{base}/meetings/")
    page.locator("#to-confirm a", has_text="全县防汛工作视频会").click()
    page.wait_for_load_state()
    head, staff = w.users["scj_head"].pk, w.users["scj_staff"].pk
    page.select_option(f"#reply-{head}", "attend")
    page.select_option(f"#reply-{staff}", "leave")
    page.fill(f"#reason-{staff}", "在外执法检查")
    page.click("#confirm-submit")
    page.wait_for_load_state()
    assert page.url.endswith(f"/meetings/{m.pk}/")
    inv = Invitation.objects.get(meeting=m)
    assert inv.status == ConfirmStatus.CONFIRMED and inv.confirmed_by == w.users["scj_clerk"]
    assert dict(inv.attendees.values_list("user__username", "reply")) == {
        "scj_head": Reply.ATTEND,
        "scj_staff": Reply.LEAVE,
    }

    # the organiser sees the table
    _login(page, base, "organiser")
    page.goto(f"{base}/meetings/{m.pk}/confirmations/")
    row = page.locator(f"#confirmations-table tr[data-unit='{w.units['scj'].pk}']")
    assert "陈局长" in row.inner_text() and "在外执法检查" in row.inner_text()
    m.refresh_from_db()
    assert m.status == MeetingStatus.NOTIFIED
