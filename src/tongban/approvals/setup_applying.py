"""Wiring of the applying part (called from ApprovalsConfig.ready): the demo public accounts."""


def ready() -> None:
    from tongban.approvals import demo_applying
    from tongban.core import demo

    demo.register("approvals_public", demo_applying.seed, order=75)
