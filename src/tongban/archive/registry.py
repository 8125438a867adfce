"""Archivable kinds. Each domain registers its kinds in ``AppConfig.ready()``:

    register_kind("documents.document", _("发文"), visible_ids=lambda user: ..., url=lambda pk: ...)

Outside the unit's own clerks, office heads and leaders (who see the unit's whole archive),
a user sees an archive record only when its subject is in ``visible_ids(user)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ArchiveKind:
    subject_type: str
    label: Any
    visible_ids: Callable[[Any], Any]
    url: Callable[[int], str]


_KINDS: dict[str, ArchiveKind] = {}


def register_kind(
    subject_type: str, label: Any, visible_ids: Callable[[Any], Any], url: Callable[[int], str]
) -> None:
    _KINDS[subject_type] = ArchiveKind(subject_type, label, visible_ids, url)


def unregister_kind(subject_type: str) -> None:
    """For tests."""
    _KINDS.pop(subject_type, None)


def get_kind(subject_type: str) -> ArchiveKind | None:
    return _KINDS.get(subject_type)


def kinds() -> list[ArchiveKind]:
    return list(_KINDS.values())
