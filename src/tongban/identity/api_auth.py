"""Bearer tokens for integrations (django-ninja). Only live tokens of active accounts pass."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from tongban.identity import services


class ApiTokenAuth(HttpBearer):
    openapi_description = "manage.py create_api_token --user NAME 生成的令牌"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return services.api_token_authenticate(token)
