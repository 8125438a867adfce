"""Wiring of the portal's search part."""


def ready() -> None:
    pass
