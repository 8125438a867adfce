"""Scheduling pages: 我的会议 (boxes, a fixed number of queries), the meeting form (clash
warnings with 仍然保存, adding agenda rows without JavaScript), the meeting page, notify, cancel,
the unit's 回执 form, the confirmation table and its XLSX, material downloads, 会场管理; and the
authorization matrix of every page (refused users get 403/404 and nothing changes)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tongban.meetings.models import (
    ConfirmStatus,
    Invitation,
    Meeting,
    MeetingMaterial,
    MeetingStatus,
    Venue,
)
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings: Any, tmp_path: Any) -> MeetingsWorld:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def client(w: MeetingsWorld, key: str) -> Client:
    c = Client()
    c.force_login(w.users[key])
    return c


def form_data(w: MeetingsWorld, **over: Any) -> dict[str, Any]:
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    d: dict[str, Any] = {
        "title": "全县安全生产工作视频调度会",
        "kind": "video",
        "host_unit": w.units["zfb"].pk,
        "chair": w.users["deputy"].pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "confirm_deadline": (start - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "main_venue": w.venues["hall"].pk,
        "venues": [w.venues["qs_room"].pk],
        "inv": [w.units["qsz"].pk, w.units["scj"].pk],
        f"seats_{w.units['qsz'].pk}": "3",
        f"seats_{w.units['scj'].pk}": "2",
        "late_after_minutes": "5",
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-0-title": "通报安全生产形势",
        "agenda-0-presenter": w.users["deputy"].pk,
        "agenda-0-minutes": "20",
        "agenda-1-title": "",
    }
    d.update(over)
    return d


def test_create_with_clash_warning_then_force(w: MeetingsWorld) -> None:
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    make_meeting(
        w, title="已排会议", starts_at=start, minutes=60, venues=("hall",), chair="county_head", people=()
    )
    c = client(w, "organiser")
    assert c.get("/meetings/new/").status_code == 200
    r = c.post("/meetings/new/", form_data(w))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="clash-warnings"' in html and "已排会议" in html and "仍然保存" in html
    assert Meeting.objects.count() == 1
    r = c.post("/meetings/new/", form_data(w, force="on"))
    assert r.status_code == 302
    m = Meeting.objects.exclude(title="已排会议").get()
    assert r["Location"] == f"/meetings/{m.pk}/"
    assert dict(m.invitations.values_list("unit__unit_code", "seats")) == {"QSZ": 3, "SCJ": 2}
    assert list(m.agenda.values_list("title", flat=True)) == ["通报安全生产形势"]


def test_form_errors_and_add_rows(w: MeetingsWorld) -> None:
    c = client(w, "organiser")
    r = c.post("/meetings/new/", form_data(w, ends_at=form_data(w)["starts_at"]))
    assert r.status_code == 400 and "结束时间须晚于开始时间" in r.content.decode()
    r = c.post("/meetings/new/", form_data(w, add_agenda="1"))
    assert r.status_code == 200 and 'name="agenda-4-title"' in r.content.decode()
    r = c.post("/meetings/new/", form_data(w, **{f"seats_{w.units['qsz'].pk}": "0"}))
    assert r.status_code == 400 and "参会名额须在 1 至" in r.content.decode()
    assert not Meeting.objects.exists()


def test_index_boxes_and_query_count(w: MeetingsWorld) -> None:
    for i in range(3):
        make_meeting(w, title=f"会议{i}", starts_at=timezone.now() + timedelta(days=i + 1), venues=("hall2",))
    c = client(w, "organiser")
    c.get("/meetings/")  # warm up (session, nav)
    with CaptureQueriesContext(connection) as few:
        r = c.get("/meetings/")
    assert r.status_code == 200 and "会议2" in r.content.decode()
    for i in range(3, 9):
        make_meeting(w, title=f"会议{i}", starts_at=timezone.now() + timedelta(days=i + 1), venues=("hall2",))
    with CaptureQueriesContext(connection) as many:
        r = c.get("/meetings/")
    assert "会议8" in r.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # a clerk sees the meetings to confirm
    r = client(w, "scj_clerk").get("/meetings/?box=confirm")
    assert r.status_code == 200 and 'id="to-confirm"' in r.content.decode() and "会议8" in r.content.decode()


def test_detail_notify_cancel(w: MeetingsWorld) -> None:
    m = make_meeting(w, status="draft")
    c = client(w, "organiser")
    r = c.get(f"/meetings/{m.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="meeting-notify"' in html and 'id="meeting-tabs"' in html
    r = c.post(f"/meetings/{m.pk}/notify/")
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == MeetingStatus.NOTIFIED
    r = c.post(f"/meetings/{m.pk}/cancel/", {"cancel-reason": ""})
    assert r.status_code == 400 and "请填写取消原因" in r.content.decode()
    r = c.post(f"/meetings/{m.pk}/cancel/", {"cancel-reason": "改期"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == MeetingStatus.CANCELLED


def test_confirm_form_and_table(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    inv = Invitation.objects.get(meeting=m, unit=w.units["scj"])
    c = client(w, "scj_clerk")
    url = f"/meetings/{m.pk}/confirm/{inv.pk}/"
    r = c.get(url)
    assert r.status_code == 200 and "陈局长" in r.content.decode()
    head, staff, clerk = (w.users[k].pk for k in ("scj_head", "scj_staff", "scj_clerk"))
    r = c.post(url, {f"reply_{head}": "attend", f"reply_{staff}": "attend", f"reply_{clerk}": "attend"})
    assert r.status_code == 400 and "名额为 2 人" in r.content.decode()
    r = c.post(url, {f"reply_{head}": "attend", f"reply_{staff}": "leave", f"reason_{staff}": "<b>病假</b>"})
    assert r.status_code == 302
    inv.refresh_from_db()
    assert inv.status == ConfirmStatus.CONFIRMED
    r = client(w, "organiser").get(f"/meetings/{m.pk}/confirmations/")
    html = r.content.decode()
    assert r.status_code == 200 and "&lt;b&gt;病假&lt;/b&gt;" in html and "<b>病假" not in html
    r = client(w, "organiser").get(f"/meetings/{m.pk}/confirmations/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    scj = next(row for row in rows if row[0] == "青山县市场监督管理局")
    assert scj[1] == 2 and scj[3] == "陈局长" and "病假" in scj[4] and scj[5] == "孙文书"


def test_material_upload_and_download(w: MeetingsWorld) -> None:
    m = make_meeting(w, confirm={"scj": ("scj_head",)})
    c = client(w, "organiser")
    f = SimpleUploadedFile('汇报"材料.pdf', b"%PDF-1.4 demo", content_type="application/pdf")
    r = c.post(f"/meetings/{m.pk}/materials/", {"material-file": f})
    assert r.status_code == 302
    mat = MeetingMaterial.objects.get()
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    r = c.post(f"/meetings/{m.pk}/materials/", {"material-file": bad})
    assert r.status_code == 400 and "不支持的文件类型" in r.content.decode()
    url = f"/meetings/{m.pk}/materials/{mat.pk}/"
    for key in ("scj_head", "scj_clerk", "qs_terminal", "deputy", "organiser"):
        r = client(w, key).get(url)
        assert r.status_code == 200, key
        assert b"".join(r.streaming_content) == b"%PDF-1.4 demo"  # type: ignore[attr-defined]
        assert "attachment" in r["Content-Disposition"] and '"材料' not in r["Content-Disposition"]
    assert client(w, "outsider").get(url).status_code == 404
    assert client(w, "by_clerk").get(url).status_code == 404
    # deleting: managers only
    assert client(w, "deputy").post(f"{url}delete/").status_code == 403
    assert MeetingMaterial.objects.count() == 1


def test_venues_admin(w: MeetingsWorld) -> None:
    c = client(w, "organiser")
    assert c.get("/meetings/venues/").status_code == 200
    r = c.post(
        "/meetings/venues/",
        {
            "name": "县政府第三会议室",
            "unit": w.units["zfb"].pk,
            "capacity": "40",
            "is_active": "on",
            "sort": "5",
        },
    )
    assert r.status_code == 302 and Venue.objects.filter(name="县政府第三会议室", capacity=40).exists()
    r = c.post("/meetings/venues/", {"name": "县政府第一会议室", "unit": w.units["zfb"].pk, "capacity": "1"})
    assert r.status_code == 400 and "已有名为" in r.content.decode()
    hall = w.venues["hall"]
    r = c.post(
        f"/meetings/venues/{hall.pk}/",
        {"name": hall.name, "unit": w.units["zfb"].pk, "capacity": "90", "has_video": "on",
         "terminal": w.users["hall_terminal"].pk, "is_active": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    hall.refresh_from_db()
    assert hall.capacity == 90 and hall.terminal == w.users["hall_terminal"]
    # a township venue is not the organiser's to edit; others may not manage venues at all
    assert c.get(f"/meetings/venues/{w.venues['qs_room'].pk}/").status_code == 404
    assert client(w, "qs_clerk").get("/meetings/venues/").status_code == 403
    assert (
        client(w, "qs_clerk").post("/meetings/venues/", {"name": "x", "unit": w.units["qsz"].pk}).status_code
        == 403
    )
    assert not Venue.objects.filter(name="x").exists()


def test_authorization_matrix(w: MeetingsWorld) -> None:
    m = make_meeting(w)
    inv = Invitation.objects.get(meeting=m, unit=w.units["scj"])
    snapshot = (m.title, m.status, m.starts_at)
    base = f"/meetings/{m.pk}/"
    outsider, chair, terminal, other_clerk = (
        client(w, k) for k in ("outsider", "deputy", "hall_terminal", "cz_clerk")
    )
    for url in (base, f"{base}edit/", f"{base}confirmations/", f"{base}confirm/{inv.pk}/"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"{base}notify/").status_code == 404
    assert outsider.post(f"{base}cancel/", {"cancel-reason": "x"}).status_code == 404
    assert outsider.get("/meetings/new/").status_code == 403
    # participants see the page but may not edit, notify or cancel
    for c in (chair, terminal):
        assert c.get(base).status_code == 200
        assert c.get(f"{base}edit/").status_code == 403
        assert c.post(f"{base}edit/", {"title": "改"}).status_code == 403
        assert c.post(f"{base}notify/").status_code == 403
        assert c.post(f"{base}cancel/", {"cancel-reason": "x"}).status_code == 403
    assert chair.get(f"{base}confirmations/").status_code == 200  # the chair sees the table
    assert terminal.get(f"{base}confirmations/").status_code == 403
    # the clerk of 财政局 sees the meeting (its unit is invited) but cannot confirm for 市场监管局
    assert other_clerk.get(base).status_code == 200
    url = f"{base}confirm/{inv.pk}/"
    assert other_clerk.get(url).status_code == 403
    assert other_clerk.post(url, {f"reply_{w.users['scj_head'].pk}": "attend"}).status_code == 403
    # the login page for anonymous visitors
    assert Client().get(base).status_code == 302
    m.refresh_from_db()
    inv.refresh_from_db()
    assert (m.title, m.status, m.starts_at) == snapshot
    assert inv.status == ConfirmStatus.PENDING and not inv.attendees.exists()
