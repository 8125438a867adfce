"""Unit names for the audit log's filter. Core may not import orgs, so orgs registers a provider
in its ``AppConfig.ready()``::

    from tongban.core import audit_units
    audit_units.register(lambda: Unit.objects.order_by("code").values_list("id", "name"))

Without a provider the audit page filters by unit id (a number field)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Provider = Callable[[], Iterable[tuple[int, str]]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def unregister(provider: Provider) -> None:
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def choices() -> list[tuple[int, str]]:
    """(unit id, name) pairs from every registered provider, in their order."""
    out: list[tuple[int, str]] = []
    for provider in _PROVIDERS:
        out.extend((int(pk), str(name)) for pk, name in provider())
    return out
