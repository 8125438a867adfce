"""Wiring of the letters part (nav entries, notify events, scheduled jobs, demo data)."""


def ready() -> None:
    pass
