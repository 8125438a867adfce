"""Portal endpoints of the editorial desks (``router`` under /api/v1/portal/): the desks a staff
member sees, the issued documents his desk may publish, and publishing one to a disclosure column
(``POST /api/v1/portal/documents/{id}/publish``). ``public_router`` has nothing: desks are staff
business. Thin: :mod:`tongban.portal.editorial_selectors` and :mod:`tongban.portal.documents_publish`."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tongban.api.common import Id, caller, errors
from tongban.portal import documents_publish
from tongban.portal import editorial_selectors as esel

router = Router(tags=["门户网站：编辑部与公文发布"])
public_router = Router(tags=["portal (public)"])

MAX_LIMIT = 100


class DeskPersonOut(Schema):
    id: int = Field(description="人员 id")
    name: str = Field(description="姓名")


class DeskColumnOut(Schema):
    id: int = Field(description="栏目页面 id")
    title: str = Field(description="栏目名称")
    kind: str = Field(description="检查类别：news/notice/policy/other/link")
    url: str | None = Field(description="栏目网址")


class DeskOut(Schema):
    unit_id: int = Field(description="单位 id")
    unit: str = Field(description="单位名称")
    workflow: str | None = Field(description="审核流程名称（尚未建立时为空）")
    columns: list[DeskColumnOut] = Field(description="本单位维护的栏目")
    editors: list[DeskPersonOut] = Field(description="网站编辑")
    reviewers: list[DeskPersonOut] = Field(description="网站审核")
    pending: int = Field(description="待审核稿件数")


class DeskDocumentOut(Schema):
    id: int = Field(description="公文 id")
    doc_number: str = Field(description="发文字号")
    title: str = Field(description="标题")
    unit_id: int = Field(description="主办单位 id")
    unit: str = Field(description="主办单位")
    written_date: date | None = Field(description="成文日期")
    issued_at: datetime | None = Field(description="核发时间")
    columns: list[DeskColumnOut] = Field(description="可发布到的政策文件类栏目")


class DeskPublishIn(Schema):
    column_id: int = Field(description="目标栏目页面 id（政策文件类栏目）")


class DeskPublishOut(Schema):
    page_id: int = Field(description="新建的政策文件页面 id")
    title: str = Field(description="标题")
    published: bool = Field(description="true：已发布；false：已提交栏目审核流程")
    url: str | None = Field(description="发布后的网址（已发布时）")


def _person(user: object) -> DeskPersonOut:
    return DeskPersonOut(id=user.pk, name=getattr(user, "full_name", "") or user.username)  # type: ignore[attr-defined]


def _column(column: object) -> DeskColumnOut:
    return DeskColumnOut(
        id=column.pk,  # type: ignore[attr-defined]
        title=column.title,  # type: ignore[attr-defined]
        kind=column.kind,  # type: ignore[attr-defined]
        url=column.url,  # type: ignore[attr-defined]
    )


@router.get("/desks", response={200: list[DeskOut], **errors(403)}, summary="我能看到的单位网站编辑部")
def desks(request: HttpRequest) -> list[DeskOut]:
    """网站管理员看到本县所有编辑部，网站编辑、网站审核看到本单位的编辑部；其他人 403。"""
    user = caller(request)
    if not esel.is_portal_staff(user):
        from django.utils.translation import gettext as _

        from tongban.core.errors import PermissionDenied

        raise PermissionDenied("portal.not_portal_staff", _("您没有门户网站编辑部的权限。"))
    return [
        DeskOut(
            unit_id=row.unit.pk,
            unit=row.unit.name,
            workflow=row.desk.workflow.name if row.desk else None,
            columns=[_column(c) for c in row.columns],
            editors=[_person(u) for u in row.editors],
            reviewers=[_person(u) for u in row.reviewers],
            pending=row.pending,
        )
        for row in esel.desks_for(user)
    ]


@router.get(
    "/documents/publishable",
    response={200: list[DeskDocumentOut], **errors(403)},
    summary="可发布到信息公开的已核发公文",
)
def publishable(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description="条数"),
    offset: int = Query(0, ge=0, description="起始位置"),
) -> list[DeskDocumentOut]:
    """本单位（网站管理员：本县）已核发、非涉密、未标明不予公开且尚未发布的公文，最新的在前。"""
    user = caller(request)
    docs = list(documents_publish.publishable_documents(user)[offset : offset + limit])
    columns: dict[int, list[DeskColumnOut]] = {}
    for doc in docs:
        if doc.unit_id not in columns:
            columns[doc.unit_id] = [_column(c) for c in esel.policy_columns_for(user, doc.unit)]
    return [
        DeskDocumentOut(
            id=d.pk,
            doc_number=d.doc_number,
            title=d.title,
            unit_id=d.unit_id,
            unit=d.unit.name,
            written_date=d.written_date,
            issued_at=d.issued_at,
            columns=columns[d.unit_id],
        )
        for d in docs
        if documents_publish.disclosure_refusal(d) is None
    ]


@router.post(
    "/documents/{document_id}/publish",
    response={201: DeskPublishOut, **errors(400, 403, 404)},
    summary="公文一键发布到信息公开栏目",
)
def publish(request: HttpRequest, document_id: Id, payload: DeskPublishIn) -> tuple[int, DeskPublishOut]:
    """把已核发公文发布为政策文件页面：网站审核（本单位栏目）和网站管理员直接发布，网站编辑提交
    栏目审核流程。涉密、未核发、附注标明不予公开或已发布过的公文被拒绝（400），不改变任何数据。"""
    user = caller(request)
    result = documents_publish.publish_document(
        actor=user, document_id=document_id, column_id=payload.column_id, request=request
    )
    return 201, DeskPublishOut(
        page_id=result.page.pk,
        title=result.page.title,
        published=result.published,
        url=result.page.url if result.published else None,
    )
