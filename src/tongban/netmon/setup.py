"""Wiring of netmon: nav entries, notify events, scheduled jobs, demo data."""

from __future__ import annotations


def ready() -> None:
    pass
