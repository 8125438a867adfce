"""Wiring of the handling part (called from ApprovalsConfig.ready)."""


def ready() -> None:
    pass
