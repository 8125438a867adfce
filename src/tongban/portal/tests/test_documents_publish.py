"""Issued documents → the disclosure columns in one action (UI and REST API): who may, which
documents may not, published once only, refusals change nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from tongban.core.audit import AuditRecord  # type: ignore[attr-defined]
from tongban.documents.models import DocStatus, Document
from tongban.notify.models import Notification
from tongban.portal import documents_publish
from tongban.portal.models import PageAttachment, PolicyDocumentPage
from tongban.portal.testing import PortalWorld, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> PortalWorld:
    return build_site()


def make_doc(site: PortalWorld, unit_key: str = "zfb", **fields: object) -> Document:
    unit = site.world.units[unit_key]
    values: dict[str, object] = {
        "county": site.world.county,
        "unit": unit,
        "created_by": site.world.users["mailbox"],
        "status": DocStatus.ISSUED,
        "title": "关于进一步优化营商环境的实施意见",
        "doc_number": "青政办发〔2026〕12号",
        "body_html": "<p>各乡镇人民政府，县政府各部门：</p><p>现将有关事项通知如下。</p>",
        "signature_text": "青山县人民政府办公室",
        "written_date": timezone.localdate(),
        "issued_at": timezone.now(),
    }
    values.update(fields)
    doc = Document.objects.create(**values)
    return doc


def _publish(
    site: PortalWorld, key: str, doc: Document, column: str = "zfwj"
) -> documents_publish.Publication:
    return documents_publish.publish_document(
        actor=site.world.users[key], document_id=doc.pk, column_id=site.column(column).pk
    )


def test_reviewer_publishes_at_once_with_pdf(site: PortalWorld) -> None:
    doc = make_doc(site)
    doc.sealed_pdf.save("sealed.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    result = _publish(site, "zfb_reviewer", doc)
    assert result.published
    page = PolicyDocumentPage.objects.get(source_document_id=doc.pk)
    assert page.live and page.get_parent().pk == site.column("zfwj").pk
    assert page.doc_number == "青政办发〔2026〕12号"
    assert page.issuing_organ == "青山县人民政府办公室"
    assert page.issued_on == doc.written_date
    assert "现将有关事项通知如下" in page.body
    assert page.unit_id == doc.unit_id
    attachment = PageAttachment.objects.get(page=page)
    assert attachment.document.file.read() == b"%PDF-1.4 test"
    assert AuditRecord.objects.filter(event="portal.document_published").exists()
    assert doc not in documents_publish.publishable_documents(site.world.users["zfb_reviewer"])


def test_editor_submits_to_review(site: PortalWorld) -> None:
    doc = make_doc(site)
    result = _publish(site, "zfb_editor", doc)
    assert not result.published
    page = result.page
    page.refresh_from_db()
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert Notification.objects.filter(
        user=site.world.users["zfb_reviewer"], event="portal.review_requested"
    ).exists()


def test_published_once_only(site: PortalWorld) -> None:
    doc = make_doc(site)
    _publish(site, "zfb_reviewer", doc)
    with pytest.raises(documents_publish.TongbanError) as exc:
        _publish(site, "portaladmin", doc)
    assert exc.value.code == "portal.document_already_published"
    assert PolicyDocumentPage.objects.filter(source_document_id=doc.pk).count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"secrecy": "秘密"}, "portal.document_not_disclosable"),
        ({"note": "此件不予公开"}, "portal.document_not_disclosable"),
        ({"status": DocStatus.SIGNED, "issued_at": None}, "portal.document_not_disclosable"),
        ({"status": DocStatus.WITHDRAWN}, "portal.document_not_disclosable"),
    ],
)
def test_refused_documents_change_nothing(site: PortalWorld, fields: dict[str, object], code: str) -> None:
    doc = make_doc(site, **fields)
    pages = PolicyDocumentPage.objects.count()
    with pytest.raises(documents_publish.TongbanError) as exc:
        _publish(site, "portaladmin", doc)
    assert exc.value.code == code
    assert str(exc.value.message)
    assert PolicyDocumentPage.objects.count() == pages
    assert doc not in documents_publish.publishable_documents(site.world.users["portaladmin"])


def test_other_units_and_outsiders_refused(site: PortalWorld) -> None:
    doc = make_doc(site)
    for key, error in (
        ("cz_editor", documents_publish.NotFound),
        ("editor", documents_publish.NotFound),
        ("outsider", documents_publish.PermissionDenied),
        ("mailbox", documents_publish.PermissionDenied),
    ):
        with pytest.raises(error):
            _publish(site, key, doc)
    assert not PolicyDocumentPage.objects.exists()


def test_column_must_be_a_policy_column_of_the_unit(site: PortalWorld) -> None:
    doc = make_doc(site)
    for column in ("xwwj", "tongzhi", "bm-1"):  # 县委办's policy column; not policy; not policy
        with pytest.raises(documents_publish.TongbanError) as exc:
            _publish(site, "zfb_editor", doc, column=column)
        assert exc.value.code == "portal.column_not_allowed"
    assert not PolicyDocumentPage.objects.exists()
    # a site administrator may use any policy column of the county
    scj_doc = make_doc(site, "scj", doc_number="青市监发〔2026〕3号")
    assert _publish(site, "portaladmin", scj_doc, column="zfwj").published


# --- the staff pages ------------------------------------------------------------------------------
def test_documents_page_lists_and_publishes(client, site: PortalWorld, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    docs = [
        make_doc(site, title=f"<script>alert(1)</script>文件{i}", doc_number=f"青政办发〔2026〕{i}号")
        for i in range(5)
    ]
    make_doc(site, secrecy="机密", title="涉密文件")
    client.force_login(site.world.users["zfb_editor"])
    # 31: the page, its five documents in fixed queries, and the shell (the meetings navigation adds one).
    with django_assert_max_num_queries(31):
        response = client.get(reverse("portal_desks:documents"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;文件0" in html and "<script>alert(1)" not in html
    assert "涉密文件" not in html
    doc = docs[0]
    response = client.post(
        reverse("portal_desks:document_publish", args=[doc.pk]), {f"d{doc.pk}-column": site.column("zfwj").pk}
    )
    assert response.status_code == 302
    page = PolicyDocumentPage.objects.get(source_document_id=doc.pk)
    assert not page.live
    # a second POST is refused with a message, nothing new
    response = client.post(
        reverse("portal_desks:document_publish", args=[doc.pk]),
        {f"d{doc.pk}-column": site.column("zfwj").pk},
        follow=True,
    )
    assert "不能重复发布" in response.content.decode()
    assert PolicyDocumentPage.objects.filter(source_document_id=doc.pk).count() == 1


@pytest.mark.parametrize("key", ["outsider", "mailbox", "cz_letters"])
def test_documents_page_refused_to_non_portal_staff(client, site: PortalWorld, key: str) -> None:  # type: ignore[no-untyped-def]
    doc = make_doc(site)
    client.force_login(site.world.users[key])
    assert client.get(reverse("portal_desks:documents")).status_code == 403
    assert client.get(reverse("portal_desks:index")).status_code == 403
    response = client.post(
        reverse("portal_desks:document_publish", args=[doc.pk]), {f"d{doc.pk}-column": site.column("zfwj").pk}
    )
    assert response.status_code == 403
    assert not PolicyDocumentPage.objects.exists()


def test_documents_page_other_unit_gets_404(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    doc = make_doc(site)
    client.force_login(site.world.users["cz_editor"])
    response = client.post(
        reverse("portal_desks:document_publish", args=[doc.pk]), {f"d{doc.pk}-column": site.column("zfwj").pk}
    )
    assert response.status_code == 404
    assert not PolicyDocumentPage.objects.exists()


def test_anonymous_redirected_to_login(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    doc = make_doc(site)
    response = client.post(reverse("portal_desks:document_publish", args=[doc.pk]), {})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not PolicyDocumentPage.objects.exists()


# --- REST API -----------------------------------------------------------------------------------------
def _post(client, doc: Document, column_id: object):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/portal/documents/{doc.pk}/publish",
        data=json.dumps({"column_id": column_id}),
        content_type="application/json",
    )


def test_api_publish(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    doc = make_doc(site)
    client.force_login(site.world.users["zfb_reviewer"])
    listed = client.get("/api/v1/portal/documents/publishable").json()
    assert [d["id"] for d in listed] == [doc.pk]
    assert [c["title"] for c in listed[0]["columns"]] == ["政府文件"]
    response = _post(client, doc, site.column("zfwj").pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["published"] is True and body["url"]
    again = _post(client, doc, site.column("zfwj").pk)
    assert again.status_code == 400
    assert again.json()["code"] == "portal.document_already_published"


def test_api_refusals_change_nothing(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    doc = make_doc(site)
    secret = make_doc(site, secrecy="秘密")
    assert _post(client, doc, site.column("zfwj").pk).status_code == 401
    client.force_login(site.world.users["zfb_editor"])
    assert _post(client, doc, site.column("xwwj").pk).status_code == 400
    assert _post(client, secret, site.column("zfwj").pk).status_code == 400
    client.force_login(site.world.users["cz_editor"])
    assert _post(client, doc, site.column("zfwj").pk).status_code == 404
    client.force_login(site.world.users["outsider"])
    assert _post(client, doc, site.column("zfwj").pk).status_code == 403
    assert client.get("/api/v1/portal/desks").status_code == 403
    assert not PolicyDocumentPage.objects.exists()


def test_api_desks(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    client.force_login(site.world.users["editor"])
    desks = client.get("/api/v1/portal/desks").json()
    assert [d["unit"] for d in desks] == ["青山县市场监督管理局"]
    assert [p["name"] for p in desks[0]["editors"]] == ["林编辑"]
    client.force_login(site.world.users["portaladmin"])
    names = {d["unit"] for d in client.get("/api/v1/portal/desks").json()}
    assert {"青山县市场监督管理局", "青山县财政局", "青山县人民政府办公室"} <= names
