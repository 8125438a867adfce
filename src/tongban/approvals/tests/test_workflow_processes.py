"""The approval processes shipped as BPMN: each is registered, passes the engine's upload
validation, has one user task per step key of ``processes.PROCESSES`` (and no other), takes each
step's limit from case data (``due_workdays = data:limit_<step>``) and goes to the unit head at
决定."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from lxml import etree

from tongban.approvals import handling, processes, testing
from tongban.approvals.setup_handling import BPMN_DIR
from tongban.core.clock import moved_to
from tongban.workflow import definitions, registry
from tongban.workflow.models import WorkItem, WorkItemStatus

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def tasks(key: str) -> dict[str, dict[str, str]]:
    root = etree.parse(str(BPMN_DIR / f"{key}.bpmn")).getroot()
    return {
        el.get("id"): {p.get("name"): p.get("value") for p in el.iter(f"{SPIFF}property")}
        for el in root.iter(f"{BPMN}userTask")
    }


@pytest.mark.parametrize("key", list(processes.PROCESSES))
def test_each_process_is_registered_valid_and_matches_its_steps(key):
    d = registry.default_definition(key)
    assert d is not None and d.path.exists()
    definitions.validate(d.path.read_bytes())
    t = tasks(key)
    assert list(t) == processes.step_keys(key)
    for step, props in t.items():
        assert props["due_workdays"] == f"data:limit_{step}"
        assert props["assignee"] == (
            "role:unit_leader" if step == processes.DECIDE_STEP else "approvals_handler"
        )


def test_subject_links_to_the_case_page():
    assert registry.subject_url(handling.SUBJECT_TYPE, 7) == "/approvals/cases/7/"


@pytest.mark.django_db
def test_work_items_carry_the_step_deadline_and_leave_with_the_pause(settings: Any, tmp_path: Any):
    settings.MEDIA_ROOT = tmp_path
    w = testing.build_world()
    case = testing.new_case(w, received_at=datetime(2025, 3, 3, 10, 0))
    with moved_to(date(2025, 3, 4)):
        handling.case_accept(case=case, actor=w.users["handler"])
    item = WorkItem.objects.get(
        subject_type=handling.SUBJECT_TYPE, subject_id=case.pk, status=WorkItemStatus.OPEN
    )
    assert item.step == "review" and item.due_at is not None
    # the handler transfers the review to a colleague: no second STEP_STARTED, the handler follows
    from tongban.workflow import services as wf

    wf.item_transfer(item=item, actor=w.users["handler"], to_user=w.users["handler2"])
    case.refresh_from_db()
    assert case.handler == w.users["handler2"] and case.current_step == "review"
    assert case.events.filter(kind="step_started").count() == 1


@pytest.mark.django_db
def test_a_step_cannot_be_completed_around_the_services(settings: Any, tmp_path: Any):
    """The generic inbox "submit" would skip the opinion, the decision and its notice: refused,
    nothing changes."""
    from tongban.core.errors import PermissionDenied
    from tongban.workflow import services as wf

    settings.MEDIA_ROOT = tmp_path
    w = testing.build_world()
    case = testing.new_case(w, received_at=datetime(2025, 3, 3, 10, 0))
    with moved_to(date(2025, 3, 4)):
        handling.case_accept(case=case, actor=w.users["handler"])
    item = WorkItem.objects.get(
        subject_type=handling.SUBJECT_TYPE, subject_id=case.pk, status=WorkItemStatus.OPEN
    )
    n = case.events.count()
    with pytest.raises(PermissionDenied):
        wf.item_complete(item=item, actor=w.users["handler"], opinion="同意")
    item.refresh_from_db()
    assert item.status == WorkItemStatus.OPEN and case.events.count() == n
