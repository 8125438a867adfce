"""Wiring of the portal's site part."""


def ready() -> None:
    pass
