"""The portal's endpoints: each part keeps its own module (portal_site, portal_desks,
portal_disclosure, portal_search); this module gathers them under /api/v1/portal/ (staff) and
/api/v1/public/portal/ (anonymous)."""

from __future__ import annotations

from ninja import Router

from tongban.api import portal_desks, portal_disclosure, portal_search, portal_site

router = Router(tags=["portal"])
public_router = Router(tags=["portal (public)"])
for part in (portal_site, portal_desks, portal_disclosure, portal_search):
    router.add_router("", part.router)
    public_router.add_router("", part.public_router)
