"""The REST API of the disclosure requests: public application with the challenge, look-up,
补正 and withdrawal by code + ID number, the account's list; the staff boxes, detail, every action
and the refusals (roles, law)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from tongban.core.clock import moved_to
from tongban.identity import public
from tongban.identity.models import User
from tongban.interaction import disclosure as svc
from tongban.interaction.antispam import new_challenge
from tongban.interaction.models import DisclosureRequest
from tongban.interaction.testing import build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/disclosure-requests/"
PUB = "/api/v1/public/disclosure-requests/"
PID = "33010219800101123X"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def w():
    return build_world()


def _staff(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def _post(c: Client, url: str, body: dict):
    return c.post(url, body, content_type="application/json")


def _solve(c: Client) -> dict:
    ch = c.get(PUB + "challenge").json()
    a, b = ch["question"].split(" = ")[0].split(" + ")
    return {"challenge": str(int(a) + int(b)), "challenge_token": ch["token"]}


def _body(w, **kw) -> dict:
    body = {
        "organ_id": w.units["scj"].pk, "applicant_type": "person", "name": "张明", "id_number": PID,
        "phone": "13800000001", "description": "2025年食品抽检结果",
    }  # fmt: skip
    body.update(kw)
    return body


def test_public_apply_lookup_supplement_and_answer(w):
    c = Client()
    organs = c.get(PUB + "organs").json()
    assert {o["name"] for o in organs} == {"青山县人民政府办公室", "青山县市场监督管理局"}
    r = _post(c, PUB, {**_body(w), "challenge": "0", "challenge_token": "bad"})
    assert r.status_code == 400 and not DisclosureRequest.objects.exists()
    with moved_to(date(2026, 9, 25)):
        r = _post(c, PUB, {**_body(w, description=XSS), **_solve(c)})
    assert r.status_code == 201, r.content
    code = r.json()["tracking_code"]
    assert r.json()["received_on"] == "2026-09-25" and r.json()["due_on"] == "2026-10-29"
    assert DisclosureRequest.objects.get().description == XSS
    assert _post(c, PUB + "lookup", {"code": code, "id_number": "330102198502022340"}).status_code == 404
    r = _post(c, PUB + "lookup", {"code": code, "id_number": PID})
    assert r.status_code == 200 and r.json()["status"] == "received" and r.json()["description"] == XSS

    officer = _staff("scj_disclosure")
    req = DisclosureRequest.objects.get()
    with moved_to(date(2026, 9, 28)):
        r = _post(officer, f"{API}{req.pk}/supplement_ask", {"text": "请写明年份"})
        assert r.status_code == 200 and r.json()["status"] == "supplement"
        r = _post(officer, f"{API}{req.pk}/supplement_ask", {"text": "again"})
        assert r.status_code == 400
    with moved_to(date(2026, 9, 29)):
        r = _post(c, PUB + "supplement", {"code": code, "id_number": PID, "text": "2025年第三季度"})
    assert r.status_code == 200 and r.json()["status"] == "processing"
    with moved_to(date(2026, 9, 30)):
        r = _post(officer, f"{API}{req.pk}/answer", {"outcome": "disclosed", "text": "已公开，见附件"})
    assert r.status_code == 200
    body = r.json()
    assert body["clock"]["clock_start_on"] == "2026-09-29" and body["clock"]["on_time"] is True
    r = _post(c, PUB + "lookup", {"code": code, "id_number": PID})
    assert r.json()["answer"] == "已公开，见附件" and r.json()["answered_on"] == "2026-09-30"
    assert [e["kind"] for e in r.json()["events"]] == [
        "received",
        "supplement_asked",
        "supplemented",
        "answered",
    ]


def test_public_withdraw_and_mine(w):
    req = svc.submit(county=w.county, account=w.citizen, **{k: v for k, v in _body(w).items()})
    c = Client()
    assert c.get(PUB + "mine").status_code == 401
    s = c.session
    s[public.SESSION_KEY] = w.citizen.pk
    s[public.SESSION_HASH] = public._hash(w.citizen)
    s.save()
    r = c.get(PUB + "mine")
    assert r.status_code == 200 and [x["tracking_code"] for x in r.json()] == [req.tracking_code]
    r = _post(Client(), PUB + "withdraw", {"code": req.tracking_code, "id_number": PID})
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_staff_list_detail_and_actions(w):
    with moved_to(date(2026, 4, 27)):
        req = svc.submit(county=w.county, **_body(w))
    c = _staff("scj_disclosure")
    r = c.get(API + "?box=received")
    assert r.status_code == 200 and r.json()["count"] == 1 and r.json()["counts"]["received"] == 1
    assert c.get(API + "?box=nope").status_code == 400
    with moved_to(date(2026, 4, 27)):
        assert _post(c, f"{API}{req.pk}/confirm", {}).json()["status"] == "processing"
    with moved_to(date(2026, 4, 28)):
        r = _post(c, f"{API}{req.pk}/consult", {"third_party": "好味餐饮"})
        assert r.json()["status"] == "consulting" and r.json()["due_on"] is None
        r = _post(c, f"{API}{req.pk}/consult_end", {"note": "同意公开"})
        assert r.json()["status"] == "processing"
        r = _post(c, f"{API}{req.pk}/extend", {"days": 20, "reason": "需要调档"})
        assert r.json()["clock"]["extension_days"] == 20
        r = _post(c, f"{API}{req.pk}/fee", {"method": "page", "count": 31})
        assert r.json()["status"] == "fee_pending" and Decimal(r.json()["fee_amount"]) == Decimal("10")
        r = _post(c, f"{API}{req.pk}/fee_paid", {})
        assert r.json()["status"] == "processing"
        r = _post(c, f"{API}{req.pk}/answer", {"outcome": "refused", "reason": "nope", "text": "x"})
        assert r.status_code == 400
        r = _post(
            c,
            f"{API}{req.pk}/answer",
            {"outcome": "refused", "reason": "third_party", "text": "涉及商业秘密"},
        )
    assert r.status_code == 200 and r.json()["outcome_reason"] == "third_party" and r.json()["actions"] == []
    assert c.get(f"{API}fee?method=request&count=41").json()["amount"] in ("300.00", "300")
    table = c.get(API + "annual-table?year=2026").json()
    assert table["refused.third_party"]["person"] == 1 and table["handled_total"]["total"] == 1


@pytest.mark.parametrize("who", ["outsider", "cz_letters", "editor"])
def test_staff_api_refuses_other_roles_and_changes_nothing(w, who):
    req = svc.submit(county=w.county, **_body(w))
    c = _staff(who)
    assert c.get(API).status_code == 403
    assert c.get(f"{API}{req.pk}").status_code == 403
    r = _post(c, f"{API}{req.pk}/answer", {"outcome": "disclosed", "text": "x"})
    assert r.status_code == 403
    req.refresh_from_db()
    assert req.status == "received" and req.events.count() == 1
    assert Client().get(API).status_code == 401


def test_officer_of_another_organ_gets_404(w):
    from tongban.orgs.models import RoleGrant

    RoleGrant.objects.create(
        county=w.county, user=w.users["cz_letters"], unit=w.units["czj"], role="disclosure_officer"
    )
    req = svc.submit(county=w.county, **_body(w))
    c = _staff("cz_letters")
    assert c.get(f"{API}{req.pk}").status_code == 404
    assert _post(c, f"{API}{req.pk}/confirm", {}).status_code == 404
    assert c.get(API).json()["count"] == 0
    req.refresh_from_db()
    assert req.status == "received"


def test_staff_registers_a_mail_request(w):
    c = _staff("scj_disclosure")
    with moved_to(date(2026, 9, 29)):
        r = _post(c, API, {**_body(w), "channel": "mail", "received_on": "2026-09-25"})
    assert r.status_code == 201 and r.json()["due_on"] == "2026-10-29"
    with moved_to(date(2026, 9, 29)):
        r = _post(_staff("outsider"), API, {**_body(w), "channel": "mail"})
    assert r.status_code == 403
    assert DisclosureRequest.objects.count() == 1


def test_public_apply_is_rate_limited(w):
    c = Client()
    for _i in range(10):
        assert _post(c, PUB, {**_body(w), **_solve(c)}).status_code == 201
    r = _post(c, PUB, {**_body(w), **_solve(c)})
    assert r.status_code == 400 and r.json()["code"] == "interaction.rate_limited"
    assert new_challenge().question
