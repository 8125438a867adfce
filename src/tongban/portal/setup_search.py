"""Wiring of the portal's search part: the index follows publishing (Wagtail's signals), the demo
site is indexed after its content is seeded (order 430)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move


def _published(sender: Any, instance: Page, **kwargs: Any) -> None:
    from tongban.portal import search
    from tongban.portal.models import ColumnPage

    search.index_page(instance)
    if isinstance(instance, ColumnPage):  # its owning unit may have changed: its pages' unit too
        search.reindex_below(instance)


def _unpublished(sender: Any, instance: Page, **kwargs: Any) -> None:
    from tongban.portal import search

    search.unindex_unsearchable_below(instance)


def _moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    from tongban.portal import search

    search.reindex_below(instance)


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page) and instance.pk:
        from tongban.portal import search

        search.unindex_page(instance.pk)


def _restriction(sender: Any, instance: PageViewRestriction, **kwargs: Any) -> None:
    from tongban.portal import search

    search.restriction_changed(instance)


def _demo(ctx: Any) -> str:
    from tongban.portal import search
    from tongban.portal.models import HomePage

    count = sum(search.reindex_site(home) for home in HomePage.objects.all())
    return f"门户网站搜索：索引页面 {count} 个"


def ready() -> None:
    from tongban.core import demo

    page_published.connect(_published, dispatch_uid="portal.search.published")
    page_unpublished.connect(_unpublished, dispatch_uid="portal.search.unpublished")
    post_page_move.connect(_moved, dispatch_uid="portal.search.moved")
    post_delete.connect(_deleted, dispatch_uid="portal.search.deleted")
    post_save.connect(_restriction, sender=PageViewRestriction, dispatch_uid="portal.search.restricted")
    post_delete.connect(_restriction, sender=PageViewRestriction, dispatch_uid="portal.search.unrestricted")
    demo.register("portal.search", _demo, order=430)
