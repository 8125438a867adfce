"""Wiring of the meetings' records part (nav entries, notify events, scheduled jobs, demo data)."""

from __future__ import annotations


def ready() -> None:
    return None
