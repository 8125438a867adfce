"""Incoming-document services: the only writers of ``receiving`` rows.

Distribution (核发 → every recipient unit) is built for speed: one bulk insert of the incoming rows
and their clock events, one notification call for every clerk of every recipient unit, one audit
row. The workflow instance of a unit's copy is started when its clerk signs for it (签收), so a
document sent to all 130 units costs no 130 BPMN instances up front (see bench_distribution.py).
After 签收 every step runs through the engine (``receiving/processes/incoming.bpmn``); each
``incoming_<step>`` service checks the step, writes the domain facts and completes the item."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.calendar import add_workdays, workdays_between
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity.models import User
from tongban.orgs.models import RoleGrant, Unit
from tongban.receiving import rules
from tongban.receiving.models import (
    Handling,
    IncomingDocument,
    IncomingEvent,
    IncomingStatus,
    RecipientKind,
    RegisterCounter,
    Retention,
)

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
ALLOWED_FILE_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".wps", ".jpg", ".jpeg", ".png", ".tif", ".tiff")


def _now() -> datetime:
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


def _name(user: Any) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user is not None else ""


def _event(
    incoming: IncomingDocument, kind: str, actor: Any, note: str = "", at: datetime | None = None
) -> None:
    IncomingEvent.objects.create(
        incoming=incoming, kind=kind, at=at or _now(), actor=actor, actor_name=_name(actor), note=note[:500]
    )


def incoming_url(pk: int) -> str:
    return reverse("receiving:detail", args=[pk])


def role_holders(units: Iterable[Any], role: str) -> list[User]:
    """Active holders of ``role`` in ``units`` (one query)."""
    unit_ids = [getattr(u, "pk", u) for u in units]
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=role, role_grants__unit_id__in=unit_ids
        ).distinct()
    )


def _require_unit_role(actor: Any, unit: Unit, roles: Sequence[str], code: str) -> None:
    if not RoleGrant.objects.filter(user_id=getattr(actor, "pk", None), unit=unit, role__in=roles).exists():
        raise PermissionDenied(code, _("您不是本单位的收文办理人员，不能办理此项。"))


# --- distribution (核发 listener) -----------------------------------------------------------------
def distribute(*, document: Any, recipients: list[Any], actor: Any) -> list[IncomingDocument]:
    """Give every recipient unit its incoming copy, waiting for 签收 by the unit's clerks, and tell
    those clerks (in-app + SMS). Runs inside the 核发 transaction (documents.hooks)."""
    now = _now()
    kinds: dict[int, str] = {}
    for r in recipients:
        if r.unit_id is None:
            continue
        # a unit named both 主送 and 抄送 receives one copy, as 主送
        if kinds.get(r.unit_id) != RecipientKind.MAIN:
            kinds[r.unit_id] = RecipientKind.MAIN if r.kind == "main" else RecipientKind.CC
    already = set(
        IncomingDocument.objects.filter(source=document, unit_id__in=kinds).values_list("unit_id", flat=True)
    )
    organ = _source_organ(document)
    rows = [
        IncomingDocument(
            county_id=document.county_id,
            unit_id=unit_id,
            source=document,
            source_organ=organ,
            source_number=document.doc_number,
            title=document.title[:200],
            doc_type=document.doc_type,
            secrecy=document.secrecy,
            urgency=document.urgency,
            written_date=document.written_date,
            kind=kind,
            # 第二十四条 (四): 主送 copies are handled, 抄送 copies are for reading (the clerk may change it at 登记)
            handling=Handling.HANDLE if kind == RecipientKind.MAIN else Handling.READ,
            status=IncomingStatus.PENDING,
            step="sign",
            step_name=rules.STEP_NAMES["sign"],
            received_at=now,
            created_by=actor,
            copies=1,  # the clerk confirms the count at 签收
        )
        for unit_id, kind in kinds.items()
        if unit_id not in already
    ]
    if not rows:
        return []
    created = IncomingDocument.objects.bulk_create(rows)
    if any(r.pk is None for r in created):  # backends without RETURNING (not SQLite ≥3.35 / PostgreSQL)
        created = list(
            IncomingDocument.objects.filter(source=document, unit_id__in=[r.unit_id for r in rows])
        )
    IncomingEvent.objects.bulk_create(
        IncomingEvent(
            incoming=r,
            kind=IncomingEvent.Kind.RECEIVED,
            at=now,
            actor=actor,
            actor_name=_name(actor),
            note=organ,
        )
        for r in created
    )
    # The clerks are told after commit by one background task (in-app + SMS through notify), so
    # 核发 does not wait for ~130 notifications and their delivery tasks (bench_distribution.py).
    unit_ids = [r.unit_id for r in created]
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: _enqueue_arrived(document.pk, unit_ids, actor_id))
    audit.record(
        "receiving.distributed",
        actor=actor,
        obj=document,
        new={"units": len(created), "unit_ids": sorted(r.unit_id for r in created)},
    )
    return created


def _enqueue_arrived(document_id: int, unit_ids: list[int], actor_id: int | None) -> None:
    from tongban.receiving.tasks import notify_arrived_task

    notify_arrived_task.enqueue(document_id, unit_ids, actor_id)


def notify_arrived(*, document_id: int, unit_ids: list[int], actor_id: int | None = None) -> int:
    """Tell the clerks of ``unit_ids`` that ``document_id`` waits for their 签收 (in-app + SMS).
    Deduplicated per document and user, so running it twice sends nothing twice."""
    from tongban.documents.models import Document
    from tongban.notify.services import notify

    document = Document.objects.filter(pk=document_id).select_related("unit").first()
    if document is None:
        return 0
    pending = IncomingDocument.objects.filter(
        source_id=document_id, unit_id__in=unit_ids, status=IncomingStatus.PENDING
    ).values_list("unit_id", flat=True)
    clerks = role_holders(list(pending), "clerk")
    if not clerks:
        return 0
    organ = _source_organ(document)
    created = notify(
        users=clerks,
        event="receiving.arrived",
        title=_("新收文待签收：%(title)s") % {"title": document.title},
        body=_("%(organ)s %(number)s，请及时签收。") % {"organ": organ, "number": document.doc_number},
        url=reverse("receiving:list") + "?tab=pending",
        dedupe_key=f"receiving.arrived:{document.pk}",
        actor=User.objects.filter(pk=actor_id).first() if actor_id else None,
    )
    return len(created)


def _source_organ(document: Any) -> str:
    organs = [o.name for o in document.organs.all()] if document.pk else []
    if organs:
        return "、".join(organs)[:100]
    return (document.signature_text or document.unit.name)[:100]


# --- external documents registered by hand ------------------------------------------------------
def _check_file(file: UploadedFile | None) -> None:
    if file is None:
        return
    name = (file.name or "").lower()
    if not name.endswith(ALLOWED_FILE_SUFFIXES):
        raise TongbanError(
            "receiving.file_type", _("来文文件类型不支持（支持 PDF、OFD、Word、WPS 和图片）。"), field="file"
        )
    if file.size and file.size > MAX_FILE_BYTES:
        raise TongbanError("receiving.file_size", _("来文文件不能超过 50 MB。"), field="file")


@transaction.atomic
def incoming_register_external(
    *,
    actor: User,
    unit: Unit,
    source_organ: str,
    title: str,
    source_number: str = "",
    doc_type: str = "",
    secrecy: str = "",
    urgency: str = "",
    written_date: date | None = None,
    copies: int = 1,
    kind: str = RecipientKind.MAIN,
    handling: str = Handling.HANDLE,
    file: UploadedFile | None = None,
) -> IncomingDocument:
    """手工登记: a paper or external document the clerk has in hand. It is signed for at once
    (签收 by the clerk who registers it) and goes on to 登记."""
    _require_unit_role(actor, unit, ("clerk",), "receiving.not_clerk")
    source_organ, title = source_organ.strip(), title.strip()
    if not source_organ:
        raise TongbanError("receiving.organ_required", _("请填写来文机关。"), field="source_organ")
    if not title:
        raise TongbanError("receiving.title_required", _("请填写标题。"), field="title")
    if kind not in RecipientKind.values:
        raise TongbanError("receiving.bad_kind", _("类别不正确。"), field="kind")
    if handling not in Handling.values:
        raise TongbanError("receiving.bad_handling", _("办理类型不正确。"), field="handling")
    if copies < 1 or copies > 9999:
        raise TongbanError("receiving.bad_copies", _("份数应在 1 到 9999 之间。"), field="copies")
    _check_file(file)
    incoming = IncomingDocument(
        county_id=unit.county_id,
        unit=unit,
        source_organ=source_organ[:100],
        source_number=source_number.strip()[:64],
        title=title[:200],
        doc_type=doc_type[:4],
        secrecy=secrecy[:4],
        urgency=urgency[:4],
        written_date=written_date,
        kind=kind,
        handling=handling,
        received_at=_now(),
        created_by=actor,
        copies=copies,
        step="sign",
        step_name=rules.STEP_NAMES["sign"],
    )
    if file is not None:
        incoming.received_file_name = (file.name or "")[:200]
        incoming.received_file = file
    incoming.save()
    _event(incoming, IncomingEvent.Kind.RECEIVED, actor, _("手工登记：%(organ)s") % {"organ": source_organ})
    audit.record("receiving.external_registered", actor=actor, obj=incoming, unit_id=unit.pk)
    _sign(incoming=incoming, actor=actor, copies=copies)
    return incoming


# --- 签收 ------------------------------------------------------------------------------------------
@transaction.atomic
def incoming_sign(*, incoming: IncomingDocument, actor: User, copies: int | None = None) -> IncomingDocument:
    """签收 (第二十四条 (一)): the clerk checks and signs for the copies; the time is recorded and
    the unit's route starts in the workflow engine."""
    incoming = IncomingDocument.objects.select_for_update().get(pk=incoming.pk)
    if incoming.status != IncomingStatus.PENDING:
        raise TongbanError("receiving.already_signed", _("此文已签收。"))
    _require_unit_role(actor, incoming.unit, ("clerk",), "receiving.not_clerk")
    n = incoming.copies if copies is None else copies
    if n < 1 or n > 9999:
        raise TongbanError("receiving.bad_copies", _("份数应在 1 到 9999 之间。"), field="copies")
    _sign(incoming=incoming, actor=actor, copies=n)
    return incoming


def _sign(*, incoming: IncomingDocument, actor: User, copies: int) -> None:
    from tongban.workflow import selectors as wfs
    from tongban.workflow import services as wf

    now = _now()
    incoming.signed_at = now
    incoming.signed_by = actor
    incoming.copies = copies
    incoming.status = IncomingStatus.PROCESSING
    instance = wf.instance_start(
        key=rules.PROCESS_KEY,
        subject_type=rules.SUBJECT_TYPE,
        subject_id=incoming.pk,
        title=incoming.title,
        actor=actor,
        unit=incoming.unit,
        data={"handling": incoming.handling, "review": "pass", "kind": incoming.kind},
        urgency=incoming.urgency,
    )
    incoming.instance = instance
    incoming.save(update_fields=["signed_at", "signed_by", "copies", "status", "instance"])
    item = _open_item(incoming, actor, "sign", wfs=wfs)
    wf.item_complete(item=item, actor=actor, opinion=_("签收 %(n)d 份") % {"n": copies}, data={})
    _event(incoming, IncomingEvent.Kind.SIGNED, actor, _("%(n)d 份") % {"n": copies}, at=now)
    audit.record(
        "receiving.signed", actor=actor, obj=incoming, unit_id=incoming.unit_id, new={"copies": copies}
    )
    _refresh_step(incoming)


@transaction.atomic
def incoming_resign(
    *, incoming: IncomingDocument, actor: User, copies: int | None = None
) -> IncomingDocument:
    """签收 again after the route was returned (退回) to 签收."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "sign")
    n = incoming.copies if copies is None else copies
    if n < 1 or n > 9999:
        raise TongbanError("receiving.bad_copies", _("份数应在 1 到 9999 之间。"), field="copies")
    incoming.copies = n
    incoming.save(update_fields=["copies"])
    _complete(item, actor, _("签收 %(n)d 份") % {"n": n})
    _event(incoming, IncomingEvent.Kind.SIGNED, actor, _("%(n)d 份") % {"n": n})
    _refresh_step(incoming)
    return incoming


# --- the steps after 签收 -------------------------------------------------------------------------
def _open_item(incoming: IncomingDocument, actor: Any, step: str, *, wfs: Any = None) -> Any:
    if wfs is None:
        from tongban.workflow import selectors as wfs
    for item in wfs.open_items_for(user=actor, subject_type=rules.SUBJECT_TYPE, subject_id=incoming.pk):
        if item.step == step and item.kind == "task":
            return item
    raise PermissionDenied(
        "receiving.not_your_step",
        _("您没有此文“%(step)s”环节的待办。") % {"step": rules.STEP_NAMES.get(step, step)},
    )


def _lock(incoming: IncomingDocument) -> IncomingDocument:
    locked = IncomingDocument.objects.select_for_update().get(pk=incoming.pk)
    if locked.status in (IncomingStatus.ARCHIVED, IncomingStatus.RETURNED):
        raise TongbanError("receiving.closed", _("此文已归档或已退回，不能再办理。"))
    return locked


def _complete(item: Any, actor: User, opinion: str, data: dict[str, Any] | None = None) -> None:
    from tongban.workflow import services as wf

    wf.item_complete(item=item, actor=actor, opinion=opinion, data=data or {})


def _refresh_step(incoming: IncomingDocument) -> None:
    """Mirror the instance's open task steps on the row (the list's 当前环节)."""
    from tongban.workflow.models import WorkItem

    if incoming.instance_id is None:
        return
    open_steps = list(
        WorkItem.objects.filter(instance_id=incoming.instance_id, status="open", kind="task")
        .order_by("id")
        .values_list("step", "step_name")
    )
    step, step_name = open_steps[0] if open_steps else ("", "")
    IncomingDocument.objects.filter(pk=incoming.pk).update(step=step, step_name=step_name)
    incoming.step, incoming.step_name = step, step_name


@transaction.atomic
def incoming_register(
    *, incoming: IncomingDocument, actor: User, handling: str | None = None, opinion: str = ""
) -> IncomingDocument:
    """登记: the unit's next incoming register number under a lock (yearly counter per unit) and
    the handling type (阅知件 / 批办件)."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "register")
    handling = handling or incoming.handling
    if handling not in Handling.values:
        raise TongbanError("receiving.bad_handling", _("办理类型不正确。"), field="handling")
    if not incoming.register_no:
        year = timezone.localdate().year
        counter, _created = RegisterCounter.objects.get_or_create(unit_id=incoming.unit_id, year=year)
        counter = RegisterCounter.objects.select_for_update().get(pk=counter.pk)
        counter.last += 1
        counter.save(update_fields=["last"])
        incoming.register_year, incoming.register_serial = year, counter.last
        incoming.register_no = rules.format_register_no(
            year=year,
            serial=counter.last,
            unit_short=incoming.unit.display_name,
            unit_code=incoming.unit.code,
        )
        incoming.registered_at = _now()
    incoming.handling = handling
    incoming.save(
        update_fields=["register_year", "register_serial", "register_no", "registered_at", "handling"]
    )
    text = opinion.strip() or _("登记为 %(no)s（%(h)s）") % {
        "no": incoming.register_no,
        "h": Handling(handling).label,
    }
    _complete(item, actor, text, {"handling": handling})
    _event(incoming, IncomingEvent.Kind.REGISTERED, actor, incoming.register_no)
    _index(incoming)
    audit.record(
        "receiving.registered",
        actor=actor,
        obj=incoming,
        unit_id=incoming.unit_id,
        new={"register_no": incoming.register_no, "handling": handling},
    )
    _refresh_step(incoming)
    return incoming


@transaction.atomic
def incoming_review(
    *, incoming: IncomingDocument, actor: User, accept: bool, opinion: str = ""
) -> IncomingDocument:
    """初审 (第二十四条 (三)): whether the document should come to this unit and follows the rules,
    type and format; a document that does not is returned to its sender with the reasons."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "review")
    opinion = opinion.strip()
    if accept:
        _complete(item, actor, opinion or _("初审通过"), {"review": "pass"})
        audit.record("receiving.reviewed", actor=actor, obj=incoming, unit_id=incoming.unit_id)
        _refresh_step(incoming)
        return incoming
    if not opinion:
        raise TongbanError("receiving.reason_required", _("退回来文单位须写明理由。"), field="opinion")
    now = _now()
    incoming.status = IncomingStatus.RETURNED
    incoming.return_reason = opinion
    incoming.returned_at = now
    incoming.save(update_fields=["status", "return_reason", "returned_at"])
    _complete(item, actor, _("退回来文单位：%(r)s") % {"r": opinion}, {"review": "return"})
    _event(incoming, IncomingEvent.Kind.RETURNED, actor, opinion, at=now)
    audit.record(
        "receiving.returned", actor=actor, obj=incoming, unit_id=incoming.unit_id, new={"reason": opinion}
    )
    if incoming.source_id is not None:
        source = incoming.source
        assert source is not None
        # the source document's own record shows the return (its unit's audit trail)
        audit.record(
            "receiving.returned_to_sender",
            actor=actor,
            obj=source,
            unit_id=source.unit_id,
            new={"unit": incoming.unit.display_name, "reason": opinion, "incoming_id": incoming.pk},
        )
        users = role_holders([source.unit_id], "clerk")
        if source.created_by_id and source.created_by.is_active:
            users.append(source.created_by)
        from tongban.notify.services import notify

        notify(
            users=users,
            event="receiving.returned",
            title=_("来文被退回：%(title)s") % {"title": source.title},
            body=_("%(unit)s 退回了 %(number)s，理由：%(reason)s")
            % {"unit": incoming.unit.display_name, "number": source.doc_number, "reason": opinion},
            url=reverse("receiving:distribution", args=[source.pk]),
            dedupe_key=f"receiving.returned:{incoming.pk}",
            actor=actor,
        )
    _refresh_step(incoming)
    return incoming


@transaction.atomic
def incoming_propose(*, incoming: IncomingDocument, actor: User, proposal: str) -> IncomingDocument:
    """拟办: the office's proposed handling opinion for the leader (第二十四条 (四))."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "propose")
    proposal = proposal.strip()
    if not proposal:
        raise TongbanError("receiving.proposal_required", _("请填写拟办意见。"), field="proposal")
    incoming.proposal = proposal
    incoming.save(update_fields=["proposal"])
    _complete(item, actor, proposal)
    audit.record("receiving.proposed", actor=actor, obj=incoming, unit_id=incoming.unit_id)
    _refresh_step(incoming)
    return incoming


@transaction.atomic
def incoming_instruct(
    *,
    incoming: IncomingDocument,
    actor: User,
    instruction: str,
    lead_unit: Unit | None = None,
    assist_units: Sequence[Unit] = (),
    deadline_workdays: int | None = None,
) -> IncomingDocument:
    """领导批示: the instruction, the lead unit (the receiving unit itself by default), assisting
    units and the deadline in working days (the due date comes from the county calendar)."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "instruct")
    instruction = instruction.strip()
    if not instruction:
        raise TongbanError("receiving.instruction_required", _("请填写批示意见。"), field="instruction")
    lead = lead_unit or incoming.unit
    if lead.county_id != incoming.county_id or not lead.is_active:
        raise TongbanError("receiving.bad_unit", _("主办单位不正确。"), field="lead_unit")
    assists = [u for u in dict.fromkeys(assist_units) if u.pk != lead.pk]
    for u in assists:
        if u.county_id != incoming.county_id or not u.is_active:
            raise TongbanError("receiving.bad_unit", _("协办单位不正确。"), field="assist_units")
    due: date | None = None
    if deadline_workdays is not None:
        if deadline_workdays < 1 or deadline_workdays > rules.MAX_DEADLINE_WORKDAYS:
            raise TongbanError(
                "receiving.bad_deadline",
                _("办理时限应在 1 到 %(n)d 个工作日之间。") % {"n": rules.MAX_DEADLINE_WORKDAYS},
                field="deadline_workdays",
            )
        due = add_workdays(_today(), deadline_workdays)
    incoming.instruction = instruction
    incoming.instructed_by = actor
    incoming.lead_unit = lead
    incoming.deadline_workdays = deadline_workdays
    incoming.due_date = due
    incoming.save(
        update_fields=["instruction", "instructed_by", "lead_unit", "deadline_workdays", "due_date"]
    )
    incoming.assist_units.set(assists)
    _complete(
        item,
        actor,
        instruction,
        {"handle_units": [lead.pk, *[u.pk for u in assists]], "handle_due": due.isoformat() if due else ""},
    )
    note = _("主办：%(lead)s") % {"lead": lead.display_name}
    if assists:
        note += _("；协办：%(units)s") % {"units": "、".join(u.display_name for u in assists)}
    if due:
        note += _("；办理期限：%(d)s") % {"d": rules.format_date(due)}
    _event(incoming, IncomingEvent.Kind.INSTRUCTED, actor, note)
    audit.record(
        "receiving.instructed",
        actor=actor,
        obj=incoming,
        unit_id=incoming.unit_id,
        new={"lead_unit": lead.pk, "assist_units": [u.pk for u in assists], "due_date": str(due or "")},
    )
    _set_handle_due(incoming)
    _refresh_step(incoming)
    return incoming


def _set_handle_due(incoming: IncomingDocument) -> None:
    """The 承办 items carry the due date (end of that working day, local time) for the inbox's
    deadline colours. (The upload validator takes only a fixed ``due_workdays``; the deadline
    here is chosen per document by the leader, so it is set on the open items directly.)"""
    if incoming.due_date is None or incoming.instance_id is None:
        return
    from tongban.workflow.models import WorkItem

    due_at = timezone.make_aware(
        datetime.combine(incoming.due_date, datetime.min.time().replace(hour=23, minute=59, second=59))
    )
    WorkItem.objects.filter(instance_id=incoming.instance_id, step="handle", status="open").update(
        due_at=due_at
    )


@transaction.atomic
def incoming_handle(*, incoming: IncomingDocument, actor: User, opinion: str) -> IncomingDocument:
    """承办: the lead or an assisting unit reports how it handled the document."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "handle")
    opinion = opinion.strip()
    if not opinion:
        raise TongbanError("receiving.opinion_required", _("请填写办理情况。"), field="opinion")
    _complete(item, actor, opinion)
    audit.record("receiving.handled", actor=actor, obj=incoming, unit_id=incoming.unit_id)
    _refresh_step(incoming)
    return incoming


@transaction.atomic
def incoming_circulate(
    *, incoming: IncomingDocument, actor: User, users: Sequence[User], note: str = ""
) -> int:
    """传阅: send the document to people for reading (READ items; who has read is tracked)."""
    from tongban.workflow import services as wf

    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "circulate")
    readers = [u for u in dict.fromkeys(users) if u.is_active]
    if not readers:
        raise TongbanError("receiving.readers_required", _("请选择传阅人员。"), field="readers")
    county_users = set(
        User.objects.filter(pk__in=[u.pk for u in readers], posts__county_id=incoming.county_id).values_list(
            "pk", flat=True
        )
    )
    if len(county_users) != len(readers):
        raise TongbanError("receiving.bad_reader", _("传阅人员须为本县工作人员。"), field="readers")
    assert incoming.instance is not None
    wf.copy_for_reading(
        instance=incoming.instance,
        actor=actor,
        users=readers,
        note=note.strip(),
        item=item,
        step_name=rules.STEP_NAMES["circulate"],
    )
    _event(
        incoming,
        IncomingEvent.Kind.CIRCULATED,
        actor,
        "、".join(_name(u) for u in readers),
    )
    audit.record(
        "receiving.circulated",
        actor=actor,
        obj=incoming,
        unit_id=incoming.unit_id,
        new={"readers": [u.pk for u in readers]},
    )
    return len(readers)


@transaction.atomic
def incoming_circulation_done(
    *, incoming: IncomingDocument, actor: User, opinion: str = ""
) -> IncomingDocument:
    """End the 传阅 step (readers who have not read keep their reading item)."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "circulate")
    _complete(item, actor, opinion.strip() or _("传阅完毕"))
    _refresh_step(incoming)
    return incoming


@transaction.atomic
def incoming_finish(*, incoming: IncomingDocument, actor: User, result: str) -> IncomingDocument:
    """办结 with the result (答复 / 办理结果)."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "finish")
    result = result.strip()
    if not result:
        raise TongbanError("receiving.result_required", _("请填写办理结果。"), field="result")
    now = _now()
    incoming.result = result
    incoming.finished_at = now
    incoming.status = IncomingStatus.FINISHED
    incoming.save(update_fields=["result", "finished_at", "status"])
    _complete(item, actor, result)
    _event(incoming, IncomingEvent.Kind.FINISHED, actor, result, at=now)
    audit.record("receiving.finished", actor=actor, obj=incoming, unit_id=incoming.unit_id)
    _refresh_step(incoming)
    return incoming


@transaction.atomic
def incoming_archive(*, incoming: IncomingDocument, actor: User, retention: str) -> IncomingDocument:
    """归档 with the retention period; the incoming document becomes read-only."""
    incoming = _lock(incoming)
    item = _open_item(incoming, actor, "archive")
    if retention not in Retention.values:
        raise TongbanError("receiving.bad_retention", _("请选择保管期限。"), field="retention")
    now = _now()
    incoming.retention = retention
    incoming.archived_at = now
    incoming.status = IncomingStatus.ARCHIVED
    incoming.save(update_fields=["retention", "archived_at", "status"])
    _complete(item, actor, _("归档（保管期限：%(r)s）") % {"r": Retention(retention).label})
    _archive_entry(incoming, actor)
    _event(incoming, IncomingEvent.Kind.ARCHIVED, actor, str(Retention(retention).label), at=now)
    audit.record(
        "receiving.archived",
        actor=actor,
        obj=incoming,
        unit_id=incoming.unit_id,
        new={"retention": retention},
    )
    _refresh_step(incoming)
    return incoming


def _archive_entry(incoming: IncomingDocument, actor: User) -> None:
    try:
        from tongban.archive.services import archive_create
    except ImportError:  # the archive domain has not landed (yet)
        logger.warning(
            "archive.services.archive_create missing; incoming %s archived locally only", incoming.pk
        )
        return
    archive_create(
        subject_type=rules.SUBJECT_TYPE,
        subject_id=incoming.pk,
        county=incoming.county,
        unit=incoming.unit,
        year=(incoming.register_year or incoming.received_at.year),
        doc_type=incoming.doc_type,
        number=incoming.register_no or incoming.source_number,
        title=incoming.title,
        retention=incoming.retention,
        actor=actor,
    )


def _index(incoming: IncomingDocument) -> None:
    """The search entry (kind ``receiving.incoming``): title, numbers, organ and the source body."""
    try:
        from tongban.search.services import index_upsert
    except ImportError:  # pragma: no cover - search not installed
        return
    source = incoming.source
    index_upsert(
        kind=rules.SUBJECT_TYPE,
        object_id=incoming.pk,
        county=incoming.county,
        unit_id=incoming.unit_id,
        title=incoming.title,
        number=" ".join(x for x in (incoming.register_no, incoming.source_number) if x),
        body=" ".join(x for x in (incoming.source_organ, source.body_html if source else "") if x),
        year=incoming.register_year or incoming.received_at.year,
        doc_type=incoming.doc_type,
        date=timezone.localtime(incoming.received_at).date(),
    )


# --- step dispatch (views and API) -------------------------------------------------------------
def step_submit(
    *, incoming: IncomingDocument, actor: User, step: str, data: dict[str, Any]
) -> IncomingDocument:
    """Run the service of ``step`` with already-parsed ``data`` (units as Unit objects)."""
    if step == "sign":
        if incoming.status == IncomingStatus.PENDING:
            return incoming_sign(incoming=incoming, actor=actor, copies=data.get("copies"))
        return incoming_resign(incoming=incoming, actor=actor, copies=data.get("copies"))
    if step == "register":
        return incoming_register(
            incoming=incoming, actor=actor, handling=data.get("handling"), opinion=data.get("opinion", "")
        )
    if step == "review":
        return incoming_review(
            incoming=incoming,
            actor=actor,
            accept=bool(data.get("accept", True)),
            opinion=data.get("opinion", ""),
        )
    if step == "propose":
        return incoming_propose(incoming=incoming, actor=actor, proposal=data.get("proposal", ""))
    if step == "instruct":
        return incoming_instruct(
            incoming=incoming,
            actor=actor,
            instruction=data.get("instruction", ""),
            lead_unit=data.get("lead_unit"),
            assist_units=data.get("assist_units") or (),
            deadline_workdays=data.get("deadline_workdays"),
        )
    if step == "handle":
        return incoming_handle(incoming=incoming, actor=actor, opinion=data.get("opinion", ""))
    if step == "circulate":
        return incoming_circulation_done(incoming=incoming, actor=actor, opinion=data.get("opinion", ""))
    if step == "finish":
        return incoming_finish(incoming=incoming, actor=actor, result=data.get("result", ""))
    if step == "archive":
        return incoming_archive(incoming=incoming, actor=actor, retention=data.get("retention", ""))
    raise TongbanError("receiving.unknown_step", _("未知的办理环节。"))


# --- workflow listener ----------------------------------------------------------------------------
def on_workflow_event(event: str, instance: Any, item: Any) -> None:
    """Keep the row's 当前环节 in step when the route moves outside our services (退回, 撤回 …)."""
    if instance.subject_type != rules.SUBJECT_TYPE:
        return
    if event in ("item_opened", "item_done", "item_returned", "instance_completed", "instance_cancelled"):
        from tongban.workflow.models import WorkItem

        open_steps = list(
            WorkItem.objects.filter(instance_id=instance.pk, status="open", kind="task")
            .order_by("id")
            .values_list("step", "step_name")[:1]
        )
        step, step_name = open_steps[0] if open_steps else ("", "")
        IncomingDocument.objects.filter(pk=instance.subject_id, instance_id=instance.pk).update(
            step=step, step_name=step_name
        )


# --- reminders (scheduler job) --------------------------------------------------------------------
def reminders_send(*, today: date | None = None) -> int:
    """承办 deadline reminders: REMIND_BEFORE_WORKDAYS working days before the due date (once) and
    when overdue (on the first overdue working day, then every OVERDUE_REPEAT_WORKDAYS); SMS and
    in-app through notify, deduplicated by key, so running the job twice sends nothing twice."""
    from tongban.notify.services import notify
    from tongban.workflow.models import WorkItem

    today = today or _today()
    sent = 0
    rows = IncomingDocument.objects.filter(
        status=IncomingStatus.PROCESSING, step="handle", due_date__isnull=False, instance__isnull=False
    ).select_related("unit")
    for incoming in rows.iterator(chunk_size=200):
        due = incoming.due_date
        assert due is not None
        if due >= today:
            left = workdays_between(today, due)
            if left > rules.REMIND_BEFORE_WORKDAYS:
                continue
            kind, key = "due_soon", f"receiving.due_soon:{incoming.pk}:{due.isoformat()}"
            title = _("收文即将到期：%(title)s") % {"title": incoming.title}
            body = _("办理期限 %(d)s，请抓紧办理。") % {"d": rules.format_date(due)}
        else:
            late = workdays_between(due, today)
            bucket = max(0, late - 1) // rules.OVERDUE_REPEAT_WORKDAYS
            kind, key = "overdue", f"receiving.overdue:{incoming.pk}:{due.isoformat()}:{bucket}"
            title = _("收文已超期：%(title)s") % {"title": incoming.title}
            body = _("办理期限 %(d)s 已过，请尽快办理并反馈。") % {"d": rules.format_date(due)}
        items = list(
            WorkItem.objects.filter(
                instance_id=incoming.instance_id, step="handle", status="open", kind="task"
            )
        )
        users: dict[int, User] = {}
        pooled: dict[str, list[int]] = {}
        for it in items:
            if it.assignee_id:
                users[it.assignee_id] = it.assignee
            elif it.unit_id and it.role:
                pooled.setdefault(it.role, []).append(it.unit_id)
        for role, unit_ids in pooled.items():
            for u in role_holders(unit_ids, role):
                users[u.pk] = u
        if not users:
            continue
        created = notify(
            users=list(users.values()),
            event="receiving.deadline",
            title=title,
            body=body,
            url=incoming_url(incoming.pk),
            dedupe_key=key,
        )
        if created:
            sent += len(created)
            _event(incoming, IncomingEvent.Kind.REMINDED, None, f"{kind}: {len(created)}")
    return sent
