"""Identity endpoints: who am I (for integrations checking their token)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.api.common import errors

router = Router(tags=["identity"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    admin_role: str


@router.get("/me", response={200: MeOut, **errors()}, summary="当前账号")
def me(request: HttpRequest) -> MeOut:
    user = getattr(request, "auth", None) or request.user
    return MeOut(id=user.pk, username=user.username, full_name=user.full_name, admin_role=user.admin_role)
