"""Wiring of the applying part (called from ApprovalsConfig.ready)."""


def ready() -> None:
    pass
