"""Incoming documents through their services: distribution, every step, returns, reminders."""

from __future__ import annotations

from datetime import timedelta

import pdfplumber
import pytest
from django.test import override_settings
from django.utils import timezone

from tongban.core.calendar import add_workdays
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.notify.models import Notification
from tongban.receiving import selectors, services, slip
from tongban.receiving.models import IncomingDocument, IncomingEvent, IncomingStatus
from tongban.receiving.tests.conftest import pdf_text, run_to
from tongban.workflow.models import WorkItem

pytestmark = pytest.mark.django_db


def test_distribution_creates_one_copy_per_unit_and_tells_the_clerks(
    issue, units, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc = issue(main=["财政局", "人社局"], cc=["人社局", "审计局"])
    assert callbacks[0].__qualname__.startswith("distribute")  # one task tells every clerk, after commit
    rows = {r.unit.short_name: r for r in IncomingDocument.objects.filter(source=doc)}
    assert set(rows) == {"财政局", "人社局", "审计局"}
    assert rows["人社局"].kind == "main"  # named 主送 and 抄送: one copy, as 主送
    assert rows["审计局"].kind == "cc" and rows["审计局"].handling == "read"
    assert (
        rows["财政局"].status == IncomingStatus.PENDING
        and rows["财政局"].source_number == "青政办发〔2026〕3号"
    )
    notes = Notification.objects.filter(event="receiving.arrived")
    assert people["czclerk"].pk in set(notes.values_list("user_id", flat=True))
    # 核发 twice (or a retried listener) gives nothing twice
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(document=doc, recipients=list(doc.recipients.all()), actor=people["clerk"])
    assert IncomingDocument.objects.filter(source=doc).count() == 3
    assert services.notify_arrived(document_id=doc.pk, unit_ids=[units["财政局"].pk]) == 0  # deduplicated
    assert Notification.objects.filter(event="receiving.arrived", user=people["czclerk"]).count() == 1
    assert selectors.pending_count(people["czclerk"]) == 1


def test_full_route_of_a_handled_document(incoming, people, units):
    cz = units["财政局"]
    with pytest.raises(PermissionDenied):
        services.incoming_sign(incoming=incoming, actor=people["rsclerk"])
    services.incoming_sign(incoming=incoming, actor=people["czclerk"], copies=2)
    incoming.refresh_from_db()
    assert (
        incoming.status == "processing" and incoming.signed_by == people["czclerk"] and incoming.copies == 2
    )
    assert incoming.step == "register"
    services.incoming_register(incoming=incoming, actor=people["czclerk"], handling="handle")
    incoming.refresh_from_db()
    year = timezone.localdate().year
    assert incoming.register_no == f"收文〔{year}〕1号"
    assert incoming.step == "review"
    services.incoming_review(incoming=incoming, actor=people["czhead"], accept=True, opinion="同意登记")
    services.incoming_propose(incoming=incoming, actor=people["czhead"], proposal="拟请预算股办理")
    with pytest.raises(PermissionDenied):  # 批示 is the unit leader's
        services.incoming_instruct(incoming=incoming, actor=people["czclerk"], instruction="x")
    services.incoming_instruct(
        incoming=incoming,
        actor=people["unitleader"],
        instruction="同意，请抓紧落实",
        assist_units=[units["人社局"]],
        deadline_workdays=5,
    )
    incoming.refresh_from_db()
    assert incoming.lead_unit == cz and incoming.due_date == add_workdays(timezone.localdate(), 5)
    handle_items = WorkItem.objects.filter(instance=incoming.instance, step="handle", status="open")
    assert {i.unit_id for i in handle_items} == {cz.pk, units["人社局"].pk}
    assert all(i.due_at is not None for i in handle_items)
    # the 人社局 clerk is on the route now and sees it (and its source document)
    assert selectors.visible_incoming(people["rsclerk"]).filter(pk=incoming.pk).exists()
    services.incoming_handle(incoming=incoming, actor=people["rsclerk"], opinion="配合完成")
    services.incoming_handle(incoming=incoming, actor=people["czclerk"], opinion="已按要求落实")
    incoming.refresh_from_db()
    assert incoming.step == "circulate"
    reader = people["unitleader"]
    services.incoming_circulate(incoming=incoming, actor=people["czclerk"], users=[reader, people["czhead"]])
    readers = selectors.circulation(incoming)
    assert len(readers) == 2 and all(r.read_at is None for r in readers)
    from tongban.workflow import services as wf

    item = next(i for i in selectors.my_open_steps(incoming, reader) if i.kind == "read")
    wf.item_mark_read(item=item, actor=reader)
    assert sum(1 for r in selectors.circulation(incoming) if r.read_at) == 1
    services.incoming_circulation_done(incoming=incoming, actor=people["czclerk"])
    with pytest.raises(TongbanError):
        services.incoming_finish(incoming=incoming, actor=people["czclerk"], result="  ")
    services.incoming_finish(incoming=incoming, actor=people["czclerk"], result="已办结，预算执行正常")
    incoming.refresh_from_db()
    assert incoming.status == "finished"
    services.incoming_archive(incoming=incoming, actor=people["czclerk"], retention="30y")
    incoming.refresh_from_db()
    assert incoming.status == "archived" and incoming.step == ""
    from tongban.archive.selectors import is_archived

    assert is_archived("receiving.incoming", incoming.pk)
    with pytest.raises(TongbanError):  # read-only now
        services.incoming_finish(incoming=incoming, actor=people["czclerk"], result="再改")
    steps = [line.step_name for line in selectors.route(incoming)]
    assert steps[:5] == ["签收", "登记", "初审", "拟办", "领导批示"] and steps[-1] == "归档"
    kinds = list(incoming.events.values_list("kind", flat=True))
    assert kinds[:3] == ["received", "signed", "registered"] and kinds[-1] == "archived"

    pdf = slip.slip_pdf(incoming)
    import io

    with pdfplumber.open(io.BytesIO(pdf)) as p:
        assert p.pages[0].width == pytest.approx(595.3, abs=1)  # A4
    text = pdf_text(pdf)
    for s in (
        "收文办理单",
        f"收文〔{year}〕1号",
        "拟请预算股办理",
        "同意，请抓紧落实",
        "配合完成",
        "已办结，预算执行正常",
    ):
        assert s in text, s
    assert people["unitleader"].full_name in text


def test_read_only_document_skips_to_circulation(incoming, people):
    incoming = run_to(incoming, people, "propose", handling="read")
    assert incoming.step == "circulate" and incoming.handling == "read"


def test_review_returns_to_the_sender_with_reasons(incoming, people):
    incoming = run_to(incoming, people, "review")
    with pytest.raises(TongbanError):  # a return needs its reasons
        services.incoming_review(incoming=incoming, actor=people["czhead"], accept=False, opinion=" ")
    incoming.refresh_from_db()
    assert incoming.status == "processing"
    services.incoming_review(
        incoming=incoming, actor=people["czhead"], accept=False, opinion="不属于本单位职责"
    )
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.RETURNED and incoming.return_reason == "不属于本单位职责"
    assert incoming.instance.status == "completed"
    note = Notification.objects.get(event="receiving.returned", user=people["clerk"])
    assert "不属于本单位职责" in note.body and f"/incoming/sent/{incoming.source_id}/" in note.url
    assert [r.pk for r in selectors.returns_for_document(incoming.source_id)] == [incoming.pk]
    doc = selectors.access_distribution(incoming.source_id, people["clerk"])
    assert doc.pk == incoming.source_id
    with pytest.raises(NotFound):
        selectors.access_distribution(incoming.source_id, people["rsclerk"])


def test_register_numbers_count_per_unit_and_year(issue, units, people):
    docs = [issue(title=f"通知{i}", doc_number=f"青政办发〔2026〕{i}号") for i in range(1, 4)]
    year = timezone.localdate().year
    numbers = []
    for doc in docs:
        inc = IncomingDocument.objects.get(source=doc, unit=units["财政局"])
        inc = run_to(inc, people, "review")
        numbers.append(inc.register_no)
    assert numbers == [f"收文〔{year}〕{n}号" for n in (1, 2, 3)]
    with override_settings(TONGBAN_INCOMING_REGISTER_FORMAT="{unit}收〔{year}〕{serial}号"):
        doc = issue(title="通知4", doc_number="青政办发〔2026〕4号")
        inc = run_to(IncomingDocument.objects.get(source=doc, unit=units["财政局"]), people, "review")
        assert inc.register_no == f"财政局收〔{year}〕4号"


def test_external_document_registered_by_hand(units, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(PermissionDenied):
        services.incoming_register_external(
            actor=people["unitleader"], unit=units["财政局"], source_organ="市财政局", title="关于……的通知"
        )
    with pytest.raises(TongbanError):
        services.incoming_register_external(
            actor=people["czclerk"],
            unit=units["财政局"],
            source_organ="市财政局",
            title="x",
            file=SimpleUploadedFile("a.exe", b"MZ"),
        )
    assert not IncomingDocument.objects.exists()
    inc = services.incoming_register_external(
        actor=people["czclerk"],
        unit=units["财政局"],
        source_organ="市财政局",
        source_number="市财预〔2026〕8号",
        title="关于下达专项资金的通知",
        copies=3,
        file=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n"),
    )
    assert inc.status == "processing" and inc.signed_by == people["czclerk"] and inc.step == "register"
    assert inc.source is None and inc.received_file_name == "scan.pdf"


def test_deadline_reminders_before_and_after(incoming, people):
    incoming = run_to(incoming, people, "handle")
    due = incoming.due_date
    before = due - timedelta(days=1)
    while not (before < due and __import__("tongban.core.calendar", fromlist=["x"]).is_workday(before)):
        before -= timedelta(days=1)
    assert services.reminders_send(today=due - timedelta(days=30)) == 0
    sent = services.reminders_send(today=before)
    assert sent >= 1
    assert services.reminders_send(today=before) == 0  # deduplicated
    late = add_workdays(due, 1)
    assert services.reminders_send(today=late) >= 1
    assert services.reminders_send(today=late) == 0
    notes = Notification.objects.filter(event="receiving.deadline", user=people["czclerk"])
    assert {n.title.split("：")[0] for n in notes} == {"收文即将到期", "收文已超期"}
    assert IncomingEvent.objects.filter(incoming=incoming, kind="reminded").count() == 2


def test_only_the_right_people_see_an_incoming_document(incoming, people):
    assert selectors.visible_incoming(people["czclerk"]).filter(pk=incoming.pk).exists()
    assert selectors.visible_incoming(people["unitleader"]).filter(pk=incoming.pk).exists()
    assert not selectors.visible_incoming(people["rsclerk"]).filter(pk=incoming.pk).exists()
    assert not selectors.visible_incoming(people["supervisor"]).filter(pk=incoming.pk).exists()
    from tongban.documents.models import Document

    q = selectors.documents_visible_as_recipient(people["czclerk"])
    assert list(Document.objects.filter(q).values_list("pk", flat=True)) == [incoming.source_id]
    assert not Document.objects.filter(selectors.documents_visible_as_recipient(people["rsclerk"])).exists()


def test_body_is_cleaned():
    from tongban.receiving.html import clean

    out = clean(
        '<p onclick="x()">a<script>alert(1)</script><a href="javascript:1">b</a><img src=x onerror=1></p>'
    )
    assert out == "<p>ab</p>"


def test_generic_return_keeps_the_current_step_in_step(incoming, people):
    from tongban.workflow import services as wf

    incoming = run_to(incoming, people, "propose")
    item = next(i for i in selectors.my_open_steps(incoming, people["czhead"]) if i.step == "propose")
    wf.item_return(item=item, actor=people["czhead"], to_step="register", opinion="请重新登记")
    incoming.refresh_from_db()
    assert incoming.step == "register"
    # 初审 may send it back to 签收 (e.g. wrong count): the clerk signs again through the step
    services.incoming_register(incoming=incoming, actor=people["czclerk"])
    incoming.refresh_from_db()
    assert incoming.step == "review" and incoming.register_no.endswith("〕1号")  # the number is kept
    item = next(i for i in selectors.my_open_steps(incoming, people["czhead"]) if i.step == "review")
    wf.item_return(item=item, actor=people["czhead"], to_step="sign", opinion="份数有误")
    incoming.refresh_from_db()
    assert incoming.step == "sign" and incoming.status == "processing"
    services.step_submit(incoming=incoming, actor=people["czclerk"], step="sign", data={"copies": 3})
    incoming.refresh_from_db()
    assert incoming.step == "register" and incoming.copies == 3
