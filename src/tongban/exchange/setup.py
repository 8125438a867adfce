"""Wiring of exchange: nav entries, notify events, scheduled jobs, demo data."""

from __future__ import annotations


def ready() -> None:
    pass
