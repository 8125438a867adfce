"""Test builders for the portal: the interaction world plus the county's site (home, channels,
columns) and a helper to publish an article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from wagtail.models import Page

from tongban.interaction.testing import InteractionWorld, build_world
from tongban.portal.models import ArticlePage, ColumnPage, HomePage
from tongban.portal.structure import ensure_site


@dataclass
class PortalWorld:
    world: InteractionWorld
    home: HomePage

    def column(self, slug: str) -> ColumnPage:
        return ColumnPage.objects.descendant_of(self.home).get(slug=slug)


def build_site(*, code: str = "990011") -> PortalWorld:
    world = build_world(code=code)
    return PortalWorld(world=world, home=ensure_site(world.county))


def publish_article(
    parent: Page,
    title: str,
    *,
    body: str = "<p>正文</p>",
    when: dt.datetime | None = None,
    slug: str | None = None,
    **fields: object,
) -> ArticlePage:
    page = ArticlePage(
        title=title,
        slug=slug or f"a{ArticlePage.objects.count() + 1}",
        body=body,
        publish_date=when or timezone.now(),
        **fields,
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def ensure_wagtail_roots() -> None:
    """The rows Wagtail's own migrations create: the default locale, the root page and the root
    collection (tests that flush the database lose them)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale

    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page), locale=locale
            )
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
