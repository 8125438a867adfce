"""Letters pages: the public write form (challenge, rate limit, attachments, account link), lookup
with rating and re-handling, the published list and detail (contacts hidden, name masked), the
statistics page; XSS in every public field; the staff boxes and actions with their authorization
matrix; query counts on the lists."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.interaction import letters
from tongban.interaction.models import Letter, LetterAttachment, LetterStatus, Rating
from tongban.interaction.testing import InteractionWorld, build_world
from tongban.interaction.tests.test_letters_support import (
    PHONE,
    answered,
    citizen_client,
    mailboxes,
    snapshot,
    solve,
    staff_client,
    write,
)

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    cache.clear()
    workcal.invalidate()
    yield
    cache.clear()


@pytest.fixture
def w(db: Any) -> InteractionWorld:
    return build_world()


@pytest.fixture
def boxes(w: InteractionWorld) -> Any:
    return mailboxes(w)


def _form(client: Client, url: str) -> dict[str, str]:
    html = client.get(url).content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', html)
    assert token, "no challenge on the form"
    return {"challenge_token": token.group(1), "challenge": solve(token.group(1))}


def _post_letter(client: Client, box: Any, **kw: Any) -> Any:
    url = reverse("letters_public:write")
    data: dict[str, Any] = {
        **_form(client, url),
        "mailbox": box.pk,
        "kind": "consult",
        "title": "办证咨询",
        "content": "开餐馆要办什么证？",
        "writer_name": "李四",
        "phone": PHONE,
        "email": "",
        "address": "",
        "may_publish": "on",
    }
    data.update(kw)
    return client.post(url, data)


# --- public: writing ---------------------------------------------------------------------------
def test_write_shows_the_code_and_due_date(boxes: Any) -> None:
    c = Client()
    with tclock.moved_to(date(2026, 9, 30)):
        r = _post_letter(c, boxes[0], attachments=[SimpleUploadedFile("证明.pdf", PDF, "application/pdf")])
        assert r.status_code == 302 and r["Location"] == reverse("letters_public:written")
        page = c.get(r["Location"]).content.decode()
    letter = Letter.objects.get()
    assert letter.tracking_code in page and "2026-10-10" in page
    assert LetterAttachment.objects.get().name == "证明.pdf"
    # the writer can follow it at once
    r = c.get(reverse("letters_public:track", args=[letter.tracking_code]))
    assert r.status_code == 200 and "办理过程" in r.content.decode()


def test_write_refuses_a_wrong_challenge_and_bad_files(boxes: Any) -> None:
    c = Client()
    r = _post_letter(c, boxes[0], challenge="999")
    assert r.status_code == 200 and "验证题答案不正确" in r.content.decode()
    r = _post_letter(
        c, boxes[0], attachments=[SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")]
    )
    assert "不支持的文件类型" in r.content.decode()
    r = _post_letter(c, boxes[0], attachments=[SimpleUploadedFile("fake.pdf", b"hello", "application/pdf")])
    assert "内容与扩展名不符" in r.content.decode()
    files = [SimpleUploadedFile(f"{i}.pdf", PDF, "application/pdf") for i in range(4)]
    r = _post_letter(c, boxes[0], attachments=files)
    assert "最多上传 3 个附件" in r.content.decode()
    assert Letter.objects.count() == 0 and LetterAttachment.objects.count() == 0


def test_write_is_rate_limited(boxes: Any) -> None:
    c = Client()
    for _i in range(5):
        assert _post_letter(c, boxes[0]).status_code == 302
    r = _post_letter(c, boxes[0])
    assert r.status_code == 200 and "提交过于频繁" in r.content.decode()
    assert Letter.objects.count() == 5


def test_logged_in_account_prefills_and_links(w: InteractionWorld, boxes: Any) -> None:
    assert w.citizen is not None
    c = citizen_client(w.citizen)
    html = c.get(reverse("letters_public:write")).content.decode()
    assert 'value="张明"' in html and f'value="{w.citizen.phone}"' in html
    assert _post_letter(c, boxes[0], writer_name="张明", phone=w.citizen.phone).status_code == 302
    letter = Letter.objects.get()
    assert letter.account == w.citizen
    mine = c.get(reverse("letters_public:mine")).content.decode()
    assert letter.tracking_code in mine
    # anonymous visitors are sent to the login page
    r = Client().get(reverse("letters_public:mine"))
    assert r.status_code == 302 and reverse("ban:login") in r["Location"]
    # another account does not see it
    assert w.citizen2 is not None
    assert (
        letter.tracking_code
        not in citizen_client(w.citizen2).get(reverse("letters_public:mine")).content.decode()
    )


def test_xss_in_every_public_field_is_stored_and_shown_escaped(w: InteractionWorld, boxes: Any) -> None:
    c = Client()
    with tclock.moved_to(date(2026, 9, 30)):
        r = _post_letter(c, boxes[0], title=XSS, content=XSS, writer_name=XSS, address=XSS)
        assert r.status_code == 302
    letter = Letter.objects.get()
    assert letter.title == XSS and letter.content == XSS and letter.address == XSS
    for url in (
        reverse("letters_public:written"),
        reverse("letters_public:track", args=[letter.tracking_code]),
    ):
        html = c.get(url).content.decode()
        assert XSS not in html and ESCAPED in html
    staff = staff_client(w, "mailbox").get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert XSS not in staff and ESCAPED in staff
    # answered, published: the rating comment and the re-handling reason too
    with tclock.moved_to(date(2026, 10, 8)):
        letters.letter_answer(letter=letter, actor=w.users["mailbox"], content="答复")
        letters.letter_publish(letter=letter, actor=w.users["mailbox"], publish=True)
        r = c.post(
            reverse("letters_public:rate", args=[letter.tracking_code]),
            {"rating": "unsatisfied", "comment": XSS},
        )
        assert r.status_code == 302
        html = c.get(reverse("letters_public:track", args=[letter.tracking_code])).content.decode()
        assert XSS not in html and ESCAPED in html
        pub = c.get(reverse("letters_public:detail", args=[letter.pk])).content.decode()
        assert XSS not in pub and ESCAPED in pub
        r = c.post(reverse("letters_public:rehandle", args=[letter.tracking_code]), {"reason": XSS})
        assert r.status_code == 302
        html = c.get(reverse("letters_public:track", args=[letter.tracking_code])).content.decode()
        assert XSS not in html and ESCAPED in html
    letter.refresh_from_db()
    assert letter.rehandle_count == 1


# --- public: lookup, rating, re-handling ----------------------------------------------------------
def test_lookup_needs_code_and_phone(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))
    c = Client()
    # without a lookup the progress page is not shown
    assert c.get(reverse("letters_public:track", args=[letter.tracking_code])).status_code == 404
    r = c.post(reverse("letters_public:lookup"), {"code": letter.tracking_code, "phone": "13900000000"})
    assert r.status_code == 200 and "查询码或联系电话不正确" in r.content.decode()
    r = c.post(reverse("letters_public:lookup"), {"code": letter.tracking_code.lower(), "phone": PHONE})
    assert r.status_code == 302
    with tclock.moved_to(date(2026, 10, 9)):
        html = c.get(r["Location"]).content.decode()
    assert "受理日期" in html and "答复部门" in html and "可到政务服务中心市场监管窗口办理。" in html
    assert "评价答复" in html and "申请重办" in html


def test_failed_lookups_are_limited(boxes: Any) -> None:
    c = Client()
    for _i in range(20):
        c.post(reverse("letters_public:lookup"), {"code": "XJ0000", "phone": PHONE})
    r = c.post(reverse("letters_public:lookup"), {"code": "XJ0000", "phone": PHONE})
    assert "提交过于频繁" in r.content.decode()


def test_rate_through_the_page_closes_the_letter(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))
    c = Client()
    c.post(reverse("letters_public:lookup"), {"code": letter.tracking_code, "phone": PHONE})
    with tclock.moved_to(date(2026, 10, 9)):
        r = c.post(reverse("letters_public:rate", args=[letter.tracking_code]), {"rating": "bogus"})
        assert r.status_code == 400
        r = c.post(reverse("letters_public:rate", args=[letter.tracking_code]), {"rating": "satisfied"})
        assert r.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED and letter.rating == Rating.SATISFIED
    # a stranger cannot rate by guessing the code
    other = Client()
    before = snapshot(letter)
    r = other.post(reverse("letters_public:rehandle", args=[letter.tracking_code]), {"reason": "x"})
    assert r.status_code == 404 and snapshot(letter) == before


# --- public: published letters and statistics -------------------------------------------------
def test_published_list_and_detail_hide_the_writers_contacts(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))
    hidden = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8), title="未公开的信")
    letters.letter_publish(letter=letter, actor=w.users["mailbox"], publish=True)
    c = Client()
    index = c.get(reverse("letters_public:index")).content.decode()
    assert letter.title in index and hidden.title not in index
    html = c.get(reverse("letters_public:detail", args=[letter.pk])).content.decode()
    for secret in (letter.phone, letter.email, letter.address, letter.writer_name):
        assert secret not in html
    assert "张**" in html and "2026-09-30" in html and "2026-10-08" in html and "青山县市场监督管理局" in html
    assert c.get(reverse("letters_public:detail", args=[hidden.pk])).status_code == 404
    # filters
    assert letter.title not in c.get(reverse("letters_public:index") + "?kind=complaint").content.decode()
    assert letter.title in c.get(reverse("letters_public:index") + "?q=餐饮").content.decode()
    assert letter.title not in c.get(reverse("letters_public:index") + "?start=2026-10-01").content.decode()


def test_public_list_query_count(w: InteractionWorld, boxes: Any, django_assert_max_num_queries: Any) -> None:
    for _i in range(12):
        lt = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))
        letters.letter_publish(letter=lt, actor=w.users["mailbox"], publish=True)
    c = Client()
    c.get(reverse("letters_public:index"))
    with django_assert_max_num_queries(12):
        r = c.get(reverse("letters_public:index"))
    assert r.content.decode().count('href="/portal/letters/') >= 12


def test_stats_page(w: InteractionWorld, boxes: Any) -> None:
    answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))
    with tclock.moved_to(date(2026, 10, 9)):
        html = Client().get(reverse("letters_public:stats") + "?year=2026").content.decode()
    assert 'id="st-received">1<' in html and 'id="st-answered">1<' in html
    assert "echarts.min.js" in html and 'id="letters-chart"' in html and "2026-10" in html


# --- staff -------------------------------------------------------------------------------------
STAFF_ROLES = ("anonymous", "outsider", "editor", "cz_letters", "scj_letters", "mailbox")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_pages_matrix(w: InteractionWorld, boxes: Any, role: str) -> None:
    letter = write(boxes[1], on=date(2026, 9, 30))  # routed to 市场监管局
    c = staff_client(w, role)
    index = c.get(reverse("letters:index"))
    detail = c.get(reverse("letters:detail", args=[letter.pk]))
    expected_index = {"anonymous": 302, "outsider": 403, "editor": 403}.get(role, 200)
    expected_detail = {"anonymous": 302, "outsider": 403, "editor": 403, "cz_letters": 404}.get(role, 200)
    assert index.status_code == expected_index
    assert detail.status_code == expected_detail


@pytest.mark.parametrize("role", ["anonymous", "outsider", "cz_letters", "scj_letters"])
def test_office_actions_refused_for_others_and_nothing_changes(
    w: InteractionWorld, boxes: Any, role: str
) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    before = snapshot(letter)
    c = staff_client(w, role)
    for name, data in (
        ("route", {"unit": w.units["scj"].pk}),
        ("answer", {"answer-content": "x"}),
        ("invalidate", {"invalid-category": "spam", "invalid-reason": "x"}),
        ("publish", {"publish": "1"}),
        ("urge", {"urge-note": "x"}),
    ):
        r = c.post(reverse(f"letters:{name}", args=[letter.pk]), data)
        assert r.status_code in (302, 403, 404)
        if role == "anonymous":
            assert "/login" in r["Location"]
    assert snapshot(letter) == before


def test_unit_actions_refused_for_other_units(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[1], on=date(2026, 9, 30))
    before = snapshot(letter)
    for role in ("cz_letters", "mailbox", "outsider"):
        c = staff_client(w, role)
        r1 = c.post(reverse("letters:reply", args=[letter.pk]), {"reply-content": "x", "action": "submit"})
        r2 = c.post(reverse("letters:return", args=[letter.pk]), {"return-reason": "x"})
        assert r1.status_code in (403, 404) and r2.status_code in (403, 404)
    assert snapshot(letter) == before


def test_the_loop_through_the_staff_pages(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    office, unit = staff_client(w, "mailbox"), staff_client(w, "scj_letters")
    r = office.post(reverse("letters:route", args=[letter.pk]), {"unit": "", "note": ""})
    assert r.status_code == 400
    r = office.post(reverse("letters:route", args=[letter.pk]), {"unit": w.units["scj"].pk, "note": "请办理"})
    assert r.status_code == 302
    html = unit.get(reverse("letters:index") + "?box=todo").content.decode()
    assert letter.tracking_code in html
    r = unit.post(reverse("letters:reply", args=[letter.pk]), {"reply-content": "", "action": "submit"})
    assert r.status_code == 400
    r = unit.post(
        reverse("letters:reply", args=[letter.pk]), {"reply-content": "答复内容", "action": "submit"}
    )
    assert r.status_code == 302
    r = office.post(
        reverse("letters:review", args=[letter.pk]), {"review-decision": "return", "review-note": ""}
    )
    assert r.status_code == 400 and "请填写退回意见" in r.content.decode()
    r = office.post(
        reverse("letters:review", args=[letter.pk]),
        {"review-decision": "approve", "review-content": "答复内容（已审）", "review-note": ""},
    )
    assert r.status_code == 302
    r = office.post(reverse("letters:publish", args=[letter.pk]), {"publish": "1"})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ANSWERED and letter.is_published
    assert letter.reply_content == "答复内容（已审）"
    html = office.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "答复稿" in html and "转办" in html


def test_staff_list_query_count_and_overdue(
    w: InteractionWorld, boxes: Any, django_assert_max_num_queries: Any
) -> None:
    for _i in range(15):
        write(boxes[0], on=date(2026, 9, 30))
    c = staff_client(w, "mailbox")
    with tclock.moved_to(date(2026, 10, 12)):
        c.get(reverse("letters:index"))
        with django_assert_max_num_queries(40):  # the staff shell (nav badges of every part) included
            r = c.get(reverse("letters:index"))
        html = r.content.decode()
        assert html.count("table-danger") == 15  # all past their due date (10 Oct)
        assert "超期" in html
        assert (
            c.get(reverse("letters:index") + "?overdue=1&box=all").content.decode().count("data-letter=")
            == 15
        )


def test_attachment_download_is_restricted(w: InteractionWorld, boxes: Any) -> None:
    letter = write(
        boxes[1], on=date(2026, 9, 30), files=[SimpleUploadedFile("a.pdf", PDF, "application/pdf")]
    )
    att = letter.attachments.get()
    url = reverse("letters:attachment", args=[att.pk])
    assert staff_client(w, "scj_letters").get(url).status_code == 200
    assert staff_client(w, "mailbox").get(url).status_code == 200
    assert staff_client(w, "cz_letters").get(url).status_code == 404
    assert staff_client(w, "anonymous").get(url).status_code == 302
