"""REST endpoints of the meetings' attendance part."""

from ninja import Router

router = Router(tags=["meetings"])
