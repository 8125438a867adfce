"""Wiring of the portal's health part."""


def ready() -> None:
    pass
