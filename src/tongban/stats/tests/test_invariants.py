"""``manage.py check_invariants``: clean data passes (exit 0); each deliberately broken row is named
by its check and makes the command exit 1; ``--since`` limits the checks to newer rows."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tongban.approvals import bulk_seed as case_seed
from tongban.approvals.models import Case, CaseEvent, CaseStatus, EventKind
from tongban.documents import bulk_seed as doc_seed
from tongban.documents.models import Document
from tongban.interaction import letters
from tongban.interaction.models import (
    Letter,
    LetterEvent,
    LetterEventKind,
    LetterStatus,
    Mailbox,
    MailboxKind,
)
from tongban.orgs import demo
from tongban.orgs.models import County
from tongban.orgs.services import seed_apply
from tongban.stats import invariants
from tongban.workflow.models import InstanceStatus, ProcessInstance, WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> County:
    seed_apply(plan=demo.build_plan(staff=40))
    county = County.objects.get(code=demo.COUNTY_CODE)
    doc_seed.seed_documents(6, county=county)
    case_seed.seed_cases(8, county=county)
    box = Mailbox.objects.create(county=county, kind=MailboxKind.LEADER, name="县长信箱", leader_title="县长")
    for i in range(3):
        letters.letter_submit(
            mailbox=box,
            kind="consult",
            title=f"咨询 {i}",
            content="开一家小餐馆需要办理哪些证照？",
            writer_name="张三丰",
            phone="13912345678",
        )
    return county


def _bad(code: str) -> list[int]:
    result = next(r for r in invariants.run() if r.code == code)
    return result.bad_ids


def _run() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_invariants", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_clean_data_passes(county: County) -> None:
    results = invariants.run()
    assert [r.code for r in results] == [c.code for c in invariants.CHECKS]
    assert all(r.ok for r in results), [(r.code, r.bad_ids) for r in results if not r.ok]
    by_code = {r.code: r.checked for r in results}
    assert by_code["documents.route"] == 6
    assert by_code["approvals.clock"] == 8
    assert by_code["interaction.letters"] == 3
    code, out = _run()
    assert code == 0
    assert "全部不变量成立" in out


def test_document_without_route(county: County) -> None:
    doc = Document.objects.order_by("pk").first()
    assert doc is not None
    Document.objects.filter(pk=doc.pk).update(instance=None)
    assert _bad("documents.route") == [doc.pk]
    code, out = _run()
    assert code == 1
    assert f"FAIL {doc.pk}" in out


def test_document_pointing_at_another_documents_route(county: County) -> None:
    a, b = Document.objects.order_by("pk")[:2]
    Document.objects.filter(pk=a.pk).update(instance=b.instance_id)
    assert _bad("documents.route") == [a.pk]


def test_running_instance_without_items(county: County) -> None:
    inst = ProcessInstance.objects.order_by("pk").first()
    assert inst is not None
    ProcessInstance.objects.filter(pk=inst.pk).update(status=InstanceStatus.RUNNING)
    WorkItem.objects.filter(instance=inst).delete()
    assert _bad("workflow.items") == [inst.pk]


def test_case_without_clock_events(county: County) -> None:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    CaseEvent.objects.filter(case=case).delete()
    assert case.pk in _bad("approvals.clock")
    assert _run()[0] == 1


def test_case_with_a_gap_in_its_events(county: County) -> None:
    case = next(c for c in Case.objects.order_by("pk") if c.events.count() >= 3)
    CaseEvent.objects.filter(case=case, seq=2).delete()
    assert _bad("approvals.clock") == [case.pk]


def test_completed_case_without_completion(county: County) -> None:
    case = Case.objects.filter(status=CaseStatus.COMPLETED).order_by("pk").first()
    assert case is not None
    CaseEvent.objects.filter(case=case, kind=EventKind.COMPLETED).update(kind=EventKind.STEP_COMPLETED)
    assert _bad("approvals.status") == [case.pk]


def test_letter_without_receipt_and_answered_without_answer(county: County) -> None:
    first, second = Letter.objects.order_by("pk")[:2]
    LetterEvent.objects.filter(letter=first, kind=LetterEventKind.RECEIVED).delete()
    Letter.objects.filter(pk=second.pk).update(status=LetterStatus.ANSWERED)
    assert _bad("interaction.letters") == [first.pk, second.pk]


def test_since_limits_the_checks_to_newer_rows(county: County) -> None:
    doc = Document.objects.order_by("pk").first()
    assert doc is not None
    Document.objects.filter(pk=doc.pk).update(instance=None)
    later = timezone.now() + timedelta(minutes=1)
    results = {r.code: r for r in invariants.run(later)}
    assert results["documents.route"].checked == 0
    assert results["documents.route"].ok
    out = io.StringIO()
    call_command("check_invariants", "--since", later.isoformat(), stdout=out)
    assert "全部不变量成立" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("check_invariants", "--since", "yesterday", stdout=io.StringIO())
