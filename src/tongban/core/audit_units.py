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


# --- the actor's unit -------------------------------------------------------------------------
# Records whose caller names no unit are filed under the actor's primary unit, so the audit
# administrator can filter, say, all logins of one township. orgs registers the resolver.

ActorUnitResolver = Callable[[int], int | None]
_ACTOR_UNIT: list[ActorUnitResolver] = []


def register_actor_unit(resolver: ActorUnitResolver) -> None:
    _ACTOR_UNIT[:] = [resolver]


def actor_unit(actor_id: int | None) -> int | None:
    if actor_id is None or not _ACTOR_UNIT:
        return None
    return _ACTOR_UNIT[0](actor_id)
