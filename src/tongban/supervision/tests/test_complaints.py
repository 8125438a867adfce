"""Complaints (投诉): filing on the web and by staff, due dates on working days, forwarding, the
unit's statement, the answer, the public lookup, rate limits, audit, SMS, pages and API with
their authorization matrix and query counts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from tongban.approvals.testing import new_case
from tongban.core import clock as tclock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.notify.models import Notification
from tongban.supervision import complaints
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import Complaint, ComplaintChannel, ComplaintStatus, SupervisionPolicy
from tongban.supervision.tests import test_complaint_support as support
from tongban.supervision.tests.test_complaint_support import citizen_client, client_for

pytestmark = pytest.mark.django_db
w, _fresh = support.w, support._fresh  # the shared fixtures

# 2025 National Day: 1–8 October off; Sunday 28 September and Saturday 11 October are workdays.
FRIDAY_BEFORE_HOLIDAY = date(2025, 9, 26)


def _file(w, **kw):
    args = {
        "name": "张明",
        "phone": "13800000001",
        "subject": "窗口态度差",
        "text": "工作人员不耐烦。",
        "unit_id": w.units["scj"].pk,
        "client_ip": "10.0.0.1",
    }
    args.update(kw)
    return complaints.complaint_file(**args)


def test_web_complaint_due_in_ten_working_days_over_national_day(w):
    with tclock.moved_to(FRIDAY_BEFORE_HOLIDAY):
        c = _file(w)
    # 10 working days after Fri 26 Sep 2025: 28 Sep (Sun, workday), 29, 30, 9 Oct, 10, 11 (Sat,
    # workday), 13, 14, 15, 16.
    assert c.due_on == date(2025, 10, 16)
    assert c.status == ComplaintStatus.RECEIVED
    assert c.channel == ComplaintChannel.WEB
    assert c.number == f"TS{w.county.code}202509260001"
    assert c.unit == w.units["scj"]
    # the supervisors are told
    assert Notification.objects.filter(
        user=w.users["supervisor"], event="supervision.complaint_received"
    ).exists()


def test_complaint_days_is_a_setting(w):
    SupervisionPolicy.objects.update_or_create(id=1, defaults={"complaint_days": 3})
    with tclock.moved_to(FRIDAY_BEFORE_HOLIDAY):
        c = _file(w)
    assert c.due_on == date(2025, 9, 30)


def test_complaint_about_a_case_checks_name_or_phone(w):
    case = new_case(w)
    with pytest.raises(TongbanError) as e:
        _file(w, tracking_no=case.tracking_no, name="李四", phone="13911112222", unit_id=None)
    assert e.value.field == "tracking_no"
    assert not Complaint.objects.exists()
    c = _file(w, tracking_no=case.tracking_no.lower(), name="李四", phone=case.applicant_phone, unit_id=None)
    assert c.case == case and c.unit == case.unit
    # unknown number reads the same
    with pytest.raises(TongbanError) as e2:
        _file(w, tracking_no="NOPE", unit_id=None)
    assert e2.value.message == e.value.message


def test_logged_in_account_is_linked_and_its_own_case_needs_no_match(w):
    case = new_case(w, account=w.citizen)
    c = _file(
        w, tracking_no=case.tracking_no, name="别名", phone="13911112222", unit_id=None, account=w.citizen
    )
    assert c.account == w.citizen
    assert list(sel.complaints_of_account(w.citizen)) == [c]


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("phone", "12345"), ("subject", " "), ("text", ""), ("text", "长" * 5001)],
)
def test_bad_input_changes_nothing(w, field, value):
    with pytest.raises(TongbanError) as e:
        _file(w, **{field: value})
    assert e.value.field == field
    assert not Complaint.objects.exists()


def test_neither_case_nor_unit_is_refused(w):
    with pytest.raises(TongbanError) as e:
        _file(w, unit_id=None)
    assert e.value.code == "supervision.target_required"


def test_anonymous_rate_limits(w):
    for i in range(complaints.RATE_PER_PHONE_DAY):
        _file(w, subject=f"第{i}次")
    with pytest.raises(TongbanError) as e:
        _file(w)
    assert e.value.code == "supervision.complaint_rate_limited"
    # another phone from the same address: up to the hourly limit of the address
    for i in range(complaints.RATE_PER_IP_HOUR - complaints.RATE_PER_PHONE_DAY):
        _file(w, phone=f"1390000{i:04d}")
    with pytest.raises(TongbanError):
        _file(w, phone="13999999999")
    # a logged-in account is not limited this way
    _file(w, account=w.citizen)
    assert Complaint.objects.count() == complaints.RATE_PER_IP_HOUR + 1


def test_lifecycle_forward_statement_answer_with_audit_and_sms(
    w, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    sup, head = w.users["supervisor"], w.users["scj_leader"]
    c = _file(w)
    # unit heads do not see it before it is forwarded
    with pytest.raises(NotFound):
        sel.access_complaint(head, c.pk)
    c = complaints.complaint_forward(complaint=c, actor=sup, note="请说明情况")
    assert c.status == ComplaintStatus.ASSIGNED
    c.refresh_from_db()
    assert (c.assign_note, c.assigned_by, c.unit) == ("请说明情况", sup, w.units["scj"])
    assert c.assigned_at is not None and c.statement == "" and c.stated_at is None
    assert Notification.objects.filter(user=head, event="supervision.complaint_assigned").exists()
    assert sel.access_complaint(head, c.pk) == c
    assert complaints.can_state(head, c)
    # another unit's head may not state
    with pytest.raises(PermissionDenied):
        complaints.complaint_state(complaint=c, actor=w.users["zj_leader"], statement="x")
    c.refresh_from_db()
    assert c.statement == "" and c.stated_by is None  # refused: nothing written
    complaints.complaint_state(complaint=c, actor=head, statement="初步说明")
    complaints.complaint_state(complaint=c, actor=head, statement="已批评教育。")
    c.refresh_from_db()
    # the later statement replaces the earlier one on the complaint; the audit log keeps both
    assert (c.statement, c.stated_by) == ("已批评教育。", head) and c.stated_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        c = complaints.complaint_answer(complaint=c, actor=sup, upheld=True, answer="经核查属实，已整改。")
    assert c.status == ComplaintStatus.ANSWERED and c.upheld is True
    c.refresh_from_db()
    assert c.sms_sent_at is not None
    sent_at = c.sms_sent_at
    events = list(
        AuditRecord.objects.filter(object_type="supervision.complaint", object_id=str(c.pk))
        .order_by("seq")
        .values_list("event", flat=True)
    )
    assert events == [
        "supervision.complaint_forwarded",
        "supervision.complaint_stated",
        "supervision.complaint_stated",
        "supervision.complaint_answered",
        "supervision.complaint_sms_sent",
    ]
    stated = AuditRecord.objects.filter(event="supervision.complaint_stated").order_by("seq")
    assert [(r.old, r.new["statement"]) for r in stated] == [
        (None, "初步说明"),
        ({"statement": "初步说明"}, "已批评教育。"),
    ]
    sms = [json.loads(line) for line in (tmp_path / "sms.log").read_text().splitlines()]
    assert len(sms) == 1 and sms[0]["to"] == "13800000001" and c.number in sms[0]["text"]
    # sending again does nothing: sms_sent_at is set, nothing more sent or audited
    assert complaints.complaint_send_answer_sms(complaint_id=c.pk) == "skipped"
    c.refresh_from_db()
    assert c.sms_sent_at == sent_at
    assert len((tmp_path / "sms.log").read_text().splitlines()) == 1
    assert AuditRecord.objects.filter(event="supervision.complaint_sms_sent").count() == 1
    # answered: no more forwarding, statements or answers
    with pytest.raises(TongbanError):
        complaints.complaint_forward(complaint=c, actor=sup, note="再转")
    with pytest.raises(TongbanError):
        complaints.complaint_state(complaint=c, actor=head, statement="补充")
    with pytest.raises(TongbanError):
        complaints.complaint_answer(complaint=c, actor=sup, upheld=False, answer="改")


def test_only_supervisors_forward_answer_and_enter(w):
    c = _file(w)
    for name in ("handler", "scj_leader", "zj_leader", "outsider"):
        user = w.users[name]
        with pytest.raises(PermissionDenied):
            complaints.complaint_forward(complaint=c, actor=user, note="x")
        with pytest.raises(PermissionDenied):
            complaints.complaint_answer(complaint=c, actor=user, upheld=True, answer="x")
        with pytest.raises(PermissionDenied):
            complaints.complaint_enter(
                actor=user,
                channel="phone",
                name="a",
                phone="13800000009",
                subject="s",
                text="t",
                unit_id=c.unit_id,
            )
    c.refresh_from_db()
    assert c.status == ComplaintStatus.RECEIVED
    assert Complaint.objects.count() == 1


def test_answer_needs_upheld_and_text(w):
    c = _file(w)
    sup = w.users["supervisor"]
    with pytest.raises(TongbanError) as e:
        complaints.complaint_answer(complaint=c, actor=sup, upheld=None, answer="x")
    assert e.value.field == "upheld"
    with pytest.raises(TongbanError) as e:
        complaints.complaint_answer(complaint=c, actor=sup, upheld=False, answer=" ")
    assert e.value.field == "answer"
    c.refresh_from_db()
    assert c.status == ComplaintStatus.RECEIVED


def test_staff_entry_by_phone_back_dated_and_overdue(w):
    sup = w.users["supervisor"]
    with tclock.moved_to(date(2025, 10, 20)):
        c = complaints.complaint_enter(
            actor=sup,
            channel=ComplaintChannel.PHONE,
            name="王五",
            phone="0570-1234567",
            subject="来电投诉",
            text="电话反映办件拖延。",
            unit_id=w.units["zjj"].pk,
            received_on=date(2025, 9, 26),
        )
        assert c.due_on == date(2025, 10, 16)
        assert c.entered_by == sup
        assert sel.complaint_overdue(c)
        assert list(sel.complaints_for(sup, sel.ComplaintFilter(overdue=True))) == [c]
        with pytest.raises(TongbanError) as e:
            complaints.complaint_enter(
                actor=sup, channel="phone", name="a", phone="13800000009", subject="s", text="t",
                unit_id=w.units["zjj"].pk, received_on=date(2025, 10, 21),
            )  # fmt: skip
        assert e.value.field == "received_on"
        with pytest.raises(TongbanError) as e:
            complaints.complaint_enter(
                actor=sup,
                channel="web",
                name="a",
                phone="13800000009",
                subject="s",
                text="t",
                unit_id=w.units["zjj"].pk,
            )
        assert e.value.field == "channel"
    assert AuditRecord.objects.filter(event="supervision.complaint_entered", object_id=str(c.pk)).exists()


def test_public_lookup_needs_the_right_phone(w):
    c = _file(w)
    assert sel.complaint_lookup(c.number.lower(), "13800000001") == c
    with pytest.raises(NotFound):
        sel.complaint_lookup(c.number, "13800000002")
    with pytest.raises(NotFound):
        sel.complaint_lookup(c.number, "")
    with pytest.raises(NotFound):
        sel.complaint_lookup("TS0", "13800000001")


# --- pages ---------------------------------------------------------------------------------------
def test_public_pages_file_and_look_up(w):
    client = client_for(w, "anonymous")
    url = reverse("complaints:new")
    r = client.get(url)
    assert r.status_code == 200
    assert "我要投诉" in r.content.decode()
    r = client.post(
        url,
        {"about": "unit", "unit": w.units["zjj"].pk, "name": "赵六", "phone": "13811112222",
         "subject": "<b>规划许可</b>", "text": "拖延"},
    )  # fmt: skip
    assert r.status_code == 302 and r.url == reverse("complaints:filed")
    c = Complaint.objects.get()
    r = client.get(reverse("complaints:filed"))
    assert c.number in r.content.decode()
    look = reverse("complaints:lookup")
    r = client.post(look, {"number": c.number, "phone": "13800000000"})
    assert r.status_code == 404
    assert "未找到该投诉" in r.content.decode()
    complaints.complaint_answer(
        complaint=c, actor=w.users["supervisor"], upheld=False, answer="已核实<script>"
    )
    r = client.post(look, {"number": c.number, "phone": "13811112222"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "已核实&lt;script&gt;" in body and "&lt;b&gt;规划许可&lt;/b&gt;" in body
    assert "投诉不属实" in body


def test_public_form_errors_are_shown_and_nothing_is_saved(w):
    client = client_for(w, "anonymous")
    r = client.post(
        reverse("complaints:new"),
        {
            "about": "case",
            "tracking_no": "X1",
            "name": "赵六",
            "phone": "13811112222",
            "subject": "s",
            "text": "t",
        },
    )
    assert r.status_code == 200
    assert "受理编号与投诉人姓名、电话不符" in r.content.decode()
    assert not Complaint.objects.exists()


def test_citizen_session_prefills_links_and_lists_mine(w):
    client = citizen_client(w.citizen)
    r = client.get(reverse("complaints:new"))
    assert 'value="13800000001"' in r.content.decode()
    case = new_case(w, account=w.citizen)
    r = client.post(
        reverse("complaints:new"),
        {"about": "case", "tracking_no": case.tracking_no, "name": "张明", "phone": "13800000001",
         "subject": "超时", "text": "超过承诺时限"},
    )  # fmt: skip
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.account == w.citizen and c.case == case
    complaints.complaint_answer(complaint=c, actor=w.users["supervisor"], upheld=True, answer="已督促办结")
    r = client.get(reverse("complaints:mine"))
    assert "已督促办结" in r.content.decode()
    # another citizen does not see it
    r = citizen_client(w.citizen2).get(reverse("complaints:mine"))
    assert "已督促办结" not in r.content.decode()


STAFF_PAGES = ["supervision:complaints", "supervision:complaint_enter"]


@pytest.mark.parametrize(
    ("role", "list_status", "enter_status"),
    [
        ("anonymous", 302, 302),
        ("citizen", 302, 302),
        ("handler", 403, 403),
        ("other_head", 200, 403),
        ("unit_head", 200, 403),
        ("supervisor", 200, 200),
    ],
)
def test_staff_list_and_entry_matrix(w, role, list_status, enter_status):
    client = client_for(w, role)
    assert client.get(reverse("supervision:complaints")).status_code == list_status
    assert client.get(reverse("supervision:complaint_enter")).status_code == enter_status
    r = client.post(
        reverse("supervision:complaint_enter"),
        {"channel": "phone", "name": "a", "phone": "13800000009", "subject": "s", "text": "t",
         "unit": w.units["scj"].pk},
    )  # fmt: skip
    if enter_status == 200:
        assert r.status_code == 302
        assert Complaint.objects.count() == 1
    else:
        assert r.status_code == enter_status
        assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("role", "detail", "acts"),
    [
        ("anonymous", 302, 302),
        ("citizen", 302, 302),
        ("handler", 403, 403),
        ("other_head", 404, 404),
        ("unit_head", 200, 403),
        ("supervisor", 200, 302),
    ],
)
def test_detail_forward_answer_matrix(w, role, detail, acts):
    c = _file(w)
    c = complaints.complaint_forward(complaint=c, actor=w.users["supervisor"], note="请说明")
    client = client_for(w, role)
    assert client.get(reverse("supervision:complaint", args=[c.pk])).status_code == detail
    r = client.post(reverse("supervision:complaint_answer", args=[c.pk]), {"upheld": "1", "answer": "答复"})
    assert r.status_code == acts
    c.refresh_from_db()
    assert (c.status == ComplaintStatus.ANSWERED) == (role == "supervisor")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("citizen", 302),
        ("handler", 403),
        ("other_head", 404),
        ("supervisor", 403),
        ("unit_head", 302),
    ],
)
def test_statement_matrix(w, role, status):
    c = complaints.complaint_forward(complaint=_file(w), actor=w.users["supervisor"], note="请说明")
    r = client_for(w, role).post(reverse("supervision:complaint_state", args=[c.pk]), {"statement": "说明"})
    assert r.status_code == status
    stated = AuditRecord.objects.filter(event="supervision.complaint_stated").count()
    assert stated == (1 if role == "unit_head" else 0)
    c.refresh_from_db()
    assert c.statement == ("说明" if role == "unit_head" else "")
    assert (c.stated_by == w.users["scj_leader"]) is (role == "unit_head")


def test_detail_page_shows_the_columns(w, django_capture_on_commit_callbacks, settings, tmp_path):
    """The forwarding note, the unit's statement and the SMS mark come from the complaint's own
    columns (escaped); the page never reads the audit log for them."""
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    sup, head = w.users["supervisor"], w.users["scj_leader"]
    c = complaints.complaint_forward(complaint=_file(w), actor=sup, note="请<b>核实</b>")
    complaints.complaint_state(complaint=c, actor=head, statement="已约谈窗口人员")
    html = client_for(w, "unit_head").get(reverse("supervision:complaint", args=[c.pk])).content.decode()
    assert "请&lt;b&gt;核实&lt;/b&gt;" in html and "已约谈窗口人员" in html
    assert sup.full_name in html and head.full_name in html
    assert 'id="cp-sms"' not in html  # not answered yet
    with django_capture_on_commit_callbacks(execute=True):
        complaints.complaint_answer(complaint=c, actor=sup, upheld=False, answer="不属实")
    c.refresh_from_db()
    html = client_for(w, "supervisor").get(reverse("supervision:complaint", args=[c.pk])).content.decode()
    assert f"{timezone.localtime(c.sms_sent_at):%Y-%m-%d %H:%M}" in html
    assert "已约谈窗口人员" in html


def test_answer_sms_once_and_retried_after_a_failure(w, settings, tmp_path, monkeypatch):
    """The SMS task: nothing for an unanswered complaint; a failed send leaves ``sms_sent_at``
    empty (the task may run again); a sent one is never sent again."""
    from tongban.notify import sms

    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    sup = w.users["supervisor"]
    c = _file(w)
    assert complaints.complaint_send_answer_sms(complaint_id=c.pk) == "skipped"
    c = complaints.complaint_answer(complaint=c, actor=sup, upheld=True, answer="属实")  # no on_commit run

    class Broken:
        def send(self, phone: str, text: str) -> str:
            raise sms.SmsError("网关不可用")

    monkeypatch.setattr(sms, "get_backend", lambda: Broken())
    with pytest.raises(sms.SmsError):
        complaints.complaint_send_answer_sms(complaint_id=c.pk)
    c.refresh_from_db()
    assert c.sms_sent_at is None
    assert not AuditRecord.objects.filter(event="supervision.complaint_sms_sent").exists()
    monkeypatch.undo()
    assert complaints.complaint_send_answer_sms(complaint_id=c.pk) == "sent"
    assert complaints.complaint_send_answer_sms(complaint_id=c.pk) == "skipped"
    c.refresh_from_db()
    assert c.sms_sent_at is not None
    assert len((tmp_path / "sms.log").read_text().splitlines()) == 1
    assert AuditRecord.objects.filter(event="supervision.complaint_sms_sent").count() == 1


def test_supervisor_page_flow_and_overdue_highlight(w):
    client = client_for(w, "supervisor")
    with tclock.moved_to(FRIDAY_BEFORE_HOLIDAY):
        c = _file(w)
    r = client.post(
        reverse("supervision:complaint_forward", args=[c.pk]), {"unit": w.units["zjj"].pk, "note": ""}
    )
    assert r.status_code == 400  # the note is required
    r = client.post(
        reverse("supervision:complaint_forward", args=[c.pk]), {"unit": w.units["zjj"].pk, "note": "转住建"}
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.unit == w.units["zjj"] and c.status == ComplaintStatus.ASSIGNED
    r = client.get(reverse("supervision:complaints"))
    body = r.content.decode()
    assert f'class="table-danger" data-complaint="{c.pk}"' in body  # overdue (due 2025-10-16)
    r = client.get(reverse("supervision:complaints") + "?status=answered")
    assert c.number not in r.content.decode()


def test_list_query_count_does_not_grow(w, django_assert_max_num_queries):
    client = client_for(w, "supervisor")
    for i in range(3):
        _file(w, phone=f"1390000{i:04d}", client_ip=f"10.0.0.{i}")
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("supervision:complaints"))
    for i in range(3, 18):
        _file(w, phone=f"1390000{i:04d}", client_ip=f"10.0.0.{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(reverse("supervision:complaints"))
    assert r.content.decode().count("data-complaint=") == 18


# --- API -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("citizen", 401),
        ("handler", 403),
        ("other_head", 200),
        ("unit_head", 200),
        ("supervisor", 200),
    ],
)
def test_api_list_matrix(w, role, status):
    c = complaints.complaint_forward(complaint=_file(w), actor=w.users["supervisor"], note="请说明")
    r = client_for(w, role).get("/api/v1/complaints/")
    assert r.status_code == status
    if status == 200:
        ids = [i["id"] for i in r.json()["items"]]
        assert ids == ([] if role == "other_head" else [c.pk])


def test_api_enter_forward_statement_answer(w, django_capture_on_commit_callbacks):
    sup = client_for(w, "supervisor")
    head = client_for(w, "unit_head")
    r = sup.post(
        "/api/v1/complaints/",
        {"channel": "letter", "name": "来信人", "phone": "13800000009", "subject": "来信", "text": "内容",
         "unit_id": w.units["scj"].pk},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "received"
    r = head.post(
        f"/api/v1/complaints/{pk}/answer", {"upheld": True, "answer": "x"}, content_type="application/json"
    )
    assert r.status_code == 404  # not forwarded yet: invisible to the unit
    r = sup.post(f"/api/v1/complaints/{pk}/forward", {"note": "请说明"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    r = head.post(
        f"/api/v1/complaints/{pk}/answer", {"upheld": True, "answer": "x"}, content_type="application/json"
    )
    assert r.status_code == 403
    r = head.post(
        f"/api/v1/complaints/{pk}/statement", {"statement": "已整改"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["statement"], body["stated_by"]) == ("已整改", w.users["scj_leader"].full_name)
    assert body["stated_at"] is not None and body["assign_note"] == "请说明" and body["assigned_at"]
    assert body["assigned_by"] == w.users["supervisor"].full_name and body["sms_sent_at"] is None
    assert r.json()["phone"] == ""  # the unit does not see the complainant's phone
    with django_capture_on_commit_callbacks(execute=True):
        r = sup.post(
            f"/api/v1/complaints/{pk}/answer",
            {"upheld": False, "answer": ""},
            content_type="application/json",
        )
    assert r.status_code == 400 and r.json()["code"] == "supervision.answer_required"
    r = sup.post(
        f"/api/v1/complaints/{pk}/answer",
        {"upheld": False, "answer": "不属实"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["upheld"] is False
    body = sup.get(f"/api/v1/complaints/{pk}").json()
    assert body["answer"] == "不属实" and body["statement"] == "已整改"
    assert body["answered_by"] == w.users["supervisor"].full_name


PUBLIC_API = "/api/v1/public/complaints/"


def _public_client() -> Client:
    """The public complaint endpoints (``public_router``, mounted by tongban/api/main.py)."""
    try:
        resolve(PUBLIC_API + "lookup")
    except Resolver404:
        pytest.skip("public_router is not mounted at /api/v1/public/complaints/ yet")
    return Client()


def _post(client: Client, path: str, body: dict) -> Any:
    return client.post(PUBLIC_API + path, body, content_type="application/json")


def test_public_api_file_and_lookup(w):
    client = _public_client()
    r = _post(
        client,
        "",
        {"name": "赵六", "phone": "13811112222", "subject": "s", "text": "t", "unit_id": w.units["scj"].pk},
    )
    assert r.status_code == 201
    number = r.json()["number"]
    r = _post(client, "lookup", {"number": number, "phone": "13811112223"})
    assert r.status_code == 404
    r = _post(client, "lookup", {"number": number, "phone": "13811112222"})
    assert r.status_code == 200 and r.json()["answered"] is False and r.json()["answer"] == ""
    r = _post(
        client,
        "",
        {"name": "", "phone": "13811112222", "subject": "s", "text": "t", "unit_id": w.units["scj"].pk},
    )
    assert r.status_code == 400 and r.json()["code"] == "supervision.name_required"


def test_public_api_mine_needs_a_public_session(w):
    client = _public_client()
    r = client.get(PUBLIC_API + "mine")
    assert r.status_code == 401
    # with the citizen's session: their own complaints only
    _file(w, account=w.citizen, subject="我的投诉")
    _file(w, account=w.citizen2, subject="别人的投诉")
    r = citizen_client(w.citizen).get(PUBLIC_API + "mine")
    assert r.status_code == 200 and [c["subject"] for c in r.json()] == ["我的投诉"]


def test_public_lookup_failures_are_throttled(w):
    c = _file(w)
    client = client_for(w, "anonymous")
    look = reverse("complaints:lookup")
    for _i in range(complaints.LOOKUP_FAILURES_PER_HOUR):
        assert client.post(look, {"number": c.number, "phone": "13900000000"}).status_code == 404
    r = client.post(look, {"number": c.number, "phone": "13800000001"})
    assert r.status_code == 429
    assert "查询失败次数过多" in r.content.decode()
