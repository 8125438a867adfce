"""Wiring of the catalogue part (called from ApprovalsConfig.ready)."""


def ready() -> None:
    pass
