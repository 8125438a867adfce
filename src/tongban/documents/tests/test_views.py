"""The 发文 pages: each renders for the right people, and the authorization matrix (anonymous /
not on the route / 密级 not named / on the route) for every page and form, nothing changed when
refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.documents import services
from tongban.documents.models import Attachment, BodyVersion, Document, NumberSeries
from tongban.documents.tests.conftest import World
from tongban.workflow import selectors as wfs


def _doc(world: World, **extra: Any) -> Document:
    data = {
        "title": "关于做好防汛工作的通知",
        "body_html": "<p>各单位：</p><p>做好防汛。</p>",
        "main_units": [world.units["cz"].pk],
    }
    return services.document_create(actor=world.users["zfb_clerk"], data=data | extra)


def _state(doc: Document) -> tuple[Any, ...]:
    d = Document.objects.get(pk=doc.pk)
    return (
        d.status,
        d.title,
        d.body_html,
        Attachment.objects.filter(document=d).count(),
        BodyVersion.objects.filter(document=d).count(),
        d.instance.items.filter(status="done").count(),
    )


def test_list_new_detail_edit_and_step(client: Any, world: World) -> None:
    u = world.users
    client.force_login(u["zfb_clerk"])
    assert client.get("/documents/").status_code == 200
    new = client.get("/documents/new/")
    assert new.status_code == 200 and "更多要素" in new.content.decode()
    resp = client.post(
        "/documents/new/",
        {
            "title": "关于印发工作要点的通知",
            "doc_type": "通知",
            "direction": "down",
            "layout": "standard",
            "body_html": '<p onclick="x">要点<script>alert(1)</script></p>',
            "main_units": [world.units["cz"].pk],
        },
    )
    assert resp.status_code == 302
    doc = Document.objects.get(title="关于印发工作要点的通知")
    assert doc.body_html == "<p>要点</p>"
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "办理：拟稿" in page and "送部门负责人审核" in page and u["zfb_head"].full_name in page
    assert client.get(f"/documents/{doc.pk}/edit/").status_code == 200
    r = client.post(
        f"/documents/{doc.pk}/edit/",
        {
            "title": "关于印发2026年工作要点的通知",
            "doc_type": "通知",
            "direction": "down",
            "layout": "standard",
            "body_html": "<p>新要点</p>",
            "main_units": [world.units["cz"].pk],
        },
    )
    assert r.status_code == 302 and Document.objects.get(pk=doc.pk).versions.count() == 2
    assert "新要点" in client.get(f"/documents/{doc.pk}/versions/").content.decode()
    item = wfs.open_items_for(user=u["zfb_clerk"], subject_type=services.SUBJECT_TYPE, subject_id=doc.pk)[0]
    r = client.post(
        f"/documents/{doc.pk}/step/{item.pk}/", {"next_assignees": [u["zfb_head"].pk], "opinion": "请审核"}
    )
    assert r.status_code == 302
    assert Document.objects.get(pk=doc.pk).status == "review"
    client.force_login(u["zfb_head"])
    assert "办理：部门负责人审核" in client.get(f"/documents/{doc.pk}/").content.decode()
    r = client.post(
        f"/documents/{doc.pk}/attachments/", {"file": SimpleUploadedFile("说明.txt", "附件内容".encode())}
    )
    assert r.status_code == 302 and doc.attachments.count() == 1
    att = doc.attachments.get()
    assert client.get(f"/documents/{doc.pk}/attachments/{att.pk}/").status_code == 200
    assert client.get(f"/documents/{doc.pk}/pdf/")["Content-Type"] == "application/pdf"
    assert client.get(f"/documents/{doc.pk}/docx/").status_code == 200


def test_series_page(client: Any, world: World) -> None:
    client.force_login(world.users["zfb_head"])
    assert "青政办发" in client.get("/documents/series/").content.decode()
    r = client.post("/documents/series/", {"unit": world.units["zfb"].pk, "prefix": "青政办函", "name": "函"})
    assert r.status_code == 302 and NumberSeries.objects.filter(prefix="青政办函").exists()
    assert client.get(f"/documents/series/{world.series.pk}/").status_code == 200
    client.force_login(world.users["zfb_clerk"])  # not an office head
    assert client.get("/documents/series/").status_code == 403
    r = client.post("/documents/series/", {"unit": world.units["zfb"].pk, "prefix": "青政办通"})
    assert r.status_code == 403 and not NumberSeries.objects.filter(prefix="青政办通").exists()


PAGES = ["", "edit/", "versions/", "pdf/", "docx/", "sealed.pdf"]


@pytest.mark.parametrize("who", ["anonymous", "outsider", "classified_not_named"])
def test_matrix_refused(client: Any, world: World, who: str) -> None:
    doc = _doc(world, secrecy="秘密") if who == "classified_not_named" else _doc(world)
    item = wfs.open_items_for(
        user=world.users["zfb_clerk"], subject_type=services.SUBJECT_TYPE, subject_id=doc.pk
    )[0]
    before = _state(doc)
    if who == "outsider":
        client.force_login(world.users["mz_clerk"])
    elif who == "classified_not_named":
        client.force_login(world.users["zfb_head"])
    for path in PAGES:
        r = client.get(f"/documents/{doc.pk}/{path}")
        if who == "anonymous":
            assert r.status_code == 302 and "/login" in r["Location"], path
        else:
            assert r.status_code == 404, (who, path, r.status_code)
    posts = [
        (
            f"/documents/{doc.pk}/edit/",
            {"title": "篡改", "doc_type": "通知", "direction": "down", "layout": "standard"},
        ),
        (f"/documents/{doc.pk}/step/{item.pk}/", {"next_assignees": [world.users["zfb_head"].pk]}),
        (f"/documents/{doc.pk}/attachments/", {"file": SimpleUploadedFile("a.txt", b"x")}),
        (f"/documents/{doc.pk}/withdraw/", {"reason": "撤"}),
        (f"/documents/{doc.pk}/archive/", {"retention": "10y"}),
    ]
    for url, data in posts:
        r = client.post(url, data)
        assert r.status_code in ({302} if who == "anonymous" else {404}), (who, url, r.status_code)
    assert _state(doc) == before


def test_on_route_but_not_editor_is_refused(client: Any, world: World) -> None:
    doc = _doc(world)
    item = wfs.open_items_for(
        user=world.users["zfb_clerk"], subject_type=services.SUBJECT_TYPE, subject_id=doc.pk
    )[0]
    client.force_login(world.users["zfb_clerk"])
    client.post(f"/documents/{doc.pk}/step/{item.pk}/", {"next_assignees": [world.users["zfb_head"].pk]})
    before = _state(doc)
    # the drafter may still read, but not edit, and the done item cannot be submitted again
    assert client.get(f"/documents/{doc.pk}/").status_code == 200
    assert client.get(f"/documents/{doc.pk}/edit/").status_code == 403
    assert (
        client.post(
            f"/documents/{doc.pk}/edit/",
            {"title": "改", "doc_type": "通知", "direction": "down", "layout": "standard"},
        ).status_code
        == 403
    )
    assert client.post(f"/documents/{doc.pk}/step/{item.pk}/", {}).status_code == 404
    r = client.post(f"/documents/{doc.pk}/attachments/", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert r.status_code == 302 and _state(doc) == before


def test_series_toggle_only_by_the_office_head(client: Any, world: World) -> None:
    client.force_login(world.users["zfb_clerk"])
    r = client.post(f"/documents/series/{world.series.pk}/toggle/")
    assert r.status_code == 403 and NumberSeries.objects.get(pk=world.series.pk).is_active
    client.force_login(world.users["cz_head"])
    assert client.post(f"/documents/series/{world.series.pk}/toggle/").status_code == 404
    client.force_login(world.users["zfb_head"])
    assert client.post(f"/documents/series/{world.series.pk}/toggle/").status_code == 302
    assert not NumberSeries.objects.get(pk=world.series.pk).is_active


def test_workbench_panel_lists_my_documents_in_progress(client: Any, world: World) -> None:
    doc = _doc(world)
    client.force_login(world.users["zfb_clerk"])
    body = client.get("/").content.decode()
    assert "我拟稿的发文" in body and doc.title in body
