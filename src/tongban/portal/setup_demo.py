"""Wiring of the portal's demo part: the demo site's content after the interaction demos (letters
310, disclosure 320, interviews 330, surveys 335) and before the desks (410), the annual report
(420) and the search index and health check (430)."""

from __future__ import annotations


def ready() -> None:
    from tongban.core import demo
    from tongban.portal import demo_site

    demo.register("portal.site", demo_site.seed, order=400)
