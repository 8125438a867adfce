"""Wiring of the portal's demo part."""


def ready() -> None:
    pass
