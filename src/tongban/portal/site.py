"""The portal's site: which county's site a request is on, its identity (meta tags, footer) and its
top navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from wagtail.models import Site

from tongban.orgs.models import County
from tongban.portal import cache as page_cache
from tongban.portal.models import ChannelPage, HomePage, PortalIdentity

IDENTITY_FIELDS = (
    "site_name",
    "site_domain",
    "site_idcode",
    "icp_number",
    "police_number",
    "sponsor",
    "organizer",
    "phone",
    "email",
    "address",
)


def identity_for(request: HttpRequest) -> Any:
    site = Site.find_for_request(request)
    if site is None:
        return None
    return PortalIdentity.for_site(site)


def home_for_county(county: County) -> HomePage | None:
    """The county's live home page, or None when its site has not been built."""
    return HomePage.objects.filter(county=county).live().first()


def home_for_request(request: HttpRequest) -> HomePage | None:
    """The home page of the site the request is on (the default site for an unknown host)."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page.specific
    return root if isinstance(root, HomePage) else None


@dataclass(frozen=True)
class NavEntry:
    title: str
    url: str
    slug: str


@dataclass(frozen=True)
class SiteSnapshot:
    """What every public page's frame needs, cached per host until the next invalidation: the
    identity (plain values) and the channels for the top navigation."""

    identity: dict[str, str]
    home_url: str
    home_id: int | None
    channels: tuple[NavEntry, ...]


def _build_snapshot(request: HttpRequest) -> SiteSnapshot:
    site = Site.find_for_request(request)
    if site is None:
        defaults = PortalIdentity()
        return SiteSnapshot(
            identity={f: str(getattr(defaults, f)) for f in IDENTITY_FIELDS},
            home_url="/portal/",
            home_id=None,
            channels=(),
        )
    identity = PortalIdentity.for_site(site)
    root = site.root_page
    channels = tuple(
        NavEntry(title=ch.title, url=ch.get_url(request) or "", slug=ch.slug)
        for ch in ChannelPage.objects.child_of(root).live().order_by("path")
    )
    return SiteSnapshot(
        identity={f: str(getattr(identity, f) or "") for f in IDENTITY_FIELDS},
        home_url=root.get_url(request) or "/portal/",
        home_id=root.pk,
        channels=channels,
    )


def snapshot(request: HttpRequest) -> SiteSnapshot:
    """The site's frame data for this request's host (no query when cached)."""
    key = f"site:{request.get_host()}:{'s' if request.is_secure() else ''}"
    value = page_cache.cached_value(key, lambda: _build_snapshot(request))
    assert isinstance(value, SiteSnapshot)
    return value
