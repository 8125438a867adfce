"""/api/v1/documents/: the whole route through the API, and the authorization matrix (anonymous /
not on the route / on the route at another step / 密级 not named) asserting nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.documents.models import Attachment, BodyVersion, Document, NumberRecord, SignOff
from tongban.documents.tests.conftest import World

API = "/api/v1/documents"


def _create(client: Any, world: World, **extra: Any) -> dict[str, Any]:
    client.force_login(world.users["zfb_clerk"])
    payload = {
        "title": "关于开展安全生产检查的通知",
        "body_html": "<p>各单位：</p><p>请开展检查。</p>",
        "main_units": [world.units["cz"].pk],
        "attachments": ["检查表"],
        "signature": "青山县人民政府办公室",
    } | extra
    resp = client.post(f"{API}/", payload, content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def _state(doc_id: int) -> tuple[Any, ...]:
    d = Document.objects.get(pk=doc_id)
    return (
        d.status,
        d.title,
        d.body_html,
        d.doc_number,
        Attachment.objects.filter(document=d).count(),
        BodyVersion.objects.filter(document=d).count(),
        SignOff.objects.filter(document=d).count(),
        NumberRecord.objects.count(),
        d.instance.items.filter(status="done").count() if d.instance else 0,
    )


def test_route_through_the_api(client: Any, world: World) -> None:
    from tongban.seals import services as seal_services

    seal_services.ca_init(county=world.county)
    seal_services.certificate_issue(unit=world.units["zfb"])
    u = world.users
    doc = _create(client, world)
    did = doc["id"]
    assert doc["attachments"] == ["检查表"] and doc["signature"] == "青山县人民政府办公室"
    assert doc["recipients"]["main_units"] == [world.units["cz"].pk] and doc["may_edit"] is True
    steps = client.get(f"{API}/{did}/steps").json()
    assert steps[0]["step"] == "draft" and u["zfb_head"].pk in {c["user_id"] for c in steps[0]["candidates"]}
    up = client.put(
        f"{API}/{did}",
        {"body_html": "<p>各单位：</p><p>请认真开展检查。</p>"},
        content_type="application/json",
    )
    assert up.status_code == 200 and up.json()["title"] == "关于开展安全生产检查的通知"
    att = client.post(f"{API}/{did}/attachments", {"file": SimpleUploadedFile("检查表.xlsx", b"PK\x03\x04x")})
    assert att.status_code == 201 and att.json()["name"] == "检查表.xlsx"
    bad = client.post(f"{API}/{did}/attachments", {"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert bad.status_code == 400 and bad.json()["code"] == "documents.bad_file_type"
    versions = client.get(f"{API}/{did}/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    diff = client.get(f"{API}/{did}/versions/compare", {"a": 1, "b": 2}).json()
    assert any(r["kind"] == "replace" for r in diff)
    r = client.post(
        f"{API}/{did}/submit", {"next_assignees": [u["zfb_head"].pk]}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "review"
    client.force_login(u["zfb_head"])
    assert (
        client.post(f"{API}/{did}/submit", {"opinion": "同意"}, content_type="application/json").status_code
        == 200
    )
    r = client.post(
        f"{API}/{did}/submit",
        {"opinion": "请签发", "next_assignees": [u["countyleader"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    client.force_login(u["countyleader"])
    r = client.post(f"{API}/{did}/sign", {"opinion": "同意"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "signed" and r.json()["signers"] == ["王副县长"]
    client.force_login(u["zfb_head"])
    assert (
        client.post(
            f"{API}/{did}/submit", {"opinion": "复核无误"}, content_type="application/json"
        ).status_code
        == 200
    )
    client.force_login(u["zfb_clerk"])
    r = client.post(f"{API}/{did}/number", {"copies": 10}, content_type="application/json")
    assert (
        r.status_code == 200 and r.json()["doc_number"].endswith("〕1号") and r.json()["number_serial"] == 1
    )
    assert client.post(f"{API}/{did}/seal", {}, content_type="application/json").json()["sealed"] is True
    r = client.post(f"{API}/{did}/issue", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "issued"
    pdf = client.get(f"{API}/{did}/sealed.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(f"{API}/{did}/pdf").content.startswith(b"%PDF")
    assert client.get(f"{API}/{did}/docx").content.startswith(b"PK")
    r = client.post(f"{API}/{did}/archive", {"retention": "permanent"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "archived"
    lst = client.get(f"{API}/", {"q": "安全生产"}).json()
    assert lst["count"] == 1 and lst["items"][0]["id"] == did


def test_series_endpoints(client: Any, world: World) -> None:
    client.force_login(world.users["zfb_head"])
    assert [s["prefix"] for s in client.get(f"{API}/series").json()] == ["青政办发"]
    r = client.post(
        f"{API}/series",
        {"unit_id": world.units["zfb"].pk, "prefix": "青政办函"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = client.post(
        f"{API}/series",
        {"unit_id": world.units["cz"].pk, "prefix": "青财函"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert client.get(f"{API}/series/{world.series.pk}/records").json() == []
    client.force_login(world.users["cz_clerk"])
    assert client.get(f"{API}/series/{world.series.pk}/records").status_code == 404


ENDPOINTS = [
    ("get", "", None),
    ("put", "", {"title": "篡改", "body_html": "<p>篡改</p>"}),
    ("get", "/attachments", None),
    ("post_file", "/attachments", None),
    ("get", "/versions", None),
    ("get", "/steps", None),
    ("post", "/submit", {"opinion": "同意", "next_assignees": []}),
    ("post", "/sign", {"opinion": "同意"}),
    ("post", "/number", {}),
    ("post", "/seal", {}),
    ("post", "/issue", {}),
    ("post", "/withdraw", {"reason": "撤销"}),
    ("post", "/archive", {"retention": "10y"}),
    ("get", "/pdf", None),
    ("get", "/docx", None),
    ("get", "/sealed.pdf", None),
]


def _call(client: Any, method: str, url: str, body: Any) -> Any:
    if method == "get":
        return client.get(url)
    if method == "put":
        return client.put(url, body, content_type="application/json")
    if method == "post_file":
        return client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("who", ["anonymous", "outsider", "classified_not_named"])
def test_refused_callers_change_nothing(client: Any, world: World, who: str) -> None:
    extra = {"secrecy": "秘密", "named_readers": []} if who == "classified_not_named" else {}
    doc = _create(client, world, **({"secrecy": "秘密"} if extra else {}))
    did = doc["id"]
    before = _state(did)
    client.logout()
    expected = {401}
    if who == "outsider":
        client.force_login(world.users["mz_clerk"])
        expected = {404}
    elif who == "classified_not_named":
        client.force_login(world.users["zfb_head"])  # the unit's office head, but not named
        expected = {404}
    for method, path, body in ENDPOINTS:
        resp = _call(client, method, f"{API}/{did}{path}", body)
        assert resp.status_code in expected, (who, method, path, resp.status_code, resp.content[:200])
    assert _state(did) == before


def test_on_route_at_another_step_is_refused(client: Any, world: World) -> None:
    doc = _create(client, world)
    did = doc["id"]
    client.post(
        f"{API}/{did}/submit",
        {"next_assignees": [world.users["zfb_head"].pk]},
        content_type="application/json",
    )
    before = _state(did)
    # the clerk is on the route (drafted it) but the document waits for the office head now
    for path, body in [
        ("/submit", {"opinion": "同意"}),
        ("/sign", {"opinion": "同意"}),
        ("/number", {}),
        ("/seal", {}),
        ("/issue", {}),
        ("/archive", {"retention": "10y"}),
    ]:
        resp = client.post(f"{API}/{did}{path}", body, content_type="application/json")
        assert resp.status_code == 400, (path, resp.content)
    put = client.put(f"{API}/{did}", {"title": "改"}, content_type="application/json")
    assert put.status_code == 403
    assert client.get(f"{API}/{did}").status_code == 200  # may still read it
    assert _state(did) == before
