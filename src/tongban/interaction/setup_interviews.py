"""Wiring of the interviews part (nav entries, notify events, scheduled jobs, demo data)."""


def ready() -> None:
    pass
