"""Workbench (工作台) panels. Domains register a panel in ``AppConfig.ready()``; core renders the
panels whose ``context(request)`` returns a dict (None hides the panel). Later modules add their
to-do lists (待办), alerts and figures here without core importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100
    width: str = "col-12 col-xl-6"


_PANELS: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


def render_panels(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(request)
        if ctx is None:
            continue
        html: SafeString = render_to_string(panel.template, ctx, request=request)
        out.append({"key": panel.key, "width": panel.width, "html": html})
    return out
