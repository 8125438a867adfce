"""会议纪要: the organiser drafts the minutes on the meeting page — "从议程生成" lays out the
title, 时间、地点、主持人, one section per agenda item and the 出席/列席/请假 lines from the
attendance — edits them, previews them as a GB/T 9704 纪要 PDF, and "转公文办理" hands them to the
official-documents flow as a Document of type 纪要 in the 纪要 layout, where they are reviewed,
signed, numbered and issued like any other document.

Every writer is atomic, takes the ``actor``, checks ``access.require_manage`` and leaves a
MeetingEvent and an audit row. The body is sanitised with the documents module's allow-list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import TongbanError
from tongban.documents.models import DocType, Document, Layout
from tongban.documents.render.spec import cn_date
from tongban.documents.sanitize import clean_html, html_to_text
from tongban.meetings import access, events
from tongban.meetings.models import (
    AgendaItem,
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingVenue,
    Minutes,
    MinutesStatus,
    Reply,
)
from tongban.orgs.models import Post

MAX_TITLE = 200
MAX_BODY = 1_000_000
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """一, 二, … 十, 十一 … 九十九 (the numbering of 一级标题 "一、")."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def get_minutes(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).select_related("document", "drafted_by").first()


# --- the draft from the agenda ------------------------------------------------------------------


@dataclass
class People:
    present: list[str]  # 出席
    observers: list[str]  # 列席
    leave: list[str]  # 请假 (with the reason)
    absent: list[str]  # 缺席


def _units_of(user_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for post in (
        Post.objects.filter(user_id__in=user_ids).select_related("unit").order_by("-is_primary", "id")
    ):
        out.setdefault(post.user_id, post.unit.short_name or post.unit.name)
    return out


def _status(attendee: Attendee, meeting: Meeting) -> str:
    try:
        from tongban.meetings import attendance

        return str(attendance.status_of(attendee, meeting))
    except (ImportError, AttributeError):
        if attendee.signed_in_at is not None:
            return "present"
        if attendee.reply == Reply.LEAVE:
            return "leave"
        return "expected"


def people_of(meeting: Meeting) -> People:
    """出席/列席/请假/缺席 from the attendees (venue terminals are screens, not people). When nobody
    signed in at all (a meeting without sign-in), everyone who did not ask for leave is 出席."""
    rows = list(
        Attendee.objects.filter(meeting=meeting)
        .exclude(role=AttendeeRole.TERMINAL)
        .exclude(removed=True)
        .select_related("user", "unit")
        .order_by("id")
    )
    units = _units_of([a.user_id for a in rows])
    anyone_signed = any(a.signed_in_at is not None for a in rows)
    people = People([], [], [], [])
    chair_first = sorted(rows, key=lambda a: (a.user_id != meeting.chair_id, a.id))
    for a in chair_first:
        name = a.user.full_name or a.user.username
        unit = (a.unit.short_name or a.unit.name) if a.unit_id and a.unit else units.get(a.user_id, "")
        shown = f"{name}（{unit}）" if unit else name
        status = _status(a, meeting)
        if status == "leave":
            reason = a.leave_reason.strip()
            people.leave.append(f"{shown}：{reason}" if reason else shown)
        elif status in ("present", "late") or (not anyone_signed and status in ("expected", "absent")):
            if a.role in (AttendeeRole.PRESENTER, AttendeeRole.ORGANISER):
                people.observers.append(shown)
            else:
                people.present.append(shown)
        elif status == "absent":
            people.absent.append(shown)
    return people


def _p(label: str, text: str) -> str:
    return f"<p><strong>{escape(label)}：</strong>{escape(text)}</p>"


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    text = f"{cn_date(start.date())} {start:%H:%M}—"
    if end.date() != start.date():
        text += f"{cn_date(end.date())} "
    return text + f"{end:%H:%M}"


def _places(meeting: Meeting) -> str:
    rows = MeetingVenue.objects.filter(meeting=meeting).select_related("venue").order_by("-is_main", "id")
    names = [mv.venue.name for mv in rows]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return _("%(main)s（主会场），%(others)s（分会场）") % {"main": names[0], "others": "、".join(names[1:])}


def draft_body(meeting: Meeting) -> tuple[str, str]:
    """The title and body HTML of a fresh draft from the meeting, its agenda and its attendance."""
    title = f"{meeting.title}纪要"[:MAX_TITLE]
    parts: list[str] = []
    chair = meeting.chair.full_name if meeting.chair_id and meeting.chair else ""
    intro = _("%(when)s，%(chair)s主持召开%(title)s。现将会议议定事项纪要如下：") % {
        "when": cn_date(timezone.localtime(meeting.starts_at).date()),
        "chair": chair,
        "title": meeting.title,
    }
    parts.append(_p(_("时间"), _when(meeting)))
    places = _places(meeting)
    if places:
        parts.append(_p(_("地点"), places))
    if chair:
        parts.append(_p(_("主持人"), chair))
    parts.append(f"<p>{escape(intro)}</p>")
    items = list(
        AgendaItem.objects.filter(meeting=meeting).select_related("presenter").order_by("order", "id")
    )
    for i, item in enumerate(items, 1):
        parts.append(f"<h2>{cn_number(i)}、{escape(item.title)}</h2>")
        presenter = (
            item.presenter.full_name if item.presenter_id and item.presenter else ""
        ) or item.presenter_name
        if presenter:
            parts.append(f"<p>{escape(_('汇报人：%(name)s') % {'name': presenter})}</p>")
        parts.append(f"<p>{escape(_('会议听取了汇报。会议议定：（请填写议定事项）'))}</p>")
    if not items:
        parts.append(f"<p>{escape(_('（本次会议未列议程，请填写会议议定事项。）'))}</p>")
    people = people_of(meeting)
    for label, names in (
        (_("出席"), people.present),
        (_("列席"), people.observers),
        (_("请假"), people.leave),
        (_("缺席"), people.absent),
    ):
        if names:
            parts.append(_p(label, "、".join(names)))
    return title, clean_html("".join(parts))


def _check_draft(minutes: Minutes | None) -> None:
    if minutes is not None and minutes.status != MinutesStatus.DRAFT:
        raise TongbanError("meetings.minutes_issued", _("纪要已转公文办理，请在公文中修改。"))


def draft_from_agenda(*, meeting: Meeting, actor: Any, replace: bool = False, request: Any = None) -> Minutes:
    """Fill the minutes from the agenda. Existing text is only overwritten with ``replace``."""
    access.require_manage(actor, meeting)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        minutes = Minutes.objects.filter(meeting=meeting).first()
        _check_draft(minutes)
        if minutes is not None and html_to_text(minutes.body_html).strip() and not replace:
            raise TongbanError(
                "meetings.minutes_not_empty",
                _("纪要已有内容。如要按议程重新生成（将覆盖现有内容），请勾选“覆盖现有内容”。"),
                field="replace",
            )
        title, body = draft_body(meeting)
        if minutes is None:
            minutes = Minutes(meeting=meeting, drafted_by=actor)
        minutes.title = title
        minutes.body_html = body
        minutes.save()
        events.record(meeting, "minutes_drafted", actor=actor, source="agenda", minutes_id=minutes.pk)
        audit.record(
            "meetings.minutes_drafted", actor=actor, request=request, obj=minutes, new={"source": "agenda"}
        )
    return minutes


def minutes_save(*, meeting: Meeting, actor: Any, title: str, body_html: str, request: Any = None) -> Minutes:
    """Save the organiser's edit (title and sanitised body)."""
    access.require_manage(actor, meeting)
    title = (title or "").strip()
    if not title:
        raise TongbanError("meetings.minutes_title_required", _("请填写纪要标题。"), field="title")
    if len(title) > MAX_TITLE:
        raise TongbanError(
            "meetings.minutes_title_too_long",
            _("纪要标题不能超过 %(n)d 个字。") % {"n": MAX_TITLE},
            field="title",
        )
    if len(body_html or "") > MAX_BODY:
        raise TongbanError("meetings.minutes_too_long", _("纪要正文太长。"), field="body_html")
    body = clean_html(body_html or "")
    if not html_to_text(body).strip():
        raise TongbanError("meetings.minutes_body_required", _("请填写纪要正文。"), field="body_html")
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        minutes = Minutes.objects.filter(meeting=meeting).first()
        _check_draft(minutes)
        created = minutes is None
        if minutes is None:
            minutes = Minutes(meeting=meeting, drafted_by=actor)
        changed = created or minutes.title != title or minutes.body_html != body
        minutes.title = title
        minutes.body_html = body
        minutes.save()
        if changed:
            events.record(meeting, "minutes_drafted", actor=actor, source="edit", minutes_id=minutes.pk)
            audit.record(
                "meetings.minutes_saved", actor=actor, request=request, obj=minutes, new={"title": title}
            )
    return minutes


def minutes_to_documents(*, meeting: Meeting, actor: Any, request: Any = None) -> Document:
    """Hand the minutes to the documents flow: a Document of type 纪要, layout 纪要格式, in the host
    unit, drafted by ``actor`` (who must hold a post there). Once only."""
    from tongban.documents import services as doc_services

    access.require_manage(actor, meeting)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        minutes = Minutes.objects.filter(meeting=meeting).first()
        if minutes is None or not html_to_text(minutes.body_html).strip():
            raise TongbanError("meetings.minutes_empty", _("请先起草并保存纪要，再转公文办理。"))
        if minutes.status != MinutesStatus.DRAFT or minutes.document_id:
            raise TongbanError("meetings.minutes_issued", _("纪要已转公文办理，不能重复转办。"))
        unit = meeting.host_unit
        doc = doc_services.document_create(
            actor=actor,
            data={
                "title": minutes.title,
                "doc_type": DocType.MINUTES,
                "layout": Layout.MINUTES,
                "flag_text": f"{unit.name}纪要"[:100],
                "body_html": minutes.body_html,
            },
            unit=unit,
        )
        minutes.document = doc
        minutes.status = MinutesStatus.IN_DOCUMENTS
        minutes.save(update_fields=["document", "status", "updated_at"])
        events.record(meeting, "minutes_to_documents", actor=actor, document_id=doc.pk, minutes_id=minutes.pk)
        audit.record(
            "meetings.minutes_to_documents",
            actor=actor,
            request=request,
            obj=minutes,
            new={"document": doc.pk},
        )
    return doc


# --- the PDF ----------------------------------------------------------------------------------------


def minutes_pdf(meeting: Meeting, minutes: Minutes) -> bytes:
    """The minutes in the GB/T 9704 纪要 layout (WeasyPrint, the documents module's renderer).
    A preview: the issued 纪要 is the document's own PDF once it is in the documents flow."""
    from tongban.documents.render import DocumentSpec, render_pdf

    unit = meeting.host_unit
    spec = DocumentSpec.model_validate(
        {
            "layout": "minutes",
            "doc_type": "纪要",
            "organs": [unit.name],
            "flag_text": f"{unit.name}纪要"[:100],
            "title": minutes.title,
            "body_html": clean_html(minutes.body_html),
            "written_date": timezone.localtime(meeting.starts_at).date(),
            "printer_organ": unit.name[:100],
            "printed_date": timezone.localdate(),
        }
    )
    return render_pdf(spec)


def pdf_name(minutes: Minutes) -> str:
    stamp: datetime = timezone.localtime(minutes.updated_at or timezone.now())
    return f"{minutes.title[:60]}-{stamp:%Y%m%d}.pdf"
