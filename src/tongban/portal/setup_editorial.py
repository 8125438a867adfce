"""Wiring of the portal's editorial part."""


def ready() -> None:
    pass
