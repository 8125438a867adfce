"""Left-navigation registry. Each domain registers its entries in ``AppConfig.ready()``;
core never imports the domains. An entry is shown when ``visible(user)`` is true."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # lazy translation
    url_name: str
    icon: str = "bi-dot"  # a Bootstrap Icons class (static/vendor/bootstrap-icons-*)
    section: Any = ""
    order: int = 100
    visible: Callable[[Any], bool] = field(default=lambda user: bool(user.is_authenticated))
    badge: Callable[[Any], int] | None = None


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    out = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        try:
            if not item.visible(user):
                continue
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        out.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "section": item.section,
                "active": bool(current_path)
                and (current_path == url or (url != "/" and current_path.startswith(url))),
                "badge": item.badge(user) if item.badge else 0,
            }
        )
    return out
