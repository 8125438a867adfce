"""Template tags of the public site's page templates: each hands a template what
:mod:`tongban.portal.page_selectors` reads (the page models stay free of view logic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from wagtail.models import Page

from tongban.portal import page_selectors as sel
from tongban.portal.models import (
    ArticlePage,
    ChannelPage,
    ColumnPage,
    HomePage,
    PolicyDocumentPage,
    TopicPage,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_meta(context: template.Context, page: Page) -> sel.PageMeta:
    identity = context.get("portal_identity") or {}
    site_name = identity.get("site_name", "") if isinstance(identity, dict) else ""
    return sel.page_meta(page, site_name=site_name)


@register.simple_tag
def breadcrumbs(page: Page) -> list[Page]:
    return sel.breadcrumbs(page)


@register.simple_tag
def home_blocks(page: HomePage) -> sel.HomeBlocks:
    return sel.home_blocks(page)


@register.simple_tag
def interaction_blocks(page: HomePage) -> sel.InteractionBlocks:
    return sel.interaction_blocks(page.county)


@register.simple_tag
def channel_blocks(page: ChannelPage) -> list[sel.ColumnBlock]:
    return sel.channel_blocks(page)


@register.simple_tag(takes_context=True)
def column_listing(context: template.Context, page: ColumnPage) -> sel.ColumnListing:
    request = context.get("request")
    number = request.GET.get("page", 1) if request is not None else 1
    return sel.column_listing(page, number)


@register.simple_tag
def attachments(page: Page) -> list[sel.Attachment]:
    return sel.attachments(page)


@register.simple_tag
def related_pages(page: Page) -> list[Page]:
    return sel.related_pages(page)


@register.simple_tag
def column_recent(page: Page, limit: int = 6) -> list[Page]:
    return sel.column_recent(page, limit=limit)


@register.simple_tag
def interpreted_documents(page: ArticlePage) -> list[PolicyDocumentPage]:
    return sel.interpreted_documents(page)


@register.simple_tag
def interpretation_of(page: PolicyDocumentPage) -> ArticlePage | None:
    return sel.interpretation_of(page)


@register.simple_tag
def topic_articles(page: TopicPage) -> list[ArticlePage]:
    return sel.topic_articles(page)


@register.simple_tag
def other_departments(page: Any) -> list[Any]:
    return list(sel.other_departments(page))


@register.filter
def leader_lines(text: str) -> list[list[str]]:
    return sel.leader_lines(text or "")


@register.filter
def published(page: Page) -> datetime | None:
    """The date a visitor reads for a page: its publish date, else when it was first published."""
    return sel.publish_time(page)


@register.filter
def kind_label(page: Page) -> str:
    return sel.page_kind_label(page)


@register.filter
def child_slug(page: Page, slug: str) -> Page | None:
    """The live, public child page with this slug (the 公开指南 / 公开目录 of the 政务公开 channel)."""
    child = sel.visible(Page.objects.child_of(page)).filter(slug=slug).first()
    return child.specific if child is not None else None
