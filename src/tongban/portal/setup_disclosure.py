"""Wiring of the portal's disclosure part."""


def ready() -> None:
    pass
