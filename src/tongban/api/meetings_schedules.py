"""REST endpoints of the meetings' schedules part."""

from ninja import Router

router = Router(tags=["meetings"])
