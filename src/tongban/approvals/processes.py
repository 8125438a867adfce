"""The approval processes an item can follow (``ItemVersion.process_key``) and the steps — BPMN
user tasks — each has. The BPMN files are in ``approvals/bpmn/`` and are registered as workflow
default definitions (setup_handling); an item's steps (:class:`ItemStep`) use these keys and set
each step's own limit. The catalogue validates an item's steps against this table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROCESSES: dict[str, dict[str, object]] = {
    "approval-standard": {
        "name": _("一般程序（审查 → 决定 → 制证送达）"),
        "steps": [("review", _("审查")), ("decide", _("决定")), ("certify", _("制证送达"))],
    },
    "approval-simple": {
        "name": _("简易程序（决定 → 制证送达）"),
        "steps": [("decide", _("决定")), ("certify", _("制证送达"))],
    },
    "approval-two-level": {
        # 行政许可法第四十三条: a lower level reviews first (20 working days) and forwards.
        "name": _("两级审查（初审 → 审查 → 决定 → 制证送达）"),
        "steps": [
            ("first_review", _("初审")),
            ("review", _("审查")),
            ("decide", _("决定")),
            ("certify", _("制证送达")),
        ],
    },
}
DEFAULT_PROCESS = "approval-standard"
# The step after the decision: it does not count toward the decision's limit (第四十四条 has its own clock).
CERTIFY_STEP = "certify"
DECIDE_STEP = "decide"


def step_keys(process_key: str) -> list[str]:
    spec = PROCESSES.get(process_key)
    return [k for k, _n in spec["steps"]] if spec else []  # type: ignore[union-attr]


def choices() -> list[tuple[str, object]]:
    return [(k, v["name"]) for k, v in PROCESSES.items()]
