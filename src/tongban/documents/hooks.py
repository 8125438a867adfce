"""Extension points of the documents domain for the domains above it (receiving, notices …).

Layers forbid ``documents`` from importing ``receiving``; receiving registers here instead
(in its ``AppConfig.ready()``):

- ``register_issued_listener(fn)``: ``fn(*, document, recipients, actor)`` runs inside the 核发
  transaction with the list of ``Recipient`` rows that are units inside the county. A listener that
  raises rolls the whole 核发 back. It must be fast (130 units in well under a second).
- ``register_visibility_extension(fn)``: ``fn(user)`` returns a ``Q`` over ``Document`` or a set of
  document ids the user may also see (e.g. the handlers of an incoming-document task that references
  the document). Write the ``Q`` as ``Q(pk__in=<subquery>)`` (no joins: the visible list is not
  de-duplicated). Never widens a 密级 document: those are visible to their named readers only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from tongban.documents.models import Document, Recipient

IssuedListener = Callable[..., None]
VisibilityExtension = Callable[[Any], "Q | Iterable[int]"]

_issued_listeners: list[IssuedListener] = []
_visibility_extensions: list[VisibilityExtension] = []


def register_issued_listener(fn: IssuedListener) -> IssuedListener:
    """Call ``fn(*, document, recipients, actor)`` on every 核发. Idempotent; usable as a decorator."""
    if fn not in _issued_listeners:
        _issued_listeners.append(fn)
    return fn


def register_visibility_extension(fn: VisibilityExtension) -> VisibilityExtension:
    """``fn(user) -> Q | set[int]``: more (non-密级) documents the user may see."""
    if fn not in _visibility_extensions:
        _visibility_extensions.append(fn)
    return fn


def issued_listeners() -> list[IssuedListener]:
    return list(_issued_listeners)


def visibility_extensions() -> list[VisibilityExtension]:
    return list(_visibility_extensions)


def fire_issued(*, document: Document, recipients: list[Recipient], actor: Any) -> None:
    """Called by ``services.document_issue`` inside its transaction."""
    for fn in list(_issued_listeners):
        fn(document=document, recipients=recipients, actor=actor)


def extension_filter(user: Any) -> Q:
    """The union of every registered extension as one ``Q`` over Document (empty → matches none)."""
    q = Q(pk__in=[])
    for fn in list(_visibility_extensions):
        result = fn(user)
        if isinstance(result, Q):
            q |= result
        elif result is not None:
            q |= Q(pk__in=result)
    return q
