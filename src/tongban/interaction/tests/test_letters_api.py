"""Letters REST API: the staff loop with its authorization matrix (refused callers change nothing),
the public endpoints (write with the challenge and the rate limit, lookup, rate, re-handle,
published letters with the writer's contacts hidden, statistics)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.core import calendar as workcal
from tongban.core import clock as tclock
from tongban.interaction import letters
from tongban.interaction.models import Letter, LetterStatus
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
API = "/api/v1/letters/"
PUBLIC = "/api/v1/public/letters/"


@pytest.fixture(autouse=True)
def _fresh(settings: Any, tmp_path: Any) -> Any:
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


def _post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json.dumps(body), content_type="application/json")


def test_staff_loop_through_the_api(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    office, unit = staff_client(w, "mailbox"), staff_client(w, "scj_letters")
    with tclock.moved_to(date(2026, 9, 30)):
        r = office.get(API + "?box=received")
        assert r.status_code == 200 and r.json()["count"] == 1 and r.json()["counts"]["received"] == 1
        r = _post(office, f"{API}{letter.pk}/route", {"unit_id": w.units["scj"].pk, "note": "请办理"})
        assert r.status_code == 200 and r.json()["status"] == "routed"
        assert unit.get(API + "?box=todo").json()["items"][0]["id"] == letter.pk
        r = _post(unit, f"{API}{letter.pk}/draft", {"content": "初稿"})
        assert r.status_code == 200 and r.json()["draft"]["status"] == "draft"
        assert r.json()["phone"] == ""  # the unit does not see the writer's contacts
        r = _post(unit, f"{API}{letter.pk}/submit", {"content": "请到政务服务中心办理。"})
        assert r.status_code == 200 and r.json()["status"] == "review"
        r = _post(office, f"{API}{letter.pk}/review", {"approve": False, "note": ""})
        assert r.status_code == 400 and r.json()["code"] == "letters.note_required"
    with tclock.moved_to(date(2026, 10, 8)):
        r = _post(office, f"{API}{letter.pk}/review", {"approve": True})
        assert r.status_code == 200 and r.json()["status"] == "answered" and r.json()["on_time"] is True
        r = _post(office, f"{API}{letter.pk}/publish", {"publish": True})
        assert r.status_code == 200 and r.json()["is_published"] is True
    detail = office.get(f"{API}{letter.pk}").json()
    assert detail["phone"] == PHONE
    assert [e["kind"] for e in detail["events"]][:3] == ["received", "routed", "drafted"]


def test_office_answers_invalidates_and_urges_through_the_api(w: InteractionWorld, boxes: Any) -> None:
    office = staff_client(w, "mailbox")
    a, b, c = (write(boxes[0], on=date(2026, 9, 30)) for _i in range(3))
    assert _post(office, f"{API}{a.pk}/answer", {"content": "直接答复"}).json()["status"] == "answered"
    r = _post(office, f"{API}{b.pk}/invalidate", {"category": "spam", "reason": "广告"})
    assert r.json()["status"] == "invalid"
    _post(office, f"{API}{c.pk}/route", {"unit_id": w.units["czj"].pk})
    assert _post(office, f"{API}{c.pk}/urge", {"note": "请抓紧"}).status_code == 200
    r = _post(staff_client(w, "cz_letters"), f"{API}{c.pk}/return", {"reason": "不属于本单位"})
    assert r.status_code == 200 and r.json()["status"] == "received"


@pytest.mark.parametrize("role", ["anonymous", "outsider", "cz_letters", "scj_letters", "citizen"])
def test_office_endpoints_refuse_others_and_change_nothing(
    w: InteractionWorld, boxes: Any, role: str
) -> None:
    letter = write(boxes[0], on=date(2026, 9, 30))
    before = snapshot(letter)
    if role == "citizen":
        assert w.citizen is not None
        c = citizen_client(w.citizen)
    else:
        c = staff_client(w, role)
    for path, body in (
        ("route", {"unit_id": w.units["scj"].pk}),
        ("answer", {"content": "x"}),
        ("invalidate", {"category": "spam", "reason": "x"}),
        ("publish", {"publish": True}),
        ("review", {"approve": True}),
    ):
        r = _post(c, f"{API}{letter.pk}/{path}", body)
        assert r.status_code in (401, 403, 404), (path, r.status_code)
    if role not in ("cz_letters", "scj_letters"):  # handlers have their unit boxes
        assert c.get(API).status_code in (401, 403)
    assert snapshot(letter) == before


def test_unit_endpoints_refuse_other_units(w: InteractionWorld, boxes: Any) -> None:
    letter = write(boxes[1], on=date(2026, 9, 30))
    before = snapshot(letter)
    for role in ("cz_letters", "mailbox", "outsider"):
        c = staff_client(w, role)
        assert _post(c, f"{API}{letter.pk}/submit", {"content": "x"}).status_code in (403, 404)
        assert _post(c, f"{API}{letter.pk}/return", {"reason": "x"}).status_code in (403, 404)
    assert snapshot(letter) == before


# --- public ------------------------------------------------------------------------------------
def _challenge(c: Client) -> dict[str, str]:
    ch = c.get(PUBLIC + "challenge").json()
    return {"challenge_token": ch["token"], "challenge": solve(ch["token"])}


def _letter_body(boxes: Any, **kw: Any) -> dict[str, Any]:
    body = {
        "mailbox_id": boxes[0].pk,
        "kind": "complaint",
        "title": "噪音扰民",
        "content": "夜间施工噪音大。",
        "writer_name": "王五",
        "phone": PHONE,
    }
    body.update(kw)
    return body


def test_public_write_lookup_rate(w: InteractionWorld, boxes: Any) -> None:
    c = Client()
    assert [b["name"] for b in c.get(PUBLIC + "mailboxes").json()] == ["县长信箱", "市场监管局局长信箱"]
    r = _post(
        c,
        PUBLIC,
        {**_letter_body(boxes), "challenge": "0", "challenge_token": _challenge(c)["challenge_token"]},
    )
    assert r.status_code == 400 and r.json()["code"] == "interaction.challenge"
    with tclock.moved_to(date(2026, 2, 12)):
        r = _post(c, PUBLIC, {**_letter_body(boxes), **_challenge(c)})
    assert r.status_code == 201 and r.json()["due_on"] == "2026-03-09"
    code = r.json()["tracking_code"]
    assert _post(c, PUBLIC + "lookup", {"code": code, "phone": "13000000000"}).status_code == 404
    r = _post(c, PUBLIC + "lookup", {"code": code, "phone": PHONE})
    assert r.status_code == 200 and r.json()["status"] == "received" and r.json()["can_rate"] is False
    letter = Letter.objects.get(tracking_code=code)
    with tclock.moved_to(date(2026, 2, 25)):
        letters.letter_answer(letter=letter, actor=w.users["mailbox"], content="已处理")
        r = _post(
            c, PUBLIC + "rate", {"code": code, "phone": PHONE, "rating": "unsatisfied", "comment": "没解决"}
        )
        assert r.status_code == 200 and r.json()["can_rehandle"] is True
        r = _post(c, PUBLIC + "rehandle", {"code": code, "phone": PHONE, "reason": "仍有噪音"})
        assert r.status_code == 200 and r.json()["status"] == "received"
        r = _post(c, PUBLIC + "rehandle", {"code": code, "phone": PHONE, "reason": "再次"})
        assert r.status_code == 400
    letter.refresh_from_db()
    assert letter.rehandle_count == 1 and letter.status == LetterStatus.RECEIVED


def test_public_write_is_rate_limited_and_validates(boxes: Any) -> None:
    c = Client()
    r = _post(c, PUBLIC, {**_letter_body(boxes, phone="abc"), **_challenge(c)})
    assert r.status_code == 400 and r.json()["code"] == "letters.bad_phone"
    for _i in range(4):
        assert _post(c, PUBLIC, {**_letter_body(boxes), **_challenge(c)}).status_code == 201
    r = _post(c, PUBLIC, {**_letter_body(boxes), **_challenge(c)})
    assert r.status_code == 400 and r.json()["code"] == "interaction.rate_limited"
    assert Letter.objects.count() == 4


def test_public_published_and_stats(w: InteractionWorld, boxes: Any) -> None:
    letter = answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))
    answered(w, boxes[0], on=date(2026, 9, 30), answer_on=date(2026, 10, 8))  # not published
    letters.letter_publish(letter=letter, actor=w.users["mailbox"], publish=True)
    c = Client()
    page = c.get(PUBLIC + "published").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["writer"] == "张**" and "phone" not in item and item["reply_unit"] == "青山县市场监督管理局"
    assert item["received_on"] == "2026-09-30" and item["answered_on"] == "2026-10-08"
    assert c.get(f"{PUBLIC}published/{letter.pk}").status_code == 200
    assert c.get(f"{PUBLIC}published/{letter.pk + 1}").status_code == 404
    with tclock.moved_to(date(2026, 10, 9)):
        s = c.get(PUBLIC + "stats?year=2026").json()
        assert s["received"] == 2 and s["answered"] == 2 and s["on_time"] == 2
        assert c.get(PUBLIC + "stats?year=2099").status_code == 400


def test_public_mine_needs_the_account(w: InteractionWorld, boxes: Any) -> None:
    assert w.citizen is not None
    write(boxes[0], account=w.citizen)
    write(boxes[0])
    assert Client().get(PUBLIC + "mine").status_code == 401
    r = citizen_client(w.citizen).get(PUBLIC + "mine")
    assert r.status_code == 200 and len(r.json()) == 1
