"""Searchable kinds. Each domain registers its kinds in ``AppConfig.ready()``:

    register_kind("documents.document", _("发文"), visible_ids=lambda user: ..., url=lambda pk: ...)

``visible_ids(user)`` returns a QuerySet of primary keys (``values_list("pk", flat=True)`` or a
model QuerySet) the user may see; search never shows an entry of an unregistered kind or one
outside that set. ``url(pk)`` is the page an entry links to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchKind:
    kind: str
    label: Any
    visible_ids: Callable[[Any], Any]
    url: Callable[[int], str]


_KINDS: dict[str, SearchKind] = {}


def register_kind(
    kind: str, label: Any, visible_ids: Callable[[Any], Any], url: Callable[[int], str]
) -> None:
    _KINDS[kind] = SearchKind(kind, label, visible_ids, url)


def unregister_kind(kind: str) -> None:
    """For tests."""
    _KINDS.pop(kind, None)


def get_kind(kind: str) -> SearchKind | None:
    return _KINDS.get(kind)


def kinds() -> list[SearchKind]:
    return list(_KINDS.values())
