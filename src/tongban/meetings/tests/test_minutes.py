"""会议纪要: the draft from the agenda (title, 时间/地点/主持人, one section per agenda item,
出席/列席/请假), sanitising, saving, 转公文办理 (exactly one 纪要 Document in the host unit, a second
time refused), the PDF read back, the pages and the API, and refused roles changing nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pdfplumber
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.documents.models import Document
from tongban.meetings import minutes as svc
from tongban.meetings.models import Attendee, AttendeeRole, MeetingEvent, Minutes, MinutesStatus, Reply
from tongban.meetings.testing import MeetingsWorld, build_world, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def meeting(w: MeetingsWorld) -> Any:
    start = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    m = make_meeting(w, starts_at=start, confirm={"scj": ("scj_head",), "czj": ("cz_head",)})
    # 财政局 局长 asked for leave; a presenter sits in (列席)
    Attendee.objects.filter(meeting=m, user=w.users["cz_head"]).update(
        reply=Reply.LEAVE, leave_reason="赴省厅开会"
    )
    Attendee.objects.create(
        meeting=m, user=w.users["scj_staff"], role=AttendeeRole.PRESENTER, reply=Reply.ATTEND
    )
    return m


def _client(w: MeetingsWorld, key: str) -> Client:
    c = Client()
    c.force_login(w.users[key])
    return c


def _state(meeting: Any) -> tuple[Any, ...]:
    m = Minutes.objects.filter(meeting=meeting).first()
    return (
        (m.title, m.body_html, m.status, m.document_id) if m else None,
        Document.objects.count(),
        MeetingEvent.objects.filter(meeting=meeting, kind__startswith="minutes").count(),
    )


# --- the draft -----------------------------------------------------------------------------------


def test_cn_number() -> None:
    assert [svc.cn_number(n) for n in (1, 2, 9, 10, 11, 19, 20, 23, 99)] == [
        "一", "二", "九", "十", "十一", "十九", "二十", "二十三", "九十九"
    ]  # fmt: skip


def test_draft_from_agenda(w: MeetingsWorld, meeting: Any) -> None:
    m = svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    assert m.title == "全县市场监管工作视频会议纪要"
    body = m.body_html
    assert "<h2>一、传达上级会议精神</h2>" in body
    assert "<h2>二、通报市场监管工作进展</h2>" in body
    assert body.index("一、传达") < body.index("二、通报")
    assert "汇报人：陈局长" in body
    assert "会议议定" in body
    assert "县政府第一会议室（主会场）" in body and "青山镇视频会议室" in body
    assert "<strong>主持人：</strong>王副县长" in body
    start = timezone.localtime(meeting.starts_at)
    assert f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}—" in body
    present = body.split("<strong>出席：</strong>")[1].split("</p>")[0]
    assert present.startswith("王副县长") and "陈局长（市场监管局）" in present
    assert "终端" not in present  # venue terminals are screens, not people
    assert "冯局长" not in present
    assert "<strong>列席：</strong>吴科员（市场监管局）" in body
    assert "<strong>请假：</strong>冯局长（财政局）：赴省厅开会" in body
    assert m.status == MinutesStatus.DRAFT and m.drafted_by == w.users["organiser"]
    ev = MeetingEvent.objects.get(meeting=meeting, kind="minutes_drafted")
    assert ev.actor == w.users["organiser"] and ev.data["source"] == "agenda"


def test_draft_with_signins_lists_only_who_came(w: MeetingsWorld, meeting: Any) -> None:
    Attendee.objects.filter(meeting=meeting, user=w.users["deputy"]).update(
        signed_in_at=meeting.starts_at, sign_method="qr"
    )
    body = svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"]).body_html
    present = body.split("<strong>出席：</strong>")[1].split("</p>")[0]
    assert present == "王副县长（县政府）"
    assert "<strong>缺席：</strong>" in body and "陈局长（市场监管局）" in body.split("缺席")[1]


def test_draft_does_not_overwrite_without_replace(w: MeetingsWorld, meeting: Any) -> None:
    svc.minutes_save(
        meeting=meeting, actor=w.users["organiser"], title="纪要", body_html="<p>已写好的内容</p>"
    )
    before = _state(meeting)
    with pytest.raises(TongbanError) as exc:
        svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    assert exc.value.code == "meetings.minutes_not_empty"
    assert _state(meeting) == before
    m = svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"], replace=True)
    assert "已写好的内容" not in m.body_html and "一、传达上级会议精神" in m.body_html


def test_save_sanitises(w: MeetingsWorld, meeting: Any) -> None:
    m = svc.minutes_save(
        meeting=meeting,
        actor=w.users["organiser"],
        title="  关于全县市场监管工作的会议纪要 ",
        body_html='<h2>一、议题</h2><p onclick="x()">会议议定<script>alert(1)</script><img src=x onerror=y>。</p>'
        '<a href="javascript:1">链接</a>',
    )
    assert m.title == "关于全县市场监管工作的会议纪要"
    assert "<script" not in m.body_html and "alert" not in m.body_html
    assert "onclick" not in m.body_html and "onerror" not in m.body_html and "<img" not in m.body_html
    assert "javascript" not in m.body_html and "<h2>一、议题</h2>" in m.body_html
    assert "<p>会议议定。</p>" in m.body_html


@pytest.mark.parametrize(
    ("title", "body", "code"),
    [
        ("", "<p>x</p>", "meetings.minutes_title_required"),
        ("长" * 201, "<p>x</p>", "meetings.minutes_title_too_long"),
        ("纪要", "<script>only()</script>", "meetings.minutes_body_required"),
    ],
)
def test_save_bad_input_changes_nothing(
    w: MeetingsWorld, meeting: Any, title: str, body: str, code: str
) -> None:
    svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    before = _state(meeting)
    with pytest.raises(TongbanError) as exc:
        svc.minutes_save(meeting=meeting, actor=w.users["organiser"], title=title, body_html=body)
    assert exc.value.code == code
    assert _state(meeting) == before


@pytest.mark.parametrize("key", ["deputy", "scj_head", "scj_clerk", "hall_terminal", "outsider", "cz_head"])
def test_refused_roles_change_nothing(w: MeetingsWorld, meeting: Any, key: str) -> None:
    svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    before = _state(meeting)
    user = w.users[key]
    for call in (
        lambda: svc.draft_from_agenda(meeting=meeting, actor=user, replace=True),
        lambda: svc.minutes_save(meeting=meeting, actor=user, title="改", body_html="<p>改</p>"),
        lambda: svc.minutes_to_documents(meeting=meeting, actor=user),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _state(meeting) == before


# --- to documents ------------------------------------------------------------------------------------


def test_to_documents_once(w: MeetingsWorld, meeting: Any) -> None:
    organiser = w.users["organiser"]
    with pytest.raises(TongbanError) as exc:
        svc.minutes_to_documents(meeting=meeting, actor=organiser)
    assert exc.value.code == "meetings.minutes_empty" and Document.objects.count() == 0
    m = svc.draft_from_agenda(meeting=meeting, actor=organiser)
    doc = svc.minutes_to_documents(meeting=meeting, actor=organiser)
    assert Document.objects.count() == 1
    doc.refresh_from_db()
    assert doc.doc_type == "纪要" and doc.layout == "minutes"
    assert doc.unit == meeting.host_unit and doc.created_by == organiser
    assert doc.title == m.title and "一、传达上级会议精神" in doc.body_html
    assert doc.flag_text == "青山县人民政府办公室纪要"
    assert doc.instance_id is not None  # it is in the outgoing process (拟稿 in the drafter's inbox)
    m.refresh_from_db()
    assert m.status == MinutesStatus.IN_DOCUMENTS and m.document_id == doc.pk
    assert (
        MeetingEvent.objects.get(meeting=meeting, kind="minutes_to_documents").data["document_id"] == doc.pk
    )
    before = _state(meeting)
    for call in (
        lambda: svc.minutes_to_documents(meeting=meeting, actor=organiser),
        lambda: svc.minutes_save(meeting=meeting, actor=organiser, title="改", body_html="<p>改</p>"),
        lambda: svc.draft_from_agenda(meeting=meeting, actor=organiser, replace=True),
    ):
        with pytest.raises(TongbanError) as exc:
            call()
        assert exc.value.code == "meetings.minutes_issued"
    assert _state(meeting) == before and Document.objects.count() == 1


def test_to_documents_needs_a_post_in_the_host_unit(w: MeetingsWorld, meeting: Any) -> None:
    """A manager who holds no post in the host unit (e.g. the organiser moved) cannot draft there:
    the documents module refuses and nothing changes."""
    from tongban.orgs.models import Post

    svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    Post.objects.filter(user=w.users["organiser"]).delete()
    before = _state(meeting)
    with pytest.raises(PermissionDenied):
        svc.minutes_to_documents(meeting=meeting, actor=w.users["organiser"])
    assert _state(meeting) == before


# --- the PDF -----------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((p.extract_text() or "") for p in pdf.pages).replace(" ", "").replace("\n", "")


def test_pdf_reads_back(w: MeetingsWorld, meeting: Any) -> None:
    m = svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    text = _pdf_text(svc.minutes_pdf(meeting, m))
    assert "全县市场监管工作视频会议纪要" in text
    assert "传达上级会议精神" in text and "通报市场监管工作进展" in text
    assert "出席" in text


# --- pages -------------------------------------------------------------------------------------------


def test_pages_for_the_organiser(w: MeetingsWorld, meeting: Any) -> None:
    c = _client(w, "organiser")
    url = reverse("meetings_records:minutes", kwargs={"pk": meeting.pk})
    r = c.get(url)
    assert r.status_code == 200 and "从议程生成" in r.content.decode()
    r = c.post(reverse("meetings_records:minutes_draft", kwargs={"pk": meeting.pk}))
    assert r.status_code == 302
    assert "一、传达上级会议精神" in Minutes.objects.get(meeting=meeting).body_html
    r = c.post(url, {"title": "修改后的纪要", "body_html": "<p>会议议定<script>x()</script>。</p>"})
    assert r.status_code == 302
    m = Minutes.objects.get(meeting=meeting)
    assert m.title == "修改后的纪要" and m.body_html == "<p>会议议定。</p>"
    r = c.post(url, {"title": "", "body_html": "<p>y</p>"})
    assert r.status_code == 400 and "请填写纪要标题" in r.content.decode()
    assert Minutes.objects.get(meeting=meeting).title == "修改后的纪要"
    r = c.get(reverse("meetings_records:minutes_pdf", kwargs={"pk": meeting.pk}))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "修改后的纪要" in _pdf_text(r.content)
    to_docs = reverse("meetings_records:minutes_to_documents", kwargs={"pk": meeting.pk})
    assert c.post(to_docs).status_code == 302
    assert c.post(to_docs).status_code == 302  # refused with a message, nothing more
    assert Document.objects.filter(doc_type="纪要").count() == 1
    page = c.get(url).content.decode()
    doc_id = Minutes.objects.get(meeting=meeting).document_id
    assert doc_id is not None
    assert "已转公文办理" in page and reverse("documents:detail", kwargs={"pk": doc_id}) in page
    assert 'id="doc-form"' not in page  # no more editing here


def test_page_escapes_and_readers(w: MeetingsWorld, meeting: Any) -> None:
    svc.minutes_save(
        meeting=meeting,
        actor=w.users["organiser"],
        title='<b>标题</b>"',
        body_html="<p>正文&lt;script&gt;</p>",
    )
    r = _client(w, "scj_head").get(reverse("meetings_records:minutes", kwargs={"pk": meeting.pk}))
    html = r.content.decode()
    assert r.status_code == 200 and "从议程生成" not in html
    assert "&lt;b&gt;标题&lt;/b&gt;" in html and "<b>标题</b>" not in html
    assert "<script>" not in html.split('id="minutes-body"')[1]


@pytest.mark.parametrize(
    ("key", "view_status", "write_status"),
    [
        ("organiser", 200, 302),
        ("deputy", 200, 403),  # the chair: sees, does not draft
        ("scj_head", 200, 403),  # an attendee named by the unit
        ("hall_terminal", 200, 403),
        ("scj_clerk", 403, 403),  # confirmed for the unit, not an attendee
        ("by_clerk", 404, 404),  # not invited
        ("outsider", 404, 404),
    ],
)
def test_page_matrix(w: MeetingsWorld, meeting: Any, key: str, view_status: int, write_status: int) -> None:
    svc.draft_from_agenda(meeting=meeting, actor=w.users["organiser"])
    before = _state(meeting)
    c = _client(w, key)
    kw = {"pk": meeting.pk}
    assert c.get(reverse("meetings_records:minutes", kwargs=kw)).status_code == view_status
    pdf = c.get(reverse("meetings_records:minutes_pdf", kwargs=kw))
    assert pdf.status_code == view_status
    if key != "organiser":
        assert (
            c.post(
                reverse("meetings_records:minutes", kwargs=kw), {"title": "改", "body_html": "<p>改</p>"}
            ).status_code
            == write_status
        )
        assert (
            c.post(reverse("meetings_records:minutes_draft", kwargs=kw), {"replace": "on"}).status_code
            == write_status
        )
        assert c.post(reverse("meetings_records:minutes_to_documents", kwargs=kw)).status_code == write_status
        assert _state(meeting) == before
    api = f"/api/v1/meetings/{meeting.pk}/minutes"
    assert c.get(api).status_code == view_status
    if key != "organiser":
        api_write = 403 if write_status == 403 else 404
        r = c.put(
            api, data=json.dumps({"title": "改", "body_html": "<p>改</p>"}), content_type="application/json"
        )
        assert r.status_code == api_write and r.json()["code"]
        assert c.post(api + "/draft-from-agenda", content_type="application/json").status_code == api_write
        assert c.post(api + "/to-documents").status_code == api_write
        assert _state(meeting) == before


def test_anonymous_is_sent_to_login(meeting: Any) -> None:
    r = Client().get(reverse("meetings_records:minutes", kwargs={"pk": meeting.pk}))
    assert r.status_code == 302 and "/account/login/" in r["Location"]
    assert Client().get(f"/api/v1/meetings/{meeting.pk}/minutes").status_code == 401


# --- API ---------------------------------------------------------------------------------------------


def test_api_flow(w: MeetingsWorld, meeting: Any) -> None:
    c = _client(w, "organiser")
    api = f"/api/v1/meetings/{meeting.pk}/minutes"
    r = c.get(api)
    assert r.status_code == 200 and r.json()["exists"] is False and r.json()["can_edit"] is True
    r = c.post(api + "/draft-from-agenda", content_type="application/json")
    assert r.status_code == 200 and "二、通报市场监管工作进展" in r.json()["body_html"]
    r = c.post(api + "/draft-from-agenda", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "meetings.minutes_not_empty"
    r = c.put(
        api,
        data=json.dumps({"title": "纪要（修改）", "body_html": "<p>议定<script>x</script></p>"}),
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and r.json()["body_html"] == "<p>议定</p>"
        and r.json()["title"] == "纪要（修改）"
    )
    r = c.put(api, data=json.dumps({"title": "", "body_html": "<p>x</p>"}), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "meetings.minutes_title_required"
    r = c.get(api + "/pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = c.post(api + "/to-documents")
    assert r.status_code == 201 and r.json()["doc_type"] == "纪要" and r.json()["layout"] == "minutes"
    doc_id = r.json()["document_id"]
    r = c.post(api + "/to-documents")
    assert r.status_code == 400 and r.json()["code"] == "meetings.minutes_issued"
    assert Document.objects.count() == 1
    r = c.get(api)
    assert (
        r.json()["status"] == "documents"
        and r.json()["document_id"] == doc_id
        and r.json()["can_edit"] is False
    )


def test_pdf_404_without_minutes(w: MeetingsWorld, meeting: Any) -> None:
    c = _client(w, "organiser")
    assert c.get(reverse("meetings_records:minutes_pdf", kwargs={"pk": meeting.pk})).status_code == 404
    assert c.get(f"/api/v1/meetings/{meeting.pk}/minutes/pdf").status_code == 404


def test_demo_is_idempotent(w: MeetingsWorld, meeting: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tongban.core.demo import DemoContext
    from tongban.meetings import demo_records
    from tongban.orgs import demo as orgs_demo

    monkeypatch.setattr(orgs_demo, "COUNTY_CODE", w.county.code)
    make_meeting(w, title="将来的会议")  # in the future: not chosen
    first = demo_records.seed(DemoContext(usernames=[]))
    assert "已按议程起草" in first
    m = Minutes.objects.get()
    assert m.meeting == meeting and "一、传达上级会议精神" in m.body_html
    assert "已存在" in demo_records.seed(DemoContext(usernames=[]))
    assert Minutes.objects.count() == 1


def test_demo_on_the_scheduling_demo(settings: Any, tmp_path: Any) -> None:
    """With the real demo county and the scheduling demo: the ended meeting gets a drafted 纪要
    listing who signed in; a second run creates nothing."""
    from tongban.core.demo import DemoContext
    from tongban.meetings import demo_records, demo_scheduling
    from tongban.orgs import demo
    from tongban.orgs.services import seed_apply

    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    seed_apply(plan=demo.build_plan(staff=600))
    demo_scheduling.seed(DemoContext(usernames=[]))
    assert "已按议程起草" in demo_records.seed(DemoContext(usernames=[]))
    m = Minutes.objects.get()
    assert m.meeting.status == "ended" and m.status == MinutesStatus.DRAFT
    assert m.drafted_by.username == "huiwu"
    assert "一、一季度主要经济指标分析" in m.body_html and "<strong>出席：</strong>" in m.body_html
    assert "已存在" in demo_records.seed(DemoContext(usernames=[]))
    assert Minutes.objects.count() == 1
