"""Wiring of the feedback part (called from SupervisionConfig.ready)."""


def ready() -> None:
    pass
