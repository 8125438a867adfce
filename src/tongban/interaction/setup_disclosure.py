"""Wiring of the disclosure part (nav entries, notify events, scheduled jobs, demo data)."""


def ready() -> None:
    pass
