"""Catalogue pages and /api/v1/approvals/: the whole cycle through HTTP, and the authorization matrix
(anonymous, a public account, wrong role, wrong unit) asserting refused calls change nothing;
list pages do not grow their query count with the rows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.approvals import catalogue, testing
from tongban.approvals.models import ItemStatus, ItemVersion, ServiceItem, VersionStatus
from tongban.core.models import AuditRecord
from tongban.identity import public

pytestmark = pytest.mark.django_db
API = "/api/v1/approvals"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w():
    world = testing.build_world()
    world.zj_item = testing.published_item(
        world, code="330100-ZJJ-XK-001", name="建筑工程施工许可", unit="zjj"
    )
    return world


def _public_login(client, account):
    session = client.session
    session[public.SESSION_KEY] = account.pk
    session[public.SESSION_HASH] = public._hash(account)
    session.save()


def _edit_post(v, **over):
    """The draft form as the page posts it (steps of approval-standard, one material, no fee)."""
    data = {
        "name": v.name, "item_type": v.item_type, "implementing_unit": v.implementing_unit_id,
        "legal_basis": v.legal_basis, "conditions": v.conditions, "place": v.place, "hours": v.hours,
        "phone": v.phone, "statutory_limit": v.statutory_limit, "committed_limit": v.committed_limit,
        "visits": v.visits, "online": "on", "fee_free": "on", "certificate_name": v.certificate_name,
        "certificate_valid_years": v.certificate_valid_years or "", "process_key": v.process_key, "note": "",
        "m-TOTAL_FORMS": 1, "m-INITIAL_FORMS": 0, "m-MIN_NUM_FORMS": 0, "m-MAX_NUM_FORMS": 60,
        "m-0-name": "食品经营许可申请书", "m-0-form": "original", "m-0-copies": 1, "m-0-required": "on",
        "f-TOTAL_FORMS": 0, "f-INITIAL_FORMS": 0, "f-MIN_NUM_FORMS": 0, "f-MAX_NUM_FORMS": 30,
        "s-TOTAL_FORMS": 3, "s-INITIAL_FORMS": 3, "s-MIN_NUM_FORMS": 0, "s-MAX_NUM_FORMS": 10,
        "s-0-key": "review", "s-0-name": "审查", "s-0-limit": 2, "s-0-counts": "on",
        "s-1-key": "decide", "s-1-name": "决定", "s-1-limit": 2, "s-1-counts": "on",
        "s-2-key": "certify", "s-2-name": "制证送达", "s-2-limit": 10,
        "x-TOTAL_FORMS": 1, "x-INITIAL_FORMS": 0, "x-MIN_NUM_FORMS": 0, "x-MAX_NUM_FORMS": 40,
        "x-0-key": "business_name", "x-0-label": "经营者名称", "x-0-type": "text", "x-0-required": "on",
        "action": "save",
    }  # fmt: skip
    data.update(over)
    return data


def test_department_drafts_edits_submits_and_the_office_publishes_through_the_pages(client, w):
    client.force_login(w.users["scj_catalogue"])
    r = client.get(reverse("approvals:catalogue"))
    assert (
        r.status_code == 200
        and w.item.code in r.content.decode()
        and w.zj_item.code not in r.content.decode()
    )
    r = client.post(reverse("approvals:catalogue_draft", args=[w.item.pk]), {"note": "压缩承诺时限"})
    v = ItemVersion.objects.get(item=w.item, number=2)
    assert r.status_code == 302 and r["Location"] == reverse("approvals:catalogue_edit", args=[v.pk])
    assert client.get(r["Location"]).status_code == 200
    # committed over statutory: the form says so, nothing is saved
    r = client.post(reverse("approvals:catalogue_edit", args=[v.pk]), _edit_post(v, committed_limit=25))
    assert r.status_code == 200 and "不能超过法定办结时限" in r.content.decode()
    v.refresh_from_db()
    assert v.committed_limit == 5
    # counted steps over committed
    r = client.post(reverse("approvals:catalogue_edit", args=[v.pk]), _edit_post(v, committed_limit=3))
    assert "超过承诺办结时限" in r.content.decode()
    # a changed process shows its steps first
    r = client.post(
        reverse("approvals:catalogue_edit", args=[v.pk]), _edit_post(v, process_key="approval-simple")
    )
    assert "办理流程已更改" in r.content.decode() and 'data-step="review"' not in r.content.decode()
    sample = SimpleUploadedFile("申请书样表.pdf", PDF, content_type="application/pdf")
    r = client.post(
        reverse("approvals:catalogue_edit", args=[v.pk]),
        _edit_post(v, committed_limit=4, **{"m-0-sample": sample}),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    v.refresh_from_db()
    assert v.committed_limit == 4 and v.materials.get().sample and v.form_schema[0]["key"] == "business_name"
    m = v.materials.get()
    r = client.get(reverse("approvals:catalogue_sample", args=[m.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    r = client.post(reverse("approvals:catalogue_version_action", args=[v.pk, "submit"]))
    v.refresh_from_db()
    assert v.status == VersionStatus.SUBMITTED
    # the department cannot publish
    r = client.post(reverse("approvals:catalogue_version_action", args=[v.pk, "publish"]))
    assert r.status_code == 403
    v.refresh_from_db()
    assert v.status == VersionStatus.SUBMITTED

    client.force_login(w.users["catalogue"])
    r = client.get(reverse("approvals:catalogue") + "?status=pending")
    assert w.item.code in r.content.decode()
    page = client.get(reverse("approvals:catalogue_item", args=[w.item.pk])).content.decode()
    assert 'id="c-publish"' in page
    diff = client.get(reverse("approvals:catalogue_diff", args=[w.item.pk]) + "?a=1&b=2").content.decode()
    assert "承诺办结时限（工作日）" in diff
    r = client.post(reverse("approvals:catalogue_version_action", args=[v.pk, "publish"]))
    assert r.status_code == 302
    w.item.refresh_from_db()
    assert w.item.current_id == v.pk
    assert client.get(reverse("approvals:catalogue_version", args=[v.pk])).status_code == 200


def test_return_with_reason_through_the_page(client, w):
    v = catalogue.version_submit(actor=w.users["scj_catalogue"], version=catalogue.version_draft(actor=w.users["scj_catalogue"], item=w.item))  # fmt: skip
    client.force_login(w.users["catalogue"])
    client.post(reverse("approvals:catalogue_version_action", args=[v.pk, "return"]), {"reason": ""})
    v.refresh_from_db()
    assert v.status == VersionStatus.SUBMITTED
    client.post(
        reverse("approvals:catalogue_version_action", args=[v.pk, "return"]), {"reason": "材料名称不规范"}
    )
    v.refresh_from_db()
    assert v.status == VersionStatus.RETURNED
    client.force_login(w.users["scj_catalogue"])
    assert (
        "材料名称不规范" in client.get(reverse("approvals:catalogue_item", args=[w.item.pk])).content.decode()
    )


def test_new_item_page(client, w):
    client.force_login(w.users["scj_catalogue"])
    r = client.get(reverse("approvals:catalogue_new"))
    assert r.status_code == 200 and w.units["zjj"].name not in r.content.decode()
    data = {
        "department": w.units["scj"].pk, "code": "330100-SCJ-XK-009", "name": "小餐饮经营许可", "item_type": "license",
        "legal_basis": "《食品安全法》第三十六条", "statutory_limit": 20, "committed_limit": 30,
        "process_key": "approval-standard", "variant": "",
    }  # fmt: skip
    r = client.post(reverse("approvals:catalogue_new"), data)
    assert r.status_code == 200 and "不能超过法定办结时限" in r.content.decode()
    assert not ServiceItem.objects.filter(code="330100-SCJ-XK-009").exists()
    r = client.post(reverse("approvals:catalogue_new"), {**data, "committed_limit": 10})
    item = ServiceItem.objects.get(code="330100-SCJ-XK-009")
    assert r.status_code == 302 and item.status == ItemStatus.DRAFT
    r = client.post(
        reverse("approvals:catalogue_new"), {**data, "department": w.units["zjj"].pk, "code": "X-1-2"}
    )
    assert r.status_code == 200 and not ServiceItem.objects.filter(code="X-1-2").exists()


def _pages(w):
    v = w.item.current
    return [
        ("get", reverse("approvals:catalogue"), {}),
        ("get", reverse("approvals:catalogue_new"), {}),
        ("get", reverse("approvals:catalogue_item", args=[w.item.pk]), {}),
        ("get", reverse("approvals:catalogue_version", args=[v.pk]), {}),
        ("get", reverse("approvals:catalogue_diff", args=[w.item.pk]), {}),
        ("post", reverse("approvals:catalogue_draft", args=[w.item.pk]), {}),
        ("post", reverse("approvals:catalogue_item_action", args=[w.item.pk, "withdraw"]), {"reason": "x"}),
    ]


@pytest.mark.parametrize(
    "who", ["anonymous", "public", "handler", "scj_leader", "supervisor", "outsider", "zj_handler"]
)
def test_staff_pages_refuse_everyone_but_catalogue_admins(client, w, who):
    if who == "public":
        _public_login(client, w.citizen)
    elif who != "anonymous":
        client.force_login(w.users[who])
    before = AuditRecord.objects.count()
    for method, url, data in _pages(w):
        r = getattr(client, method)(url, data)
        if who in ("anonymous", "public"):
            assert r.status_code == 302 and "/login" in r["Location"], url
        else:
            assert r.status_code == 403, url
    assert ItemVersion.objects.filter(item=w.item).count() == 1
    assert ServiceItem.objects.get(pk=w.item.pk).status == ItemStatus.PUBLISHED
    assert AuditRecord.objects.count() == before


def test_wrong_department_admin_is_refused_on_another_departments_item(client, w):
    client.force_login(w.users["scj_catalogue"])
    zj = w.zj_item
    assert client.get(reverse("approvals:catalogue_item", args=[zj.pk])).status_code == 403
    assert client.post(reverse("approvals:catalogue_draft", args=[zj.pk])).status_code == 403
    assert client.get(reverse("approvals:catalogue_edit", args=[zj.current_id])).status_code == 403
    assert (
        client.get(reverse("approvals:catalogue_sample", args=[zj.current.materials.first().pk])).status_code
        == 403
    )
    assert client.get(reverse("approvals:catalogue_item", args=[999999])).status_code == 404
    assert zj.versions.count() == 1


def test_staff_list_query_count_does_not_grow_with_rows(client, w):
    client.force_login(w.users["catalogue"])
    url = reverse("approvals:catalogue")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(25):
        testing.published_item(w, code=f"330100-SCJ-XK-{100 + i}", name=f"事项{i}")
    assert count() <= few


def test_nav_entry_only_for_catalogue_admins(client, w):
    client.force_login(w.users["scj_catalogue"])
    assert "事项管理" in client.get("/").content.decode()
    client.force_login(w.users["handler"])
    assert "事项管理" not in client.get("/").content.decode()


# --- API ---------------------------------------------------------------------------------------


def test_api_cycle(client, w):
    client.force_login(w.users["scj_catalogue"])
    lst = client.get(f"{API}/items").json()
    assert lst["count"] == 1 and lst["items"][0]["code"] == w.item.code
    r = client.post(f"{API}/items/{w.item.pk}/drafts", {"note": "调整"}, content_type="application/json")
    assert r.status_code == 201
    vid = r.json()["id"]
    bad = client.put(f"{API}/versions/{vid}", {"committed_limit": 21}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "approvals.committed_over_statutory"
    r = client.put(
        f"{API}/versions/{vid}",
        {
            "committed_limit": 3,
            "steps": [
                {"key": "review", "limit": 2},
                {"key": "decide", "limit": 1},
                {"key": "certify", "limit": 5, "counts": False},
            ],
            "fees": [],
            "fee_free": True,
            "materials": [{"name": "申请书", "form": "original"}],
            "form_schema": [
                {"key": "business_name", "label": "经营者名称", "type": "text", "required": True}
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["committed_limit"] == 3 and [s["limit"] for s in body["steps"]] == [2, 1, 5]
    mid = body["materials"][0]["id"]
    up = client.post(
        f"{API}/versions/{vid}/materials/{mid}/sample", {"file": SimpleUploadedFile("样表.pdf", PDF)}
    )
    assert up.status_code == 200 and up.json()["materials"][0]["has_sample"]
    bad = client.post(
        f"{API}/versions/{vid}/materials/{mid}/sample", {"file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "approvals.sample_type"
    assert client.post(f"{API}/versions/{vid}/submit").json()["status"] == "submitted"
    assert client.post(f"{API}/versions/{vid}/publish").status_code == 403
    client.force_login(w.users["catalogue"])
    r = client.post(f"{API}/versions/{vid}/return", {"reason": "请补充"}, content_type="application/json")
    assert r.json()["status"] == "returned"
    client.force_login(w.users["scj_catalogue"])
    client.post(f"{API}/versions/{vid}/submit")
    client.force_login(w.users["catalogue"])
    r = client.post(f"{API}/versions/{vid}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    item = client.get(f"{API}/items/{w.item.pk}").json()
    assert item["current"]["committed_limit"] == 3 and [v["status"] for v in item["versions"]] == [
        "published",
        "superseded",
    ]
    assert (
        client.post(
            f"{API}/items/{w.item.pk}/withdraw", {"reason": "取消"}, content_type="application/json"
        ).json()["status"]
        == "withdrawn"
    )
    assert client.post(f"{API}/items/{w.item.pk}/restore").json()["status"] == "published"


def test_api_create_item(client, w):
    client.force_login(w.users["scj_catalogue"])
    payload = {
        "department_id": w.units["scj"].pk, "code": "330100-SCJ-XK-050", "name": "食品生产许可", "item_type": "license",
        "legal_basis": "《食品安全法》第三十五条", "statutory_limit": 20, "committed_limit": 10,
    }  # fmt: skip
    r = client.post(f"{API}/items", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["open_version"]["number"] == 1
    r = client.post(
        f"{API}/items",
        {**payload, "department_id": w.units["zjj"].pk, "code": "Z-1-1"},
        content_type="application/json",
    )
    assert r.status_code == 400 and not ServiceItem.objects.filter(code="Z-1-1").exists()


@pytest.mark.parametrize(
    "who", ["anonymous", "public", "handler", "supervisor", "outsider", "scj_catalogue_other_unit"]
)
def test_api_authorization_matrix(client, w, who):
    item = w.item
    if who == "public":
        _public_login(client, w.citizen)
    elif who == "scj_catalogue_other_unit":
        client.force_login(w.users["scj_catalogue"])
        item = w.zj_item
    elif who != "anonymous":
        client.force_login(w.users[who])
    vid = item.current_id
    before = AuditRecord.objects.count()
    calls = [
        ("get", f"{API}/items/{item.pk}", None),
        ("post", f"{API}/items/{item.pk}/drafts", {}),
        ("get", f"{API}/versions/{vid}", None),
        ("put", f"{API}/versions/{vid}", {"committed_limit": 2}),
        ("post", f"{API}/versions/{vid}/submit", None),
        ("post", f"{API}/versions/{vid}/publish", None),
        ("post", f"{API}/versions/{vid}/return", {"reason": "x"}),
        ("post", f"{API}/items/{item.pk}/withdraw", {"reason": "x"}),
        ("post", f"{API}/items", {"department_id": item.department_id, "code": "N-1-1", "name": "x", "item_type": "license",
                                  "legal_basis": "x", "statutory_limit": 20, "committed_limit": 5}),
    ]  # fmt: skip
    if who != "scj_catalogue_other_unit":
        calls.append(("get", f"{API}/items", None))
    expected = 401 if who in ("anonymous", "public") else 403
    for method, url, data in calls:
        kwargs = {"content_type": "application/json"} if data is not None else {}
        r = getattr(client, method)(url, data, **kwargs) if data is not None else getattr(client, method)(url)
        assert r.status_code in (
            (expected, 400) if url.endswith("/items") and method == "post" else (expected,)
        ), (url, r.content)
    assert ItemVersion.objects.filter(item=item).count() == 1
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.PUBLISHED
    assert not ServiceItem.objects.filter(code="N-1-1").exists()
    assert AuditRecord.objects.count() == before
