"""Wiring of the portal's site part: the page cache's invalidation (:mod:`tongban.portal.cache`)
and link columns (a column whose content lives elsewhere redirects there).

The home page shows interaction content too (信件选登, 在线访谈, 征集调查). ``interaction`` must never
import ``portal``, so the portal listens to its models here: a letter published, withdrawn,
answered or sent back for rehandling (a :class:`~tongban.interaction.models.LetterEvent` of those
kinds), an interview whose status changed, and any change of a survey drop the site's cache."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_init, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

_connected = False


def _invalidate_page(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    from tongban.portal.cache import invalidate

    invalidate(f"{sender.__name__} {getattr(instance, 'pk', '')}")


def _identity_saved(sender: Any, instance: Any = None, created: bool = False, **kwargs: Any) -> None:
    """Wagtail creates a site's settings row with its defaults on the first read (often while a
    page is being rendered with those very defaults): only a change drops the cache."""
    if not created:
        _invalidate_page(sender, instance)


def _invalidate_deleted(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        _invalidate_page(sender, instance)


LETTER_EVENT_KINDS = frozenset({"published", "unpublished", "rehandle", "answered"})
_STATUS_SEEN = "_tb_portal_status_seen"


def _letter_event_saved(sender: Any, instance: Any = None, created: bool = False, **kwargs: Any) -> None:
    if instance is not None and instance.kind in LETTER_EVENT_KINDS:
        _invalidate_page(sender, instance)


def _interview_loaded(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    """Remember the status an interview was loaded (or built) with; a deferred status is unknown."""
    if instance is not None:
        setattr(instance, _STATUS_SEEN, instance.__dict__.get("status"))


def _interview_saved(
    sender: Any, instance: Any = None, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """An interview's status decides whether (and how) the home page shows it: drop the cache when
    the status changed. A save naming its fields (the interview services do) says so itself."""
    if instance is None:
        return
    status = instance.__dict__.get("status")
    seen = getattr(instance, _STATUS_SEEN, None)
    setattr(instance, _STATUS_SEEN, status)
    if update_fields is not None:
        changed = "status" in update_fields
    elif created:
        changed = status != "draft"
    else:
        changed = seen is None or seen != status
    if changed:
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

    from tongban.interaction.models import Interview, LetterEvent, Survey
    from tongban.portal.models import PortalIdentity

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_invalidate_page, dispatch_uid=f"portal-cache-{signal!r}")
    post_delete.connect(_invalidate_deleted, dispatch_uid="portal-cache-page-deleted")
    post_save.connect(_identity_saved, sender=PortalIdentity, dispatch_uid="portal-cache-save-PortalIdentity")
    post_delete.connect(
        _invalidate_page, sender=PortalIdentity, dispatch_uid="portal-cache-del-PortalIdentity"
    )
    for model in (Site, PageViewRestriction, get_document_model(), get_image_model()):
        post_save.connect(_invalidate_page, sender=model, dispatch_uid=f"portal-cache-save-{model.__name__}")
        post_delete.connect(_invalidate_page, sender=model, dispatch_uid=f"portal-cache-del-{model.__name__}")
    post_save.connect(_letter_event_saved, sender=LetterEvent, dispatch_uid="portal-cache-letter-event")
    post_init.connect(_interview_loaded, sender=Interview, dispatch_uid="portal-cache-interview-init")
    post_save.connect(_interview_saved, sender=Interview, dispatch_uid="portal-cache-interview-save")
    post_delete.connect(_invalidate_page, sender=Interview, dispatch_uid="portal-cache-interview-del")
    post_save.connect(_invalidate_page, sender=Survey, dispatch_uid="portal-cache-survey-save")
    post_delete.connect(_invalidate_page, sender=Survey, dispatch_uid="portal-cache-survey-del")
    hooks.register("before_serve_page", _link_column)
