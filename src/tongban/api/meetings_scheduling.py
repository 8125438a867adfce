"""REST endpoints of the meetings' scheduling part."""

from ninja import Router

router = Router(tags=["meetings"])
