"""Issued official documents (已核发公文) → the portal's disclosure columns, in one action.

Issue #5: "Issued official documents from the documents module can be published to a disclosure
column in one action." 政府信息公开条例 第十九条/第二十条(一): normative documents are disclosed on
the organ's own initiative; 第二十六条: within 20 working days of being made. 保密法 / 条例 第十四条:
classified information (密级) is never disclosed, nor a document whose 附注 says it is not for
disclosure (不予公开 / 不公开).

A publication creates one :class:`PolicyDocumentPage` (文号, 发文机关, 成文日期, 正文, the sealed PDF
as a Wagtail document) with ``source_document_id`` = the document (unique: published once), and
either publishes it (the actor is a reviewer of the column's unit or a site administrator) or
submits it to the column's moderation workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from tongban.core import audit, clock
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.documents.models import DocStatus, Document
from tongban.documents.sanitize import clean_html
from tongban.portal import editorial
from tongban.portal import editorial_selectors as esel
from tongban.portal.models import DisclosureCategory, PageAttachment, PolicyDocumentPage

ISSUED_STATES = (DocStatus.ISSUED, DocStatus.ARCHIVED)
NOT_FOR_DISCLOSURE_MARKS = ("不予公开", "不公开", "依申请公开")


def publishable_documents(user: Any) -> QuerySet[Document]:
    """Issued, unclassified documents of the units ``user`` edits for (all of his counties' units
    for a site administrator) that are not on the portal yet, newest first."""
    scope = esel.scope_of(user)
    if not scope.any:
        return Document.objects.none()
    published = PolicyDocumentPage.objects.exclude(source_document_id=None).values("source_document_id")
    marked = Q()
    for mark in NOT_FOR_DISCLOSURE_MARKS:
        marked |= Q(note__contains=mark)
    return (
        Document.objects.filter(status__in=ISSUED_STATES, secrecy="", issued_at__isnull=False)
        .filter(Q(unit__county_id__in=scope.admin_county_ids) | Q(unit_id__in=scope.desk_unit_ids))
        .exclude(pk__in=published)
        .exclude(marked)
        .select_related("unit")
        .order_by("-issued_at", "-pk")
    )


def disclosure_refusal(document: Document) -> str | None:
    """Why ``document`` may not go on the portal (a translated sentence), or None."""
    if document.secrecy:
        return _("涉密公文不得在门户网站公开发布。")
    if document.status not in ISSUED_STATES or document.issued_at is None:
        return _("只有已核发的公文才能发布到信息公开栏目。")
    note = document.note or ""
    if any(mark in note for mark in NOT_FOR_DISCLOSURE_MARKS):
        return _("该公文附注标明不予主动公开，不能发布到门户网站。")
    return None


def access_publishable(user: Any, document_id: Any) -> Document:
    """The document if ``user`` may publish it: an editor or reviewer of its unit, or an
    administrator of its county's site."""
    scope = esel.scope_of(user)
    if not scope.any:
        raise PermissionDenied("portal.not_portal_staff", _("您没有门户网站编辑权限。"))
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise NotFound("portal.document_not_found", _("公文不存在。")) from None
    doc = Document.objects.select_related("unit", "unit__county").filter(pk=pk).first()
    if doc is None:
        raise NotFound("portal.document_not_found", _("公文不存在。"))
    if doc.unit_id not in scope.desk_unit_ids and doc.unit.county_id not in scope.admin_county_ids:
        raise NotFound("portal.document_not_found", _("公文不存在。"))
    return doc


@dataclass(frozen=True)
class Publication:
    page: PolicyDocumentPage
    published: bool  # False: submitted to the column's workflow


def published_page_for(document_id: int) -> PolicyDocumentPage | None:
    return PolicyDocumentPage.objects.filter(source_document_id=document_id).first()


def _attach_pdf(page: PolicyDocumentPage, document: Document, actor: Any) -> None:
    if not document.sealed_pdf:
        return
    try:
        with document.sealed_pdf.open("rb") as fh:
            data = fh.read()
    except OSError:
        return  # the file is missing from storage: publish the text, the PDF can be added later
    wagtail_document = get_document_model()(
        title=document.title[:255],
        collection=editorial.unit_collection(document.unit),
        uploaded_by_user=actor,
    )
    number = document.doc_number or str(document.pk)
    wagtail_document.file.save(f"{number}.pdf", ContentFile(data), save=False)
    wagtail_document.save()
    PageAttachment.objects.create(
        page=page, document=wagtail_document, title=_("盖章文件（PDF）"), sort_order=0
    )


@transaction.atomic
def publish_document(
    *, actor: Any, document_id: Any, column_id: Any, request: HttpRequest | None = None
) -> Publication:
    """Publish issued document ``document_id`` to the policy column ``column_id``. Refuses (and
    changes nothing) when the document is classified, not issued, marked not for disclosure, or
    already on the portal, or when the column is not one the actor may use."""
    document = access_publishable(actor, document_id)
    Document.objects.select_for_update().filter(pk=document.pk).first()  # one publisher at a time
    refusal = disclosure_refusal(document)
    if refusal:
        raise TongbanError("portal.document_not_disclosable", refusal)
    existing = published_page_for(document.pk)
    if existing is not None:
        raise TongbanError(
            "portal.document_already_published",
            _("该公文已发布到门户网站（%(title)s），不能重复发布。") % {"title": existing.title},
        )
    try:
        column_pk = int(column_id)
    except (TypeError, ValueError):
        raise TongbanError("portal.column_required", _("请选择发布栏目。"), field="column") from None
    columns = {c.pk: c for c in esel.policy_columns_for(actor, document.unit)}
    column = columns.get(column_pk)
    if column is None:
        raise TongbanError(
            "portal.column_not_allowed",
            _("不能发布到所选栏目，请选择本单位的政策文件类栏目。"),
            field="column",
        )
    now = clock.now()
    issued_on = document.written_date or timezone.localdate(document.issued_at or now)
    page = PolicyDocumentPage(
        title=document.title[:255],
        slug=f"doc-{document.pk}",
        doc_number=document.doc_number,
        issuing_organ=(document.signature_text or document.unit.name)[:100],
        issued_on=issued_on,
        body=clean_html(document.body_html) or "<p></p>",
        publish_date=now,
        source=document.unit.name[:100],
        unit=document.unit,
        disclosure_category=column.disclosure_category or DisclosureCategory.RULES,
        source_document_id=document.pk,
        live=False,
    )
    try:
        with transaction.atomic():
            column.add_child(instance=page)
    except IntegrityError:
        raise TongbanError(
            "portal.document_already_published", _("该公文已发布到门户网站，不能重复发布。")
        ) from None
    _attach_pdf(page, document, actor)
    revision = page.save_revision(user=actor, log_action=True)
    published = esel.can_publish_column(actor, column)
    if published:
        revision.publish(user=actor)
    else:
        workflow = page.get_workflow()
        if workflow is None:
            raise TongbanError(
                "portal.no_workflow", _("该栏目未设置审核流程，请联系网站管理员。"), field="column"
            )
        workflow.start(page, actor)
    audit.record(
        "portal.document_published" if published else "portal.document_submitted",
        actor=actor,
        request=request,
        obj=page,
        unit_id=document.unit_id,
        new={"document_id": document.pk, "column_id": column.pk, "doc_number": document.doc_number},
    )
    return Publication(page=page, published=published)
