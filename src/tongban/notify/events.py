"""Event registry: every kind of notification the platform sends, with its default channels.

Domains register their event types in ``AppConfig.ready()``::

    from tongban.notify import events
    events.register("documents.to_sign", _("公文待签发"), default_channels=("inapp", "sms"))

A user's :class:`~tongban.notify.models.ChannelPreference` rows override the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANNELS: tuple[str, ...] = ("inapp", "email", "sms")


@dataclass(frozen=True)
class EventType:
    code: str
    label: Any  # lazy translation
    default_channels: frozenset[str]
    order: int = 100


_EVENTS: dict[str, EventType] = {}


def register(
    code: str, label: Any, default_channels: tuple[str, ...] = ("inapp",), *, order: int = 100
) -> EventType:
    """Register (or re-register, e.g. on autoreload) an event type. Unknown channels are refused."""
    unknown = set(default_channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channel(s) for {code}: {sorted(unknown)}")
    event = EventType(code=code, label=label, default_channels=frozenset(default_channels), order=order)
    _EVENTS[code] = event
    return event


def get(code: str) -> EventType | None:
    return _EVENTS.get(code)


def all_events() -> list[EventType]:
    return sorted(_EVENTS.values(), key=lambda e: (e.order, e.code))
