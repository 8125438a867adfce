"""Wiring of the handling part (called from ApprovalsConfig.ready): the three approval processes
as workflow default definitions, the case as a workflow subject, the ``approvals_handler``
assignee rule, the workflow listener that turns steps into clock events, nav entries, the
notify event of extension requests and the demo cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

BPMN_DIR = Path(__file__).resolve().parent / "bpmn"


def _case_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("approvals:case", args=[pk])


def _is_handler(user: Any) -> bool:
    from tongban.approvals import handling_selectors

    return bool(user.is_authenticated) and bool(handling_selectors.scope_of(user).handle_unit_ids)


def _is_window_clerk(user: Any) -> bool:
    from tongban.approvals import handling_selectors

    # the roles are read once per request (scope_of), for every entry and badge of the page
    return bool(user.is_authenticated) and bool(handling_selectors.scope_of(user).window_counties)


def _pending_badge(user: Any) -> int:
    from tongban.approvals import handling_selectors

    return handling_selectors.pending_count(user)


def ready() -> None:
    from tongban.approvals import handling, hooks, processes
    from tongban.core import demo, nav
    from tongban.notify import events
    from tongban.workflow import registry as wfr

    wfr.register_assignee_rule("approvals_handler", handling.approvals_handler_rule)
    for key, spec in processes.PROCESSES.items():
        wfr.register_default_definition(key=key, name=spec["name"], path=BPMN_DIR / f"{key}.bpmn")
    wfr.register_subject(subject_type=handling.SUBJECT_TYPE, url=_case_url, label=_("办件"))
    wfr.register_listener(handling.SUBJECT_TYPE, handling.on_workflow_event)
    hooks.register_case_listener("approvals.handling", handling.on_case_event)

    events.register(
        "approvals.extension_requested", _("办件延期申请待审批"), default_channels=("inapp",), order=60
    )
    nav.register(
        nav.NavItem(
            "approvals_cases",
            _("审批办件"),
            "approvals:cases",
            icon="bi-inboxes",
            section=_("网上审批"),
            order=402,
            visible=_is_handler,
            badge=_pending_badge,
        )
    )
    nav.register(
        nav.NavItem(
            "approvals_counter",
            _("窗口代办"),
            "approvals:counter",
            icon="bi-person-workspace",
            section=_("网上审批"),
            order=404,
            visible=_is_window_clerk,
        )
    )

    from tongban.approvals.demo_handling import seed

    demo.register("approvals_cases", seed, order=80)
