"""Wiring of the watch part (called from SupervisionConfig.ready)."""


def ready() -> None:
    pass
