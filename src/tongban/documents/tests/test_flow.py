"""The outgoing process through the services: draft → review → office review (countersign) →
sign → recheck (with a return) → number → seal → issue → archive."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.documents import hooks, selectors, services
from tongban.documents.models import Attachment, DocStatus, Document, NumberRecord
from tongban.documents.tests.conftest import World
from tongban.workflow import selectors as wfs


def _item(doc: Document, user: Any) -> Any:
    items = wfs.open_items_for(user=user, subject_type=services.SUBJECT_TYPE, subject_id=doc.pk)
    assert items, f"{user.username} has no open item"
    return items[0]


def _new(world: World, **extra: Any) -> Document:
    data = {
        "title": "关于做好2026年度财政预算编制工作的通知",
        "doc_type": "通知",
        "body_html": "<p>各乡镇人民政府、县直各单位：</p><h1>一、总体要求</h1><p>按照……</p>",
        "main_units": [world.units["cz"].pk, world.units["mz"].pk],
        "main_external": "市财政局",
    } | extra
    return services.document_create(actor=world.users["zfb_clerk"], data=data)


@pytest.fixture
def sealable(world: World) -> World:
    from tongban.seals import services as seal_services

    seal_services.ca_init(county=world.county)
    seal_services.certificate_issue(unit=world.units["zfb"])
    return world


def test_create_sets_defaults_and_first_version(world: World) -> None:
    doc = _new(world)
    assert doc.unit == world.units["zfb"] and doc.status == DocStatus.DRAFT
    assert doc.flag_text == "青山县人民政府办公室文件" and doc.series == world.series
    assert doc.main_to == "青山县财政局、青山县民政局、市财政局"
    assert [v.version for v in doc.versions.all()] == [1]
    assert _item(doc, world.users["zfb_clerk"]).step == "draft"
    assert selectors.can_see(doc, world.users["zfb_clerk"])
    assert not selectors.can_see(doc, world.users["cz_clerk"])


def test_body_versions_and_diff(world: World) -> None:
    doc = _new(world)
    clerk = world.users["zfb_clerk"]
    services.document_update(document=doc, actor=clerk, data={"title": "新标题"})
    assert doc.versions.count() == 1  # no body change, no version
    services.document_update(
        document=doc, actor=clerk, data={"body_html": "<p>各单位：</p><p>改后<script>x</script></p>"}
    )
    v1, v2 = selectors.versions(doc)
    assert v2.html == "<p>各单位：</p><p>改后</p>"
    rows = selectors.version_diff(v1, v2)
    assert any(r.kind != "equal" for r in rows)
    with pytest.raises(PermissionDenied):
        services.document_update(document=doc, actor=world.users["cz_clerk"], data={"body_html": "<p>x</p>"})
    assert Document.objects.get(pk=doc.pk).body_html == v2.html


def test_attachments_types_size_and_names(world: World, settings: Any) -> None:
    doc = _new(world)
    clerk = world.users["zfb_clerk"]
    att = services.attachment_add(
        document=doc, actor=clerk, file=SimpleUploadedFile("../../etc/预算表.txt", "第一行 预算".encode())
    )
    assert att.name == "预算表.txt" and len(att.sha256) == 64 and att.size == len("第一行 预算".encode())
    with pytest.raises(TongbanError):
        services.attachment_add(document=doc, actor=clerk, file=SimpleUploadedFile("x.exe", b"MZ"))
    settings.TONGBAN_DOCUMENT_ATTACHMENT_MAX_MB = 1
    with pytest.raises(TongbanError):
        services.attachment_add(
            document=doc, actor=clerk, file=SimpleUploadedFile("big.pdf", b"0" * (1024 * 1024 + 1))
        )
    assert Attachment.objects.filter(document=doc).count() == 1
    services.attachment_remove(attachment=att, actor=clerk)
    assert not Attachment.objects.filter(document=doc).exists()


def test_docx_import(world: World) -> None:
    import io

    import docx

    d = docx.Document()
    d.add_heading("一、总体要求", level=1)
    d.add_paragraph("这是导入的正文。")
    buf = io.BytesIO()
    d.save(buf)
    doc = _new(world)
    services.body_import_docx(
        document=doc, actor=world.users["zfb_clerk"], file=SimpleUploadedFile("正文.docx", buf.getvalue())
    )
    doc.refresh_from_db()
    assert "<h1>一、总体要求</h1>" in doc.body_html and "这是导入的正文。" in doc.body_html
    assert doc.versions.last().source == "docx"
    assert doc.attachments.get().role == Attachment.Role.BODY_SOURCE


def test_full_route_with_countersign_return_and_issue(sealable: World) -> None:
    world = sealable
    u = world.users
    received: list[tuple[int, list[int]]] = []

    def listener(*, document: Document, recipients: list[Any], actor: Any) -> None:
        received.append((document.pk, sorted(r.unit_id for r in recipients)))

    hooks.register_issued_listener(listener)
    try:
        doc = _new(world, organs=[world.units["cz"].pk])  # joint document with 财政局
        # 拟稿 → 部门负责人审核 (the office head, chosen)
        with pytest.raises(TongbanError):
            services.step_submit(item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"], data={})
        services.step_submit(
            item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"], data={"next_assignees": [u["zfb_head"].pk]}
        )
        assert Document.objects.get(pk=doc.pk).status == DocStatus.REVIEW
        services.step_submit(item=_item(doc, u["zfb_head"]), actor=u["zfb_head"], opinion="同意")
        # 办公室核稿: countersign by 财政局, signer the county leader
        services.step_submit(
            item=_item(doc, u["zfb_head"]),
            actor=u["zfb_head"],
            opinion="请财政局会签",
            data={"countersign_units": [world.units["cz"].pk], "next_assignees": [u["countyleader"].pk]},
        )
        # 会签 at 财政局 (pooled to its leader); a joint organ's countersign is a sign-off
        services.step_submit(item=_item(doc, u["cz_leader"]), actor=u["cz_leader"], opinion="同意会签")
        # 领导签发
        services.step_submit(item=_item(doc, u["countyleader"]), actor=u["countyleader"], opinion="同意印发")
        doc.refresh_from_db()
        assert doc.status == DocStatus.SIGNED and doc.written_date is not None
        assert doc.signers_text == "财政局局长、王副县长"
        # 复核: the body was changed after sign-off → must go back to the signer
        services.document_update(
            document=doc,
            actor=u["zfb_head"],
            data={"body_html": "<p>实质性修改后的正文。</p>"},
            step="recheck",
        )
        with pytest.raises(TongbanError) as exc:
            services.step_submit(item=_item(doc, u["zfb_head"]), actor=u["zfb_head"])
        assert exc.value.code == "documents.changed_after_signoff"
        services.step_submit(
            item=_item(doc, u["zfb_head"]),
            actor=u["zfb_head"],
            opinion="修改了第二段",
            data={"decision": "return"},
        )
        assert _item(doc, u["countyleader"]).step == "sign"
        assert Document.objects.get(pk=doc.pk).status == DocStatus.REVIEW
        services.step_submit(item=_item(doc, u["countyleader"]), actor=u["countyleader"], opinion="同意")
        services.step_submit(item=_item(doc, u["zfb_head"]), actor=u["zfb_head"], opinion="复核无误")
        # 编号登记 → 用印 → 核发 by the clerk
        services.step_submit(item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"], data={"copies": 30})
        doc.refresh_from_db()
        assert (
            doc.doc_number.startswith("青政办发〔") and doc.doc_number.endswith("〕1号") and doc.copies == 30
        )
        services.step_submit(item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"])
        doc.refresh_from_db()
        assert doc.status == DocStatus.SEALED and doc.sealed_pdf
        from tongban.seals import services as seal_services

        doc.sealed_pdf.seek(0)
        sealed = doc.sealed_pdf.read()
        assert seal_services.verify_pdf(sealed).status == "valid"
        # the colophon of the sealed copy carries 印发机关 and 印发日期 (第九条 (十七))
        import io

        import pypdf

        from tongban.documents.rules import chinese_date

        text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(sealed)).pages).replace(" ", "")
        assert doc.printed_date and f"{chinese_date(doc.printed_date)}印发" in text
        services.step_submit(item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"])
        doc.refresh_from_db()
        assert doc.status == DocStatus.ISSUED and doc.issued_at and doc.printed_date
        assert received == [(doc.pk, sorted([world.units["cz"].pk, world.units["mz"].pk]))]
        assert doc.instance.status == "completed"
        # everyone on the route sees it; an outsider does not
        for name in ("zfb_clerk", "zfb_head", "cz_leader", "countyleader"):
            assert selectors.can_see(doc, u[name]), name
        assert not selectors.can_see(doc, u["staff"])  # same unit, not on the route
        # 民政局 received it: its clerk sees it through the receiving visibility extension
        assert selectors.can_see(doc, u["mz_clerk"]) == bool(hooks.visibility_extensions())
        # 归档, then read-only
        with pytest.raises(TongbanError):
            services.document_archive(document=doc, actor=u["zfb_clerk"], retention="forever")
        services.document_archive(document=doc, actor=u["zfb_clerk"], retention="30y")
        from tongban.archive import selectors as archive_selectors

        assert archive_selectors.is_archived(services.SUBJECT_TYPE, doc.pk)
        assert not services.may_edit(Document.objects.get(pk=doc.pk), u["zfb_clerk"])
    finally:
        hooks._issued_listeners.remove(listener)


def test_withdraw_after_numbering_voids_and_cancels(world: World) -> None:
    doc = _new(world)
    with pytest.raises(PermissionDenied):
        services.document_withdraw(document=doc, actor=world.users["cz_clerk"], reason="x")
    services.document_withdraw(document=doc, actor=world.users["zfb_clerk"], reason="不再发文")
    doc.refresh_from_db()
    assert doc.status == DocStatus.WITHDRAWN and doc.instance.status == "cancelled"
    assert not NumberRecord.objects.exists()
    with pytest.raises(TongbanError):
        services.document_withdraw(document=doc, actor=world.users["zfb_clerk"], reason="again")


def test_classified_only_named_readers_and_views_audited(world: World) -> None:
    u = world.users
    doc = _new(world, secrecy="秘密", secrecy_period="1年", named_readers=[u["zfb_head"].pk])
    assert set(doc.named_readers.values_list("username", flat=True)) == {"zfb_clerk", "zfb_head"}
    assert selectors.can_see(doc, u["zfb_head"])
    # the unit's office (normally entitled) and the county leader are not named: refused
    assert not selectors.can_see(doc, u["zfb_leader"]) and not selectors.can_see(doc, u["countyleader"])
    assert doc not in selectors.visible_documents(u["zfb_leader"])
    before = AuditRecord.objects.filter(event="documents.classified_viewed").count()
    selectors.access_document(doc.pk, u["zfb_head"])
    assert AuditRecord.objects.filter(event="documents.classified_viewed").count() == before + 1


def test_visibility_extension_hook(world: World) -> None:
    doc = _new(world)
    outsider = world.users["mz_clerk"]
    assert not selectors.can_see(doc, outsider)

    def ext(user: Any) -> set[int]:
        return {doc.pk} if user.pk == outsider.pk else set()

    hooks.register_visibility_extension(ext)
    try:
        assert selectors.can_see(doc, outsider)
        assert doc in selectors.visible_documents(outsider)
    finally:
        hooks._visibility_extensions.remove(ext)


def test_classified_goes_only_to_named_handlers_and_title_reaches_the_inbox(world: World) -> None:
    u = world.users
    doc = _new(world, secrecy="机密", named_readers=[])
    with pytest.raises(TongbanError) as exc:
        services.step_submit(
            item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"], data={"next_assignees": [u["zfb_head"].pk]}
        )
    assert exc.value.code == "documents.not_named_reader"
    assert Document.objects.get(pk=doc.pk).status == DocStatus.DRAFT
    services.document_update(
        document=doc,
        actor=u["zfb_clerk"],
        data={"title": "关于机密事项的通知", "named_readers": [u["zfb_head"].pk]},
    )
    item = _item(doc, u["zfb_clerk"])
    assert item.title == "关于机密事项的通知"
    services.step_submit(item=item, actor=u["zfb_clerk"], data={"next_assignees": [u["zfb_head"].pk]})
    assert _item(doc, u["zfb_head"]).step == "dept_review"


def test_printed_main_to_follows_recipients_unless_written_by_hand(world: World) -> None:
    clerk = world.users["zfb_clerk"]
    doc = _new(world, main_external="")
    assert doc.main_to == "青山县财政局、青山县民政局"
    doc = services.document_update(
        document=doc, actor=clerk, data={"main_units": [world.units["cz"].pk], "main_to": doc.main_to}
    )
    assert doc.main_to == "青山县财政局"
    doc = services.document_update(
        document=doc,
        actor=clerk,
        data={"main_units": [world.units["mz"].pk], "main_to": "各乡镇人民政府，县直各单位"},
    )
    assert doc.main_to == "各乡镇人民政府，县直各单位"
    assert selectors.recipient_lists(doc)["main_units"] == [world.units["mz"].pk]


def test_documents_are_indexed_for_search_and_filtered_by_visibility(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from tongban.search import selectors as search_selectors

    with django_capture_on_commit_callbacks(execute=True):
        doc = _new(world, title="关于开展森林防火专项检查的通知")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_add(
            document=doc,
            actor=world.users["zfb_clerk"],
            file=SimpleUploadedFile("检查表.txt", "林区巡护台账".encode()),
        )
    found = search_selectors.search(user=world.users["zfb_clerk"], q="森林防火")
    assert [r.object_id for r in found.hits] == [doc.pk]
    assert [
        r.object_id for r in search_selectors.search(user=world.users["zfb_clerk"], q="巡护台账").hits
    ] == [doc.pk]
    assert search_selectors.search(user=world.users["mz_clerk"], q="森林防火").hits == []
    with django_capture_on_commit_callbacks(execute=True):
        services.document_withdraw(document=doc, actor=world.users["zfb_clerk"], reason="不发了")
    assert search_selectors.search(user=world.users["zfb_clerk"], q="森林防火").hits == []


def test_classified_cannot_be_copied_or_transferred_to_unnamed_people(world: World) -> None:
    from tongban.workflow import services as wf
    from tongban.workflow.models import WorkItem

    u = world.users
    doc = _new(world, secrecy="秘密", named_readers=[])
    services.document_update(
        document=doc, actor=u["zfb_clerk"], data={"named_readers": [u["zfb_clerk"].pk, u["zfb_head"].pk]}
    )
    services.step_submit(
        item=_item(doc, u["zfb_clerk"]), actor=u["zfb_clerk"], data={"next_assignees": [u["zfb_head"].pk]}
    )
    doc.refresh_from_db()
    before = WorkItem.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        wf.copy_for_reading(instance=doc.instance, actor=u["zfb_head"], users=[u["staff"]], note="请阅")
    assert exc.value.code == "documents.classified_route"
    with pytest.raises(PermissionDenied):
        wf.item_transfer(item=_item(doc, u["zfb_head"]), actor=u["zfb_head"], to_user=u["staff"], opinion="")
    assert WorkItem.objects.count() == before  # nothing was opened for the unnamed person
    assert not WorkItem.objects.filter(assignee=u["staff"]).exists()
    # a named reader may be given it to read
    wf.copy_for_reading(instance=doc.instance, actor=u["zfb_head"], users=[u["zfb_clerk"]], note="请阅")
