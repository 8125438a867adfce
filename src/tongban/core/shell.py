"""Shell context registry: domains add top-bar facts (the user's unit, unread notifications …)
by registering a provider in ``AppConfig.ready()``; core never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Provider = Callable[[HttpRequest], dict[str, Any]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
