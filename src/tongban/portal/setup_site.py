"""Wiring of the portal's site part: the page cache's invalidation (:mod:`tongban.portal.cache`)
and link columns (a column whose content lives elsewhere redirects there)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

_connected = False


def _invalidate_page(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    from tongban.portal.cache import invalidate

    invalidate(f"{sender.__name__} {getattr(instance, 'pk', '')}")


def _invalidate_deleted(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        _invalidate_page(sender, instance)


def _link_column(page: Any, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse | None:
    """A link column (领导信箱 → the mailbox, 行政审批 → the service hall) sends visitors on."""
    from tongban.portal.models import ColumnPage

    if isinstance(page, ColumnPage) and page.link_url:
        return HttpResponseRedirect(page.link_url)
    return None


def ready() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    from wagtail import hooks
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    from tongban.portal.models import PortalIdentity

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_invalidate_page, dispatch_uid=f"portal-cache-{signal!r}")
    post_delete.connect(_invalidate_deleted, dispatch_uid="portal-cache-page-deleted")
    for model in (PortalIdentity, Site, PageViewRestriction, get_document_model(), get_image_model()):
        post_save.connect(_invalidate_page, sender=model, dispatch_uid=f"portal-cache-save-{model.__name__}")
        post_delete.connect(_invalidate_page, sender=model, dispatch_uid=f"portal-cache-del-{model.__name__}")
    hooks.register("before_serve_page", _link_column)
