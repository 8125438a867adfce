"""REST endpoints of the meetings' records part."""

from ninja import Router

router = Router(tags=["meetings"])
