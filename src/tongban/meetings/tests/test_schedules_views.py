"""Pages of the leaders' schedules: who gets which page (and 403/404 with nothing changed for the
others), the entry form, the county's 领导周活动安排 with its XLSX and PDF, and escaping."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.core import nav
from tongban.meetings import schedules
from tongban.meetings.models import ScheduleEntry, SchedulePublication, ScheduleVisibility
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting
from tongban.meetings.tests.test_schedules import WEEK, at

pytestmark = pytest.mark.django_db
Q = "?week=2026-11-30"


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


def as_user(client: Client, w: MeetingsWorld, key: str) -> Client:
    client.force_login(w.users[key])
    return client


def entry(w: MeetingsWorld, leader: str, start: datetime, **kw: Any) -> ScheduleEntry:
    values = {"title": "调研", "visibility": ScheduleVisibility.INTERNAL, **kw}
    return ScheduleEntry.objects.create(
        county=w.county, leader=w.users[leader], starts_at=start, ends_at=start + timedelta(hours=2), **values
    )


def leader_url(w: MeetingsWorld, key: str) -> str:
    return reverse("schedules:leader", args=[w.users[key].pk]) + Q


def test_nav_entry_for_leaders_secretaries_and_clerks(w: MeetingsWorld) -> None:
    def shown(key: str) -> bool:
        return any(i["key"] == "meetings_schedules" for i in nav.items_for(w.users[key]))

    assert all(shown(k) for k in ("county_head", "deputy", "secretary", "scheduler"))
    assert not any(shown(k) for k in ("scj_staff", "organiser", "outsider"))


def test_index(client: Client, w: MeetingsWorld) -> None:
    r = as_user(client, w, "scheduler").get(reverse("schedules:index") + Q)
    assert r.status_code == 200
    html = r.content.decode()
    assert html.index("李县长") < html.index("王副县长") and "2026年11月30日—12月6日" in html
    r = as_user(client, w, "secretary").get(reverse("schedules:index") + Q)
    assert "李县长" in r.content.decode() and "王副县长" not in r.content.decode()
    r = as_user(client, w, "deputy").get(reverse("schedules:index") + Q)
    assert r.status_code == 302 and r["Location"] == leader_url(w, "deputy")
    r = as_user(client, w, "deputy").get(reverse("schedules:index") + Q + "&all=1")
    assert r.status_code == 200 and "李县长" in r.content.decode()  # 全部领导: the other leaders too
    for key in ("scj_staff", "outsider"):
        assert as_user(client, w, key).get(reverse("schedules:index")).status_code == 403
    client.logout()
    assert client.get(reverse("schedules:index")).status_code == 302  # to the login page


def test_leader_week_page_by_viewer(client: Client, w: MeetingsWorld) -> None:
    entry(w, "county_head", at(0, 9), title="内部会商")
    entry(w, "county_head", at(1, 20), title="私人安排", visibility=ScheduleVisibility.PRIVATE)
    entry(w, "county_head", at(7, 9), title="下周的调研")
    html = as_user(client, w, "secretary").get(leader_url(w, "county_head")).content.decode()
    assert "内部会商" in html and "私人安排" in html and "下周的调研" not in html
    assert "新增日程" in html and "‹ 上一周" in html and "下一周 ›" in html
    r = as_user(client, w, "deputy").get(leader_url(w, "county_head"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "内部会商" in html and "私人安排" not in html and "新增日程" not in html
    html = (
        as_user(client, w, "deputy")
        .get(leader_url(w, "county_head").replace(Q, "?week=2026-12-07"))
        .content.decode()
    )
    assert "下周的调研" in html
    for key in ("scj_staff", "organiser", "outsider"):
        assert as_user(client, w, key).get(leader_url(w, "county_head")).status_code == 404, key
    assert as_user(client, w, "secretary").get(leader_url(w, "deputy")).status_code == 404
    assert as_user(client, w, "scheduler").get(leader_url(w, "scj_head")).status_code == 404


def _form(**kw: str) -> dict[str, str]:
    return {
        "day": "2026-12-01",
        "start": "09:00",
        "end": "11:30",
        "title": "到青山镇调研",
        "place": "青山镇",
        "visibility": "public",
        **kw,
    }


def test_entry_form_creates_and_warns_of_a_clash(client: Client, w: MeetingsWorld) -> None:
    url = reverse("schedules:entry_new", args=[w.users["county_head"].pk])
    c = as_user(client, w, "secretary")
    page = c.get(url + "?day=2026-12-01")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="date"' in html and 'type="time"' in html and 'value="2026-12-01"' in html
    r = c.post(url, _form())
    assert r.status_code == 302 and r["Location"] == leader_url(w, "county_head")
    e = ScheduleEntry.objects.get()
    assert (e.title, e.place, e.visibility, e.created_by) == (
        "到青山镇调研",
        "青山镇",
        "public",
        w.users["secretary"],
    )
    assert timezone.localtime(e.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:00"
    r = c.post(url, _form(start="10:00", end="12:00", title="接待客商"), follow=True)
    assert "时间重叠" in r.content.decode() and ScheduleEntry.objects.count() == 2


def test_entry_form_refuses_bad_input_and_outsiders(client: Client, w: MeetingsWorld) -> None:
    url = reverse("schedules:entry_new", args=[w.users["county_head"].pk])
    r = as_user(client, w, "secretary").post(url, _form(end="08:00"))
    assert r.status_code == 400 and "结束时间必须晚于开始时间。" in r.content.decode()
    r = as_user(client, w, "secretary").post(url, _form(title="", day="不是日期"))
    assert r.status_code == 400 and "请填写活动内容。" in r.content.decode()
    assert "请填写正确的日期" in r.content.decode()
    assert as_user(client, w, "deputy").post(url, _form()).status_code == 403  # sees, may not keep
    assert as_user(client, w, "scj_staff").post(url, _form()).status_code == 404
    assert (
        as_user(client, w, "secretary")
        .post(reverse("schedules:entry_new", args=[w.users["deputy"].pk]), _form())
        .status_code
        == 404
    )
    assert not ScheduleEntry.objects.exists()


def test_edit_and_delete(client: Client, w: MeetingsWorld) -> None:
    e = entry(w, "county_head", at(1, 9), title="原标题")
    edit = reverse("schedules:entry_edit", args=[e.pk])
    delete = reverse("schedules:entry_delete", args=[e.pk])
    assert as_user(client, w, "deputy").post(edit, _form(title="改")).status_code == 403
    assert as_user(client, w, "deputy").post(delete).status_code == 403
    assert as_user(client, w, "scj_staff").post(edit, _form(title="改")).status_code == 404
    assert as_user(client, w, "scj_staff").post(delete).status_code == 404
    assert ScheduleEntry.objects.get(pk=e.pk).title == "原标题"
    c = as_user(client, w, "scheduler")
    assert 'value="原标题"' in c.get(edit).content.decode()
    assert c.post(edit, _form(title="新标题")).status_code == 302
    assert ScheduleEntry.objects.get(pk=e.pk).title == "新标题"
    assert c.post(delete).status_code == 302
    assert not ScheduleEntry.objects.filter(pk=e.pk).exists()


def test_a_meetings_entry_offers_only_its_visibility(client: Client, w: MeetingsWorld) -> None:
    m = make_meeting(w, starts_at=at(1, 9))
    schedules.sync_meeting(m)
    e = ScheduleEntry.objects.get(meeting=m)
    c = as_user(client, w, "scheduler")
    html = c.get(reverse("schedules:entry_edit", args=[e.pk])).content.decode()
    assert "只能修改公开范围" in html and 'name="title"' not in html
    assert (
        c.post(
            reverse("schedules:entry_edit", args=[e.pk]), {"visibility": "public", "title": "x"}
        ).status_code
        == 302
    )
    e.refresh_from_db()
    assert e.visibility == "public" and e.title == m.title
    c.post(reverse("schedules:entry_delete", args=[e.pk]))
    assert ScheduleEntry.objects.filter(pk=e.pk).exists()


def test_county_table_page_xlsx_and_pdf(client: Client, w: MeetingsWorld) -> None:
    entry(w, "county_head", at(0, 9), title="主持召开县政府常务会议", place="县政府第一会议室")
    entry(w, "deputy", at(4, 19), title="=检查夜市消防")
    entry(w, "county_head", at(2, 20), title="私人安排", visibility=ScheduleVisibility.PRIVATE)
    url = reverse("schedules:county") + Q
    c = as_user(client, w, "scheduler")
    html = c.get(url).content.decode()
    assert "青山县领导周活动安排（2026年11月30日—12月6日）" in html
    assert "主持召开县政府常务会议" in html and "私人安排" not in html
    assert "sc-publish" in html and "schedules.css" in html
    assert "sc-publish" not in as_user(client, w, "deputy").get(url).content.decode()
    for key in ("scj_staff", "outsider"):
        assert as_user(client, w, key).get(url).status_code == 403

    from openpyxl import load_workbook

    c = as_user(client, w, "scheduler")
    r = c.get(url + "&format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "青山县领导周活动安排（2026年11月30日—12月6日）"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in rows] == ["李县长", "王副县长"]
    assert rows[0][2] == "09:00 主持召开县政府常务会议（县政府第一会议室）"  # 周一 上午
    assert rows[1][11] == "晚上19:00 =检查夜市消防"  # 周五 下午 (a cell starts with its time: no formula)

    r = c.get(url + "&format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content[:5] == b"%PDF-"


def test_user_text_is_escaped(client: Client, w: MeetingsWorld) -> None:
    entry(w, "county_head", at(0, 9), title="<script>alert(1)</script>", place="<b>x</b>")
    c = as_user(client, w, "scheduler")
    for url in (
        leader_url(w, "county_head"),
        reverse("schedules:county") + Q,
        reverse("schedules:index") + Q,
    ):
        html = c.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, (
            url
        )
        assert "<b>x</b>" not in html


def test_only_the_clerk_publishes(client: Client, w: MeetingsWorld) -> None:
    for key in ("deputy", "county_head", "secretary"):
        assert (
            as_user(client, w, key).post(reverse("schedules:publish"), {"week": "2026-11-30"}).status_code
            == 403
        )
    assert (
        as_user(client, w, "outsider").post(reverse("schedules:publish"), {"week": "2026-11-30"}).status_code
        == 403
    )
    assert not SchedulePublication.objects.exists()
    assert WEEK.weekday() == 0
