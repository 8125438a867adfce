"""/api/v1/incoming/: authorization matrix and every step of the route through the API."""

from __future__ import annotations

import pytest

from tongban.receiving.models import IncomingDocument

pytestmark = pytest.mark.django_db

API = "/api/v1/incoming"


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def test_read_endpoints_matrix(client, incoming, people):
    for url in (f"{API}/{incoming.pk}", f"{API}/{incoming.pk}/circulation", f"{API}/{incoming.pk}/slip.pdf"):
        assert _as(client, None).get(url).status_code == 401
        r = _as(client, people["rsclerk"]).get(url)
        assert r.status_code == 404 and r.json()["code"] == "receiving.not_found"
        assert _as(client, people["czclerk"]).get(url).status_code == 200
    r = _as(client, people["czclerk"]).get(f"{API}/?tab=pending")
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [incoming.pk]
    assert _as(client, people["rsclerk"]).get(f"{API}/?tab=pending").json()["count"] == 0
    assert _as(client, None).get(f"{API}/?tab=pending").status_code == 401
    detail = _as(client, people["czclerk"]).get(f"{API}/{incoming.pk}").json()
    assert detail["my_steps"] == ["sign"] and detail["source_number"] == "青政办发〔2026〕3号"


def test_every_step_through_the_api(client, incoming, people, units):
    def step(user, name, **body):
        return _as(client, user).post(
            f"{API}/{incoming.pk}/steps/{name}", body, content_type="application/json"
        )

    assert step(None, "sign", copies=1).status_code == 401
    r = step(people["rsclerk"], "sign", copies=1)
    assert r.status_code == 404
    r = step(people["unitleader"], "sign", copies=1)
    assert r.status_code == 403 and r.json()["code"] == "receiving.not_clerk"
    incoming.refresh_from_db()
    assert incoming.status == "pending"
    assert step(people["czclerk"], "sign", copies=2).json()["status"] == "processing"
    r = step(people["czclerk"], "register", handling="handle")
    assert r.status_code == 200 and r.json()["register_no"].startswith("收文〔")
    r = step(people["czclerk"], "review", accept=True)  # not the clerk's step
    assert r.status_code == 403 and r.json()["code"] == "receiving.not_your_step"
    assert step(people["czhead"], "review", accept=True, opinion="同意").status_code == 200
    assert step(people["czhead"], "propose", proposal="拟请预算股办理").status_code == 200
    r = step(people["unitleader"], "instruct", instruction="同意", lead_unit_id=999999)
    assert r.status_code == 400
    r = step(
        people["unitleader"],
        "instruct",
        instruction="同意，抓紧办理",
        lead_unit_id=units["财政局"].pk,
        assist_unit_ids=[units["人社局"].pk],
        deadline_workdays=5,
    )
    assert r.status_code == 200 and r.json()["due_date"] and r.json()["assist_units"][0]["name"] == "人社局"
    assert step(people["rsclerk"], "handle", opinion="配合完成").status_code == 200
    assert step(people["czclerk"], "handle", opinion="已落实").status_code == 200
    r = _as(client, people["czclerk"]).post(
        f"{API}/{incoming.pk}/circulate",
        {"user_ids": [people["unitleader"].pk, people["czhead"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["total"] == 2 and r.json()["read"] == 0
    r = _as(client, people["unitleader"]).post(f"{API}/{incoming.pk}/read")
    assert r.status_code == 200 and r.json()["read"] == 1
    assert _as(client, people["unitleader"]).post(f"{API}/{incoming.pk}/read").status_code == 400
    assert step(people["czclerk"], "circulate").status_code == 200
    assert step(people["czclerk"], "finish", result="已办结").status_code == 200
    r = step(people["czclerk"], "archive", retention="permanent")
    assert r.status_code == 200 and r.json()["status"] == "archived"
    route = r.json()["route"]
    assert [x["step_name"] for x in route][:3] == ["签收", "登记", "初审"]
    r = _as(client, people["czclerk"]).get(f"{API}/{incoming.pk}/slip.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"


def test_register_external_matrix(client, people):
    data = {"source_organ": "市财政局", "title": "关于下达资金的通知", "copies": "2"}
    assert _as(client, None).post(f"{API}/external", data).status_code == 401
    r = _as(client, people["unitleader"]).post(f"{API}/external", data)
    assert r.status_code == 403
    assert not IncomingDocument.objects.exists()
    r = _as(client, people["czclerk"]).post(f"{API}/external", data)
    assert r.status_code == 201 and r.json()["my_steps"] == ["register"] and r.json()["copies"] == 2


def test_openapi_documents_the_endpoints(client, people):
    spec = _as(client, people["czclerk"]).get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert "/api/v1/incoming/{incoming_id}/steps/{step}" in paths
    assert "/api/v1/incoming/{incoming_id}/circulation" in paths
