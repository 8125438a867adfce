"""The /api/v1/library/ endpoints: catalogue, detail, versions, audited downloads, requests and the
download log, with the same permissions as the pages (refused roles change nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.identity.models import User
from tongban.library.models import AccessRequest, DownloadLog, RequestStatus, Resource, SharingLevel
from tongban.library.tests.conftest import CSV, PDF, publish
from tongban.notify.models import Notification
from tongban.orgs.models import Unit

pytestmark = pytest.mark.django_db
API = "/api/v1/library"


@pytest.fixture
def resources(accounts: dict[str, User], units: dict[str, Unit]) -> dict[str, Resource]:
    admin, tjj = accounts["ziyuan"], units["统计局"]
    return {
        "open": publish(admin, tjj, title="主要经济指标", keywords="经济 GDP"),
        "restricted": publish(
            admin, tjj, title="企业名录", sharing=SharingLevel.RESTRICTED, shared=[units["财政局"]]
        ),
        "doc": publish(admin, tjj, title="统计制度", kind="document", data=PDF, name="制度.pdf"),
    }


def test_catalogue_detail_versions(
    client: Any, accounts: dict[str, User], resources: dict[str, Resource], outsider: User
) -> None:
    client.force_login(accounts["czclerk"])
    page = client.get(f"{API}/resources").json()
    assert page["count"] == 3
    got = {i["title"]: i for i in page["items"]}
    assert got["主要经济指标"]["can_download"] and not got["企业名录"]["can_download"]
    assert client.get(f"{API}/resources", {"q": "GDP"}).json()["count"] == 1
    assert client.get(f"{API}/resources", {"kind": "document"}).json()["items"][0]["title"] == "统计制度"
    assert client.get(f"{API}/resources", {"sharing": "restricted"}).json()["count"] == 1
    assert client.get(f"{API}/resources", {"sharing": "nope"}).status_code == 422
    one = client.get(f"{API}/resources/{resources['open'].pk}").json()
    assert [c["type"] for c in one["columns"]] == ["text", "integer", "decimal", "date"]
    assert one["preview"][0][0] == "城关镇" and one["can_request"] is False
    r = client.get(f"{API}/resources/{resources['restricted'].pk}").json()
    assert r["can_request"] is True and r["shared_unit_ids"] == [
        resources["restricted"].shared_units.get().pk
    ]
    vs = client.get(f"{API}/resources/{resources['open'].pk}/versions").json()
    assert [v["number"] for v in vs] == [1] and vs[0]["encoding"] == "utf-8"
    # an outsider does not see the restricted entry at all
    client.force_login(outsider)
    assert client.get(f"{API}/resources").json()["count"] == 2
    assert client.get(f"{API}/resources/{resources['restricted'].pk}").status_code == 404
    assert client.get(f"{API}/resources/{resources['restricted'].pk}/versions").status_code == 404
    assert client.get(f"{API}/resources/{2**63 + 5}").status_code == 422


def test_request_approve_download_log(
    client: Any, accounts: dict[str, User], resources: dict[str, Resource], units: dict[str, Unit]
) -> None:
    cz, admin = accounts["czclerk"], accounts["ziyuan"]
    rid = resources["restricted"].pk
    client.force_login(cz)
    assert client.get(f"{API}/resources/{rid}/download").status_code == 403
    bad = client.post(f"{API}/resources/{rid}/requests", {"reason": ""}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "library.reason_required"
    made = client.post(
        f"{API}/resources/{rid}/requests", {"reason": "财源建设"}, content_type="application/json"
    )
    assert (
        made.status_code == 201
        and made.json()["status"] == "pending"
        and made.json()["unit"] == units["财政局"].name
    )
    req_id = made.json()["id"]
    assert client.get(f"{API}/requests").json()["items"][0]["id"] == req_id
    # the requester cannot approve
    assert (
        client.post(f"{API}/requests/{req_id}/approve", {}, content_type="application/json").status_code
        == 404
    )
    assert client.get(f"{API}/resources/{rid}/downloads").status_code == 403
    client.force_login(admin)
    inbox = client.get(f"{API}/requests", {"box": "incoming", "status": "pending"}).json()
    assert [i["id"] for i in inbox["items"]] == [req_id]
    ok = client.post(
        f"{API}/requests/{req_id}/approve", {"expires_on": "2999-12-31"}, content_type="application/json"
    )
    assert (
        ok.status_code == 200
        and ok.json()["status"] == "approved"
        and ok.json()["expires_on"] == "2999-12-31"
    )
    assert Notification.objects.filter(user=cz, event="library.request_decided").exists()
    client.force_login(cz)
    dl = client.get(f"{API}/resources/{rid}/download")
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == CSV
    v1 = client.get(f"{API}/resources/{rid}/versions/1/download")
    assert v1.status_code == 200
    assert client.get(f"{API}/resources/{rid}/versions/9/download").status_code == 404
    assert DownloadLog.objects.filter(user=cz).count() == 2
    client.force_login(admin)
    log = client.get(f"{API}/resources/{rid}/downloads").json()
    assert log["total"] == 2 and log["units"] == 1 and log["by_unit"][0]["unit"] == units["财政局"].name
    assert log["items"][0]["user"] == (cz.full_name or cz.username) and log["items"][0]["ip"] == "127.0.0.1"


def test_refuse_through_api(client: Any, accounts: dict[str, User], resources: dict[str, Resource]) -> None:
    cz, admin = accounts["czclerk"], accounts["ziyuan"]
    client.force_login(cz)
    req_id = client.post(
        f"{API}/resources/{resources['restricted'].pk}/requests",
        {"reason": "用途"},
        content_type="application/json",
    ).json()["id"]
    client.force_login(admin)
    assert (
        client.post(f"{API}/requests/{req_id}/refuse", {}, content_type="application/json").status_code == 422
    )
    empty = client.post(f"{API}/requests/{req_id}/refuse", {"reason": " "}, content_type="application/json")
    assert empty.status_code == 400
    no = client.post(
        f"{API}/requests/{req_id}/refuse", {"reason": "不属于共享范围"}, content_type="application/json"
    )
    assert no.status_code == 200 and no.json()["status"] == "refused"
    again = client.post(f"{API}/requests/{req_id}/approve", {}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "library.request_decided"
    assert AccessRequest.objects.get().status == RequestStatus.REFUSED


@pytest.mark.parametrize("who", ["anonymous", "outsider", "czclerk", "sysadmin"])
def test_refused_callers_change_nothing(
    client: Any,
    who: str,
    accounts: dict[str, User],
    resources: dict[str, Resource],
    outsider: User,
    units: dict[str, Unit],
) -> None:
    req = AccessRequest.objects.create(
        resource=resources["restricted"], unit=units["财政局"], requester=accounts["czclerk"], reason="x"
    )
    user = {"anonymous": None, "outsider": outsider}.get(who, accounts.get(who))
    if user is not None:
        client.force_login(user)
    rid = resources["restricted"].pk
    expected_hidden = 401 if user is None else (404 if who in ("outsider", "sysadmin") else 403)
    assert client.get(f"{API}/resources/{rid}/download").status_code == expected_hidden
    assert client.get(f"{API}/resources/{rid}/downloads").status_code == expected_hidden
    for action, body in (("approve", {}), ("refuse", {"reason": "no"})):
        code = client.post(
            f"{API}/requests/{req.pk}/{action}", body, content_type="application/json"
        ).status_code
        assert code == (401 if user is None else 404)
    if who in ("outsider", "sysadmin"):
        code = client.post(
            f"{API}/resources/{rid}/requests", {"reason": "x"}, content_type="application/json"
        ).status_code
        assert code == 404
    assert AccessRequest.objects.get().status == RequestStatus.PENDING
    assert AccessRequest.objects.count() == 1 and DownloadLog.objects.count() == 0


def test_openapi_documents_library(client: Any, accounts: dict[str, User]) -> None:
    client.force_login(accounts["czclerk"])
    doc = client.get("/api/v1/openapi.json").json()
    paths = [p for p in doc["paths"] if p.startswith("/api/v1/library/")]
    assert len(paths) == 10
    dl = doc["paths"]["/api/v1/library/resources/{resource_id}/download"]["get"]["responses"]
    assert {"200", "401", "403", "404"} <= set(dl)
