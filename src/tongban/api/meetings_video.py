"""REST endpoints of the meetings' video part."""

from ninja import Router

router = Router(tags=["meetings"])
