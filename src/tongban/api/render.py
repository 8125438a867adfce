"""REST endpoint that renders a document described in DocumentSpec to PDF without storing it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from tongban.api.common import errors
from tongban.core.errors import PermissionDenied
from tongban.documents.render import DocumentSpec, render_pdf

router = Router(tags=["render"])


def _staff(request: HttpRequest) -> Any:
    user = getattr(request, "auth", None) or request.user
    # 三员 accounts administer the system and do no document business (GB/T 22239-2019 三员分立).
    if not getattr(user, "is_authenticated", False) or getattr(user, "admin_role", ""):
        raise PermissionDenied("render.forbidden", _("只有业务人员可以预览公文版式。"))
    return user


@router.post(
    "/document",
    response={200: None, **errors(403, 422)},
    summary="按 GB/T 9704 排版预览公文（PDF，不保存）",
    description="请求体为公文 JSON（DocumentSpec，包含条例第九条全部要素），返回 application/pdf。",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def render_document(request: HttpRequest, spec: DocumentSpec) -> HttpResponse:
    _staff(request)
    pdf = render_pdf(spec)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response
