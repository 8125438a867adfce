"""Demo data hooks. ``manage.py seed_demo`` builds the county (orgs) and then runs the hooks that
other domains register in ``AppConfig.ready()`` — each adds its own believable demo data and must
be idempotent (running seed_demo again changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoContext:
    usernames: list[str]  # the demo accounts, one per role, in the order they are printed


Hook = Callable[[DemoContext], str]  # returns a one-line summary for the console
_HOOKS: dict[str, tuple[int, Hook]] = {}


def register(key: str, hook: Hook, *, order: int = 100) -> None:
    _HOOKS[key] = (order, hook)


def run(context: DemoContext) -> list[str]:
    return [hook(context) for _order, hook in sorted(_HOOKS.values(), key=lambda item: item[0])]
