"""Online interviews: the 3-day announcement and 60-minute rules, moderation, the cached live
fragment, the 5-working-day reply deadline across National Day 2026, reminders, XSS, the
permissions matrix and the pages."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tongban.core import clock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.interaction import interviews
from tongban.interaction import interviews_selectors as sel
from tongban.interaction.models import Interview, InterviewQuestion, InterviewStatus, QuestionStatus
from tongban.interaction.testing import build_world
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, mi))


@pytest.fixture
def w():
    return build_world()


def make(w, *, start=None, minutes=60, guests=None) -> Interview:
    start = start or at(2026, 9, 30, 10)
    with clock.moved_to(start - timedelta(days=10)):
        return interviews.interview_create(
            actor=w.users["host"], county=w.county, title="优化营商环境", summary="与网友交流营商环境。",
            host_unit=w.units["scj"], starts_at=start, ends_at=start + timedelta(minutes=minutes),
            guests=guests or [{"name": "陈局长", "title": "市场监管局局长", "user": w.users["guest"]},
                              {"name": "刘股长", "title": "登记注册股股长"}],
        )  # fmt: skip


def announced(w, **kw) -> Interview:
    iv = make(w, **kw)
    with clock.moved_to(iv.starts_at - timedelta(days=5)):
        return interviews.interview_announce(iv, actor=w.users["host"])


def live(w, **kw) -> Interview:
    iv = announced(w, **kw)
    with clock.moved_to(iv.starts_at - timedelta(minutes=5)):
        return interviews.interview_start(iv, actor=w.users["host"])


# --- the rules -----------------------------------------------------------------------------------
def test_announce_needs_three_calendar_days(w):
    iv = make(w)  # starts 2026-09-30 10:00
    # 2 days 23 h 59 min ahead
    with clock.moved_to(at(2026, 9, 27, 10, 1)), pytest.raises(TongbanError) as exc:
        interviews.interview_announce(iv, actor=w.users["host"])
    assert exc.value.code == "interviews.announce_too_late"
    iv.refresh_from_db()
    assert iv.status == InterviewStatus.DRAFT and iv.announced_at is None and iv.version == 0
    with clock.moved_to(at(2026, 9, 27, 10, 0)):  # exactly 3 days ahead
        interviews.interview_announce(iv, actor=w.users["host"])
    iv.refresh_from_db()
    assert iv.status == InterviewStatus.ANNOUNCED and iv.announced_at == at(2026, 9, 27, 10)


def test_announced_interview_cannot_move_inside_three_days(w):
    iv = announced(w)  # announced 2026-09-25 10:00
    with pytest.raises(TongbanError) as exc:
        interviews.interview_update(
            iv, actor=w.users["host"], title=iv.title, summary=iv.summary, host_unit=iv.host_unit,
            starts_at=at(2026, 9, 28, 9), ends_at=at(2026, 9, 28, 10), guests=[{"name": "陈局长", "title": "局长"}],
        )  # fmt: skip
    assert exc.value.code == "interviews.announce_too_late"
    assert Interview.objects.get(pk=iv.pk).starts_at == at(2026, 9, 30, 10)


def test_live_session_at_most_sixty_minutes(w):
    with pytest.raises(TongbanError) as exc:
        make(w, minutes=61)
    assert exc.value.code == "interviews.too_long"
    assert not Interview.objects.exists()
    assert make(w, minutes=60).pk


def test_start_window_and_end_sets_reply_deadline_across_national_day(w):
    iv = announced(w)
    with clock.moved_to(at(2026, 9, 30, 9, 29)), pytest.raises(TongbanError):
        interviews.interview_start(iv, actor=w.users["host"])
    with clock.moved_to(at(2026, 9, 30, 9, 55)):
        interviews.interview_start(iv, actor=w.users["host"])
    with clock.moved_to(at(2026, 9, 30, 10, 58)):
        iv = interviews.interview_end(iv, actor=w.users["host"])
    # 5 working days after Wed 2026-09-30: 10-01..10-07 are National Day, Sat 10-10 is a working day
    assert iv.replies_due_on == date(2026, 10, 13)
    assert interviews.replies_due(at(2026, 9, 29, 15)) == date(2026, 10, 12)
    assert interviews.replies_due(at(2026, 10, 12, 15)) == date(2026, 10, 19)


# --- questions and moderation --------------------------------------------------------------------
def test_pre_question_then_moderation_flow_and_versions(w):
    iv = announced(w)
    pre = interviews.question_ask(iv, nickname="老王", content="能提前问吗？", phone="13900001111")
    assert pre.is_pre and pre.status == QuestionStatus.PENDING
    with clock.moved_to(iv.starts_at - timedelta(minutes=5)):
        iv = interviews.interview_start(iv, actor=w.users["host"])
    v0 = Interview.objects.get(pk=iv.pk).version
    q = interviews.question_ask(iv, nickname="小李", content="开餐馆要办哪些证？")
    assert not q.is_pre
    assert Interview.objects.get(pk=iv.pk).version == v0  # a pending question is not visible
    assert [i.pk for i in sel.feed(iv) if i.kind == "question"] == []
    interviews.question_moderate(q, actor=w.users["host"], approve=True)
    assert Interview.objects.get(pk=iv.pk).version == v0 + 1
    assert [i.content for i in sel.feed(iv) if i.kind == "question"] == ["开餐馆要办哪些证？"]
    guest_host_typed = iv.guests.get(name="刘股长")
    interviews.question_answer(
        q, actor=w.users["host"], answer="营业执照和食品经营许可。", guest=guest_host_typed
    )
    q.refresh_from_db()
    assert q.status == QuestionStatus.ANSWERED and q.answered_live and q.answered_by == guest_host_typed
    # the guest with a staff account answers the pre-question (approved by the host first)
    interviews.question_moderate(pre, actor=w.users["host"], approve=True)
    with pytest.raises(PermissionDenied):
        interviews.question_moderate(
            interviews.question_ask(iv, nickname="x", content="y"), actor=w.users["guest"], approve=True
        )
    interviews.question_answer(pre, actor=w.users["guest"], answer="可以。")
    pre.refresh_from_db()
    assert pre.answered_by.name == "陈局长"
    with pytest.raises(TongbanError):
        interviews.question_answer(pre, actor=w.users["host"], answer="again", guest=guest_host_typed)
    interviews.post_add(iv, actor=w.users["guest"], speaker="ignored", content="欢迎大家。")
    speakers = [i.speaker for i in sel.feed(iv) if i.kind == "post"]
    assert speakers == ["陈局长（市场监管局局长）"]
    assert Interview.objects.get(pk=iv.pk).version == v0 + 5


def test_reject_and_refusals_change_nothing(w):
    iv = live(w)
    q = interviews.question_ask(iv, nickname="a", content="广告广告")
    interviews.question_moderate(q, actor=w.users["host"], approve=False)
    q.refresh_from_db()
    assert q.status == QuestionStatus.REJECTED
    with pytest.raises(TongbanError):
        interviews.question_answer(q, actor=w.users["host"], answer="x", guest=iv.guests.first())
    for who in ("outsider", "portaladmin", "scj_letters", "scj_staff"):
        q2 = interviews.question_ask(iv, nickname="b", content=f"问题{who}")
        with pytest.raises(PermissionDenied):
            interviews.question_moderate(q2, actor=w.users[who], approve=True)
        with pytest.raises(PermissionDenied):
            interviews.question_answer(q2, actor=w.users[who], answer="x", guest=iv.guests.first())
        with pytest.raises(PermissionDenied):
            interviews.interview_end(iv, actor=w.users[who])
        assert InterviewQuestion.objects.get(pk=q2.pk).status == QuestionStatus.PENDING
    assert Interview.objects.get(pk=iv.pk).status == InterviewStatus.LIVE


def test_question_input_checks(w):
    iv = make(w)
    with pytest.raises(TongbanError):  # a draft takes no questions
        interviews.question_ask(iv, nickname="a", content="b")
    iv = announced(w)
    for kwargs in ({"nickname": "", "content": "b"}, {"nickname": "a", "content": ""},
                   {"nickname": "a", "content": "x" * 501}, {"nickname": "a", "content": "b", "phone": "abc"}):  # fmt: skip
        with pytest.raises(TongbanError):
            interviews.question_ask(iv, **kwargs)
    assert not InterviewQuestion.objects.exists()


def test_after_session_answer_is_a_reply_and_reminders(w):
    iv = live(w)
    q = interviews.question_ask(iv, nickname="晚到的网友", content="会后能答复吗？")
    with clock.moved_to(at(2026, 9, 30, 10, 59)):
        iv = interviews.interview_end(iv, actor=w.users["host"])
    with pytest.raises(TongbanError):  # the live room is closed
        interviews.question_ask(iv, nickname="x", content="y")
    # due 2026-10-13: reminded on Mon 10-12 (due the next working day), not before
    assert interviews.remind_replies(date(2026, 10, 9)) == 0
    assert interviews.remind_replies(date(2026, 10, 12)) == 1
    assert interviews.remind_replies(date(2026, 10, 12)) == 1  # run twice: deduplicated
    assert Notification.objects.filter(event="interviews.replies_due").count() == 1
    assert interviews.remind_replies(date(2026, 10, 14)) == 1
    assert Notification.objects.filter(event="interviews.replies_overdue", user=w.users["host"]).count() == 1
    with clock.moved_to(at(2026, 10, 14, 9)):
        interviews.question_answer(q, actor=w.users["host"], answer="已答复。", guest=iv.guests.first())
    q.refresh_from_db()
    assert q.status == QuestionStatus.ANSWERED and not q.answered_live
    assert interviews.remind_replies(date(2026, 10, 15)) == 0
    iv = interviews.interview_publish(iv, actor=w.users["host"], transcript_summary="本期回答 1 个问题。")
    assert iv.status == InterviewStatus.PUBLISHED
    assert [r.pk for r in sel.later_replies(iv)] == [q.pk]


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    buf.seek(0)
    return buf


def test_photos_are_checked(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    iv = live(w)
    photo = interviews.photo_add(iv, actor=w.users["host"], file=_png(), name="现场.png", caption="访谈现场")
    assert photo.image.name.endswith(".png")
    fake = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"not really a png")
    with pytest.raises(TongbanError) as exc:
        interviews.photo_add(iv, actor=w.users["host"], file=fake, name="x.png")
    assert exc.value.code == "interviews.photo_content"
    with pytest.raises(TongbanError):
        interviews.photo_add(iv, actor=w.users["host"], file=io.BytesIO(b"MZ..."), name="x.exe")
    assert iv.photos.count() == 1


# --- the live fragment and its cache ---------------------------------------------------------------
def test_live_fragment_is_cached_per_version(w, client, django_assert_max_num_queries):
    iv = live(w)
    url = reverse("interviews_public:live_fragment", args=[iv.pk])
    iv.refresh_from_db()
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] == f'"iv{iv.pk}-{iv.version}"'
    assert 'hx-trigger="every 3s"' in first.content.decode()
    # a poll that already has the current version: no change, no query
    with django_assert_max_num_queries(0):
        unchanged = client.get(url, {"since": iv.version})
    assert unchanged.status_code == 204
    with django_assert_max_num_queries(0):
        revalidated = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    with django_assert_max_num_queries(0):  # the rendered version comes from the cache
        again = client.get(url, {"since": iv.version - 1})
    assert again.content == first.content
    # a visible change: a new version, new content, rendered once
    q = interviews.question_ask(iv, nickname="网友甲", content="新的问题？")
    interviews.question_moderate(q, actor=w.users["host"], approve=True)
    changed = client.get(url, {"since": iv.version})
    assert changed.status_code == 200 and "新的问题？" in changed.content.decode()
    assert changed["ETag"] == f'"iv{iv.pk}-{iv.version + 1}"'
    assert f"since={iv.version + 1}" in changed.content.decode()
    with django_assert_max_num_queries(0):
        assert client.get(url, {"since": iv.version + 1}).status_code == 204
    with django_assert_max_num_queries(0):
        assert client.get(url).content == changed.content


def test_version_is_taken_from_database_once_when_cache_is_cold(w, client, django_assert_max_num_queries):
    iv = live(w)
    iv.refresh_from_db()
    cache.clear()
    url = reverse("interviews_public:live_fragment", args=[iv.pk])
    with django_assert_max_num_queries(1):
        assert client.get(url, {"since": iv.version}).status_code == 204
    with django_assert_max_num_queries(0):
        assert client.get(url, {"since": iv.version}).status_code == 204


def test_draft_fragment_and_page_are_not_public(w, client):
    iv = make(w)
    assert client.get(reverse("interviews_public:live_fragment", args=[iv.pk])).status_code == 404
    assert client.get(reverse("interviews_public:detail", args=[iv.pk])).status_code == 404


# --- public pages and XSS ------------------------------------------------------------------------
def _ask(client, iv, **data):
    page = client.get(reverse("interviews_public:detail", args=[iv.pk]))
    form = page.context["form"]
    a, b = form.challenge_question.split(" = ")[0].split(" + ")
    payload = {"nickname": "网友", "content": "问题", "phone": "", "challenge": str(int(a) + int(b)),
               "challenge_token": form.initial["challenge_token"]}  # fmt: skip
    payload.update(data)
    return client.post(reverse("interviews_public:ask", args=[iv.pk]), payload)


def test_public_ask_xss_is_escaped_and_phone_never_shown(w, client):
    iv = live(w, guests=[{"name": XSS, "title": XSS}])
    r = _ask(client, iv, nickname=XSS, content=XSS, phone="13955556666")
    assert r.status_code == 302
    q = InterviewQuestion.objects.get()
    assert q.nickname == XSS and q.content == XSS and q.phone == "13955556666"
    interviews.question_moderate(q, actor=w.users["host"], approve=True)
    interviews.question_answer(q, actor=w.users["host"], answer=XSS, guest=iv.guests.first())
    interviews.post_add(iv, actor=w.users["host"], speaker=XSS, content=XSS)
    html = client.get(reverse("interviews_public:detail", args=[iv.pk])).content.decode()
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "13955556666" not in html
    staff = client
    staff.force_login(w.users["host"])
    html = staff.get(reverse("interviews:detail", args=[iv.pk])).content.decode()
    assert XSS not in html


def test_public_ask_needs_the_challenge_and_is_rate_limited(w, client):
    iv = live(w)
    r = _ask(client, iv, challenge="999")
    assert r.status_code == 400 and not InterviewQuestion.objects.exists()
    for _ in range(5):
        assert _ask(client, iv).status_code == 302
    r = _ask(client, iv)
    assert r.status_code == 400 and "提交过于频繁" in r.content.decode()
    assert InterviewQuestion.objects.count() == 5


def test_public_index_and_pages(w, client, django_assert_max_num_queries):
    up = announced(w)
    past = live(w, start=at(2026, 9, 1, 10))
    with clock.moved_to(at(2026, 9, 1, 10, 50)):
        interviews.interview_end(past, actor=w.users["host"])
    interviews.interview_publish(past, actor=w.users["host"], transcript_summary="综述：共回答 3 个问题。")
    with clock.moved_to(at(2026, 9, 20)):
        with django_assert_max_num_queries(12):  # the portal frame's identity included
            html = client.get(reverse("interviews_public:index")).content.decode()
        assert up.title in html and "tb-countdown" in html
        detail = client.get(reverse("interviews_public:detail", args=[up.pk])).content.decode()
        assert "预先提问" in detail and 'hx-trigger="every 30s"' in detail
        done = client.get(reverse("interviews_public:detail", args=[past.pk])).content.decode()
        assert (
            "综述：共回答 3 个问题。" in done and "hx-trigger" not in done and 'name="nickname"' not in done
        )


# --- staff pages and permissions -----------------------------------------------------------------
def test_staff_pages_permission_matrix(w, client):
    iv = live(w)
    q = interviews.question_ask(iv, nickname="n", content="c")
    urls = [
        reverse("interviews:index"),
        reverse("interviews:detail", args=[iv.pk]),
        reverse("interviews:create"),
    ]
    for u in urls:
        assert client.get(u).status_code == 302  # anonymous → login
    for who in ("outsider", "scj_letters", "editor"):
        client.force_login(w.users[who])
        assert client.get(urls[0]).status_code == 403
        assert client.get(urls[1]).status_code == 404
        assert client.get(urls[2]).status_code == 403
        r = client.post(reverse("interviews:moderate", args=[q.pk]), {"decision": "approve"})
        assert r.status_code == 404
        r = client.post(reverse("interviews:action", args=[iv.pk, "end"]))
        assert r.status_code == 404
    client.force_login(w.users["portaladmin"])  # views, may not act
    assert client.get(urls[1]).status_code == 200
    assert (
        client.post(reverse("interviews:moderate", args=[q.pk]), {"decision": "approve"}).status_code == 403
    )
    assert client.post(reverse("interviews:action", args=[iv.pk, "end"])).status_code == 403
    assert client.get(urls[2]).status_code == 403
    # a guest with a staff account sees the console of their interview
    client.force_login(w.users["guest"])
    assert client.get(urls[1]).status_code == 200
    assert client.post(reverse("interviews:action", args=[iv.pk, "end"])).status_code == 403
    q.refresh_from_db()
    iv.refresh_from_db()
    assert q.status == QuestionStatus.PENDING and iv.status == InterviewStatus.LIVE


def test_host_runs_an_interview_through_the_pages(w, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(w.users["host"])
    with clock.moved_to(at(2026, 9, 20, 9)):
        r = client.post(reverse("interviews:create"), {
            "title": "医保政策", "summary": "参保缴费。", "host_unit": w.units["zfb"].pk,
            "starts_at": "2026-09-24T15:00", "ends_at": "2026-09-24T16:00",
            "guest_0_name": "郑局长", "guest_0_title": "医保局局长", "guest_0_user": "guest",
        })  # fmt: skip
        assert r.status_code == 302, r.content.decode()[:2000]
        iv = Interview.objects.get(title="医保政策")
        assert iv.guests.get().user == w.users["guest"]
        r = client.post(reverse("interviews:create"), {
            "title": "太长", "summary": "x", "host_unit": w.units["zfb"].pk,
            "starts_at": "2026-09-24T15:00", "ends_at": "2026-09-24T16:30", "guest_0_name": "a", "guest_0_title": "b",
        })  # fmt: skip
        assert r.status_code == 400 and "60" in r.content.decode()
        client.post(reverse("interviews:action", args=[iv.pk, "announce"]))
    iv.refresh_from_db()
    assert iv.status == InterviewStatus.ANNOUNCED
    with clock.moved_to(at(2026, 9, 24, 14, 50)):
        client.post(reverse("interviews:action", args=[iv.pk, "start"]))
        q = interviews.question_ask(iv, nickname="居民", content="缴费标准？")
        pending = client.get(reverse("interviews:questions", args=[iv.pk])).content.decode()
        assert "缴费标准？" in pending and 'hx-trigger="every 3s"' in pending
        client.post(reverse("interviews:moderate", args=[q.pk]), {"decision": "approve"})
        client.post(
            reverse("interviews:answer", args=[q.pk]),
            {"guest": iv.guests.get().pk, "answer": "每人 400 元。"},
        )
        client.post(
            reverse("interviews:action", args=[iv.pk, "post"]), {"speaker": "主持人", "content": "欢迎。"}
        )
        client.post(
            reverse("interviews:action", args=[iv.pk, "photo"]), {"image": _named_png(), "caption": "现场"}
        )
        client.post(reverse("interviews:action", args=[iv.pk, "end"]))
        client.post(reverse("interviews:action", args=[iv.pk, "publish"]), {"transcript_summary": "综述。"})
    iv.refresh_from_db()
    q.refresh_from_db()
    assert iv.status == InterviewStatus.PUBLISHED and q.answer == "每人 400 元。" and iv.photos.count() == 1
    assert iv.posts.get().content == "欢迎。"


def _named_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("现场.png", _png().getvalue(), content_type="image/png")


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # the interviews' own queries (the portal frame and the staff shell are other parts' business)
    return len([q for q in ctx.captured_queries if '"interaction_' in q["sql"]])


def test_list_pages_do_not_grow_with_rows(w, client, django_assert_max_num_queries):
    make(w, start=at(2026, 9, 30, 10))
    from django.test import Client

    anonymous = Client()
    anonymous.get(reverse("interviews_public:index"))  # warm up: the portal identity is made on first use
    public_one = _queries(anonymous, reverse("interviews_public:index"))
    client.force_login(w.users["host"])
    client.get(reverse("interviews:index"))
    staff_one = _queries(client, reverse("interviews:index"))
    for i in range(1, 6):
        announced(w, start=at(2026, 9, 29 - i, 10))
    assert _queries(anonymous, reverse("interviews_public:index")) == public_one
    assert _queries(client, reverse("interviews:index")) == staff_one
    with django_assert_max_num_queries(45):  # the staff shell's navigation included
        r = client.get(reverse("interviews:index"))
    assert r.content.decode().count("data-interview=") == 6


def test_home_page_selectors(w):
    up = announced(w)
    lv = live(w, start=at(2026, 9, 10, 10))
    with clock.moved_to(at(2026, 9, 10, 10, 5)):
        assert [i.pk for i in sel.upcoming_and_live(w.county, limit=3)] == [lv.pk, up.pk]
    assert list(sel.recent_published(w.county)) == []


def test_demo_interviews_are_idempotent():
    from tongban.core.demo import DemoContext
    from tongban.interaction import demo_interviews
    from tongban.orgs.demo import COUNTY_CODE

    w = build_world(code=COUNTY_CODE)
    assert "新建 4 期" in demo_interviews.seed(DemoContext(usernames=[]))
    assert "新建 0 期" in demo_interviews.seed(DemoContext(usernames=[]))
    assert len(sel.recent_published(w.county)) == 3
    [up] = sel.upcoming_and_live(w.county)
    assert up.status == InterviewStatus.ANNOUNCED and sel.pending_questions(up).count() == 2
    assert all(i.replies_due_on for i in sel.recent_published(w.county))


def test_host_edits_an_announced_interview_and_guests(w, client):
    iv = announced(w)
    guests = list(iv.guests.all())
    client.force_login(w.users["host"])
    page = client.get(reverse("interviews:edit", args=[iv.pk])).content.decode()
    assert 'value="陈局长"' in page and 'value="guest"' in page
    data = {
        "title": "优化营商环境（第二期）", "summary": "改了简介", "host_unit": w.units["scj"].pk,
        "starts_at": "2026-09-30T15:00", "ends_at": "2026-09-30T16:00",
        "guest_0_id": guests[0].pk, "guest_0_name": "陈局长", "guest_0_title": "局长", "guest_0_user": "guest",
        "guest_1_name": "新嘉宾", "guest_1_title": "科长",
    }  # fmt: skip
    with clock.moved_to(at(2026, 9, 26)):
        r = client.post(reverse("interviews:edit", args=[iv.pk]), data)
        assert r.status_code == 302
        bad = client.post(reverse("interviews:edit", args=[iv.pk]), {**data, "guest_1_user": "nobody"})
        assert bad.status_code == 400 and "没有这个用户名" in bad.content.decode()
    iv.refresh_from_db()
    assert iv.title == "优化营商环境（第二期）" and iv.starts_at == at(2026, 9, 30, 15)
    assert [(g.pk == guests[0].pk, g.name) for g in iv.guests.all()] == [(True, "陈局长"), (False, "新嘉宾")]
    assert iv.version == 2  # announced (1) + the visible edit
