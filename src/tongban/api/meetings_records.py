"""REST endpoints of the meetings' records part (/api/v1/meetings/): a meeting's recordings (list,
delete) and its minutes (read, save, draft from the agenda, hand to the documents flow, PDF).
Recordings and minutes are readable by the meeting's attendees and those who manage it; writing
needs the organisers. Thin: access functions and the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tongban.api.common import Id, caller, errors
from tongban.core.errors import NotFound
from tongban.meetings import access, records
from tongban.meetings import minutes as minutes_svc
from tongban.meetings.models import Meeting, Minutes, Recording

router = Router(tags=["会议：录像与纪要"])


class RecordingFileOut(Schema):
    id: int
    label: str
    content_type: str
    size: int
    duration_seconds: float
    sha256: str
    url: str
    attendee_id: int | None


class RecordingOut(Schema):
    id: int
    status: str
    status_label: str
    started_at: datetime
    stopped_at: datetime | None
    started_by: str
    error: str
    files: list[RecordingFileOut]


class ReasonIn(Schema):
    reason: str


class MinutesIn(Schema):
    title: str
    body_html: str


class MinutesDraftIn(Schema):
    replace: bool = False


class MinutesOut(Schema):
    exists: bool
    title: str
    body_html: str
    status: str
    status_label: str
    updated_at: datetime | None
    drafted_by: str
    document_id: int | None
    document_url: str
    pdf_url: str
    can_edit: bool


class DocumentRefOut(Schema):
    document_id: int
    title: str
    doc_type: str
    layout: str
    url: str


def _viewable(request: HttpRequest, meeting_id: int) -> tuple[Any, Meeting]:
    user = caller(request)
    meeting = access.get_meeting_for(user, meeting_id)
    records.require_view(user, meeting)
    return user, meeting


def _recording(meeting: Meeting, rec: Recording) -> dict[str, Any]:
    files = (
        [
            {
                "id": f.pk,
                "label": f.label,
                "content_type": f.content_type,
                "size": f.size,
                "duration_seconds": f.duration_seconds,
                "sha256": f.sha256,
                "url": reverse("meetings_records:recording_file", kwargs={"pk": meeting.pk, "file_id": f.pk}),
                "attendee_id": f.attendee_id,
            }
            for f in rec.files.all()
        ]
        if rec.status == "ready"
        else []
    )
    return {
        "id": rec.pk,
        "status": rec.status,
        "status_label": str(rec.get_status_display()),
        "started_at": rec.started_at,
        "stopped_at": rec.stopped_at,
        "started_by": rec.started_by.full_name or rec.started_by.username,
        "error": rec.error,
        "files": files,
    }


@router.get(
    "{meeting_id}/recordings", response={200: list[RecordingOut], **errors(403, 404)}, summary="会议录像"
)
def recording_list(request: HttpRequest, meeting_id: Id) -> list[dict[str, Any]]:
    _user, meeting = _viewable(request, meeting_id)
    return [_recording(meeting, r) for r in records.recordings_of(meeting)]


@router.delete(
    "{meeting_id}/recordings/{rec_id}", response={204: None, **errors(400, 403, 404)}, summary="删除录像"
)
def recording_delete(request: HttpRequest, meeting_id: Id, rec_id: Id, body: ReasonIn) -> Status:
    user = caller(request)
    meeting = access.get_meeting_for(user, meeting_id)
    access.require_manage(user, meeting)
    rec = records.get_recording(meeting, rec_id)
    records.recording_delete(recording=rec, actor=user, reason=body.reason, request=request)
    return Status(204, None)


def _minutes(user: Any, meeting: Meeting, m: Minutes | None) -> dict[str, Any]:
    editable = access.can_manage(user, meeting) and (m is None or m.status == "draft")
    if m is None:
        return {
            "exists": False,
            "title": "",
            "body_html": "",
            "status": "",
            "status_label": "",
            "updated_at": None,
            "drafted_by": "",
            "document_id": None,
            "document_url": "",
            "pdf_url": "",
            "can_edit": editable,
        }
    return {
        "exists": True,
        "title": m.title,
        "body_html": m.body_html,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "updated_at": m.updated_at,
        "drafted_by": m.drafted_by.full_name or m.drafted_by.username,
        "document_id": m.document_id,
        "document_url": reverse("documents:detail", kwargs={"pk": m.document_id}) if m.document_id else "",
        "pdf_url": reverse("meetings_records:minutes_pdf", kwargs={"pk": meeting.pk}) if m.body_html else "",
        "can_edit": editable,
    }


@router.get("{meeting_id}/minutes", response={200: MinutesOut, **errors(403, 404)}, summary="会议纪要")
def minutes_get(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    user, meeting = _viewable(request, meeting_id)
    return _minutes(user, meeting, minutes_svc.get_minutes(meeting))


@router.put("{meeting_id}/minutes", response={200: MinutesOut, **errors(400, 403, 404)}, summary="保存纪要")
def minutes_put(request: HttpRequest, meeting_id: Id, body: MinutesIn) -> dict[str, Any]:
    user = caller(request)
    meeting = access.get_meeting_for(user, meeting_id)
    minutes_svc.minutes_save(
        meeting=meeting, actor=user, title=body.title, body_html=body.body_html, request=request
    )
    return _minutes(user, meeting, minutes_svc.get_minutes(meeting))


@router.post(
    "{meeting_id}/minutes/draft-from-agenda",
    response={200: MinutesOut, **errors(400, 403, 404)},
    summary="从议程生成纪要草稿",
)
def minutes_draft(request: HttpRequest, meeting_id: Id, body: MinutesDraftIn | None = None) -> dict[str, Any]:
    user = caller(request)
    meeting = access.get_meeting_for(user, meeting_id)
    minutes_svc.draft_from_agenda(
        meeting=meeting, actor=user, replace=bool(body and body.replace), request=request
    )
    return _minutes(user, meeting, minutes_svc.get_minutes(meeting))


@router.post(
    "{meeting_id}/minutes/to-documents",
    response={201: DocumentRefOut, **errors(400, 403, 404)},
    summary="纪要转公文办理",
)
def minutes_to_documents(request: HttpRequest, meeting_id: Id) -> Status:
    user = caller(request)
    meeting = access.get_meeting_for(user, meeting_id)
    doc = minutes_svc.minutes_to_documents(meeting=meeting, actor=user, request=request)
    return Status(
        201,
        {
            "document_id": doc.pk,
            "title": doc.title,
            "doc_type": doc.doc_type,
            "layout": doc.layout,
            "url": reverse("documents:detail", kwargs={"pk": doc.pk}),
        },
    )


@router.get(
    "{meeting_id}/minutes/pdf",
    response={200: None, **errors(403, 404)},
    summary="纪要 PDF（纪要格式预览）",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def minutes_pdf(request: HttpRequest, meeting_id: Id) -> HttpResponse:
    _user, meeting = _viewable(request, meeting_id)
    m = minutes_svc.get_minutes(meeting)
    if m is None or not m.body_html.strip():
        raise NotFound("meetings.minutes_not_found", _("本次会议还没有纪要。"))
    response = HttpResponse(minutes_svc.minutes_pdf(meeting, m), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, minutes_svc.pdf_name(m)) or "attachment"
    )
    return response
