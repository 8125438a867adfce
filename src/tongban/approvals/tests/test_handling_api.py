"""/api/v1/cases/: list, detail with the clock, every action, counter filing — and the
authorization matrix (anonymous 401, another unit 404, supervisor read-only 403, public-account
session 401), refused calls changing nothing."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.approvals import testing
from tongban.approvals.models import CaseEvent, CaseStatus, EventKind
from tongban.core.clock import moved_to
from tongban.identity import public

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cases/"
RECEIVED = datetime(2025, 3, 3, 10, 0)
DAY1 = date(2025, 3, 4)


class NullSms:
    def send(self, phone: str, text: str) -> str:
        return "ok"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def as_(client: Any, w: testing.ApprovalWorld, who: str) -> Any:
    client.logout()
    client.force_login(w.users[who])
    return client


def post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_list_and_detail_with_clock(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    as_(client, w, "handler")
    with moved_to(DAY1):
        r = client.get(BASE, {"box": "pending"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["tracking_no"] == case.tracking_no
    assert body["items"][0]["remaining_days"] == 4  # window to 2025-03-10
    with moved_to(DAY1):
        r = client.get(f"{BASE}{case.pk}")
    d = r.json()
    assert d["clock"]["state"] == "pre_acceptance" and d["clock"]["preaccept_due"] == "2025-03-10"
    assert d["actions"]["accept"] is True and d["clock"]["lines"][0]["kind"] == "received"


def test_full_flow_through_the_api(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    as_(client, w, "handler")
    with moved_to(DAY1):
        r = post(client, f"{BASE}{case.pk}/reject", {"reason": "not_eligible", "text": ""})
        assert r.status_code == 400 and r.json()["code"] == "approvals.text_required"
        r = post(client, f"{BASE}{case.pk}/accept")
        assert r.status_code == 200 and r.json()["status"] == "accepted"
        assert r.json()["current_step"] == "review"
        r = post(client, f"{BASE}{case.pk}/pause", {"reason": "auction_house", "expected_days": 3})
        assert r.status_code == 400 and r.json()["code"] == "approvals.pause_reason"
        r = post(client, f"{BASE}{case.pk}/pause", {"reason": "testing", "expected_days": 3})
        assert r.json()["status"] == "paused"
        r = post(client, f"{BASE}{case.pk}/resume")
        assert r.json()["status"] == "accepted"
        r = post(client, f"{BASE}{case.pk}/extensions", {"days": 10, "reason": "需专家论证。"})
        assert r.status_code == 201
        ext_id = r.json()["id"]
        r = post(client, f"{BASE}{case.pk}/extensions", {"days": 1, "reason": "再延。"})
        assert r.status_code == 400 and r.json()["code"] == "approvals.extension_once"
        r = post(client, f"{BASE}{case.pk}/fees", {"name": "工本费", "amount": "5.00"})
        assert r.status_code == 201
        r = post(client, f"{BASE}{case.pk}/review", {"opinion": "同意。"})
        assert r.json()["current_step"] == "decide"
        r = post(client, f"{BASE}{case.pk}/extensions/{ext_id}/decide", {"approve": True})
        assert r.status_code == 403
        as_(client, w, "scj_leader")
        r = post(client, f"{BASE}{case.pk}/extensions/{ext_id}/decide", {"approve": True, "note": "同意"})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        r = post(client, f"{BASE}{case.pk}/decide", {"decision": "refuse", "reasons": "不符合条件。"})
        assert r.status_code == 400 and r.json()["code"] == "approvals.appeal_required"
        r = post(client, f"{BASE}{case.pk}/decide", {"decision": "grant"})
        assert r.status_code == 200 and r.json()["status"] == "decided"
        assert r.json()["clock"]["extension_days"] == 10
        assert client.get(f"{BASE}{case.pk}/certificate/pdf").status_code == 404  # not issued yet
        notice = r.json()["notices"][0]
        assert notice["kind"] == "acceptance"


@pytest.mark.parametrize("who", ["zj_handler", "outsider", "catalogue"])
def test_other_units_get_404(client, w, who):
    case = testing.new_case(w, received_at=RECEIVED)
    as_(client, w, who)
    assert client.get(f"{BASE}{case.pk}").status_code == 404
    assert post(client, f"{BASE}{case.pk}/accept").status_code == 404
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [EventKind.RECEIVED]


def test_supervisor_reads_but_every_action_is_refused(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    as_(client, w, "supervisor")
    assert client.get(f"{BASE}{case.pk}").status_code == 200
    assert client.get(BASE, {"box": "all"}).json()["count"] == 1
    for path, data in [
        ("accept", {}),
        ("reject", {"reason": "not_eligible", "text": "x"}),
        ("supplement", {"items_text": "x"}),
        ("pause", {"reason": "testing", "expected_days": 3}),
        ("extensions", {"days": 3, "reason": "x"}),
        ("fees", {"name": "x", "amount": "1"}),
        ("withdraw", {"note": "x"}),
        ("decide", {"decision": "grant"}),
        ("certificate", {}),
    ]:
        r = post(client, f"{BASE}{case.pk}/{path}", data)
        assert r.status_code == 403, (path, r.content)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [EventKind.RECEIVED]


def test_anonymous_and_public_session_get_401(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}{case.pk}").status_code == 401
    assert post(client, f"{BASE}{case.pk}/accept").status_code == 401
    session = client.session
    session[public.SESSION_KEY] = w.citizen.pk
    session[public.SESSION_HASH] = public._hash(w.citizen)
    session.save()
    assert client.get(f"{BASE}{case.pk}").status_code == 401
    assert post(client, f"{BASE}{case.pk}/accept").status_code == 401
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_counter_filing_through_the_api(client, w):
    mats = list(w.item.current.materials.filter(required=True))
    data = {
        "item_code": w.item.code, "kind": "person", "name": "钱二", "id_number": "330102199001011234",
        "phone": "13900002222",
        "form_data": json.dumps({"business_name": "钱二便利店", "address": "青山县城关镇", "scope": "预包装食品销售"}),
        "material_ids": ",".join(str(m.pk) for m in mats),
        "files": [SimpleUploadedFile(f"{m.pk}.pdf", b"%PDF-1.4\n%x\n", "application/pdf") for m in mats],
    }  # fmt: skip
    as_(client, w, "handler")
    assert client.post(f"{BASE}counter", data).status_code == 403
    for f in data["files"]:
        f.seek(0)
    as_(client, w, "window")
    r = client.post(f"{BASE}counter", data)
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "counter" and r.json()["status"] == "submitted"


def test_certificate_through_the_api(client, w):
    from tongban.seals import services as seal_services

    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    case = testing.new_case(w, received_at=RECEIVED)
    with moved_to(DAY1):
        as_(client, w, "handler")
        post(client, f"{BASE}{case.pk}/accept")
        post(client, f"{BASE}{case.pk}/review", {"opinion": "同意。"})
        as_(client, w, "scj_leader")
        post(client, f"{BASE}{case.pk}/decide", {"decision": "grant"})
        assert post(client, f"{BASE}{case.pk}/certificate").status_code == 403  # the handler's step
        as_(client, w, "handler")
        r = post(client, f"{BASE}{case.pk}/certificate")
    assert r.status_code == 201 and r.json()["number"]
    r = client.get(f"{BASE}{case.pk}/certificate/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert client.get(f"{BASE}{case.pk}").json()["status"] == "completed"
