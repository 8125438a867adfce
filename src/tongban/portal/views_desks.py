"""Staff pages of the editorial desks (/portal-admin/desks/): the units' desks with their columns,
editors, reviewers and pending reviews, and the issued documents a desk can publish to the
disclosure columns. Thin: selectors and services do the work. Roles are granted in the platform
(orgs:roles) by the security administrator; these pages only show them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.portal import documents_publish
from tongban.portal import editorial_selectors as esel
from tongban.portal.forms_desks import PublishDocumentForm

PAGE_SIZE = 20


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required and a portal role (admin, editor or reviewer); NotFound → 404,
    PermissionDenied → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not esel.is_portal_staff(request.user):
            raise DjangoPermissionDenied(_("您没有门户网站编辑部的权限。"))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


@staff_view
def index(request: HttpRequest) -> HttpResponse:
    rows = esel.desks_for(request.user)
    return render(
        request,
        "portal/desks/index.html",
        {
            "rows": rows,
            "is_admin": esel.is_portal_admin(request.user),
            "pending_total": sum(r.pending for r in rows),
        },
    )


@staff_view
def desk_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    row = esel.access_desk(request.user, unit_id)
    return render(
        request, "portal/desks/detail.html", {"row": row, "is_admin": esel.is_portal_admin(request.user)}
    )


def _columns_by_unit(user: Any, docs: list[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for doc in docs:
        if doc.unit_id not in out:
            out[doc.unit_id] = esel.policy_columns_for(user, doc.unit)
    return out


@staff_view
def documents(request: HttpRequest) -> HttpResponse:
    page = Paginator(documents_publish.publishable_documents(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    docs = list(page.object_list)
    columns = _columns_by_unit(request.user, docs)
    rows = [
        {
            "doc": doc,
            "form": PublishDocumentForm(columns=columns[doc.unit_id], prefix=f"d{doc.pk}"),
            "has_columns": bool(columns[doc.unit_id]),
            "refusal": documents_publish.disclosure_refusal(doc),
        }
        for doc in docs
    ]
    return render(request, "portal/desks/documents.html", {"page": page, "rows": rows})


@require_POST
@staff_view
def document_publish(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = documents_publish.access_publishable(request.user, document_id)
    form = PublishDocumentForm(
        request.POST, columns=esel.policy_columns_for(request.user, doc.unit), prefix=f"d{doc.pk}"
    )
    if not form.is_valid():
        messages.error(request, _("请选择发布栏目。"))
        return redirect("portal_desks:documents")
    try:
        result = documents_publish.publish_document(
            actor=request.user, document_id=doc.pk, column_id=form.cleaned_data["column"], request=request
        )
    except TongbanError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, str(exc.message))
        return redirect("portal_desks:documents")
    if result.published:
        messages.success(request, _("《%(title)s》已发布到信息公开栏目。") % {"title": result.page.title})
    else:
        messages.success(
            request, _("《%(title)s》已提交审核，审核通过后发布。") % {"title": result.page.title}
        )
    return redirect("portal_desks:documents")
