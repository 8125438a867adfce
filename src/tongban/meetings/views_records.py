"""Pages of a meeting's records: 会议录像 (the recordings with a player per site, served through
an access check with HTTP ranges so the player can seek) and 会议纪要 (draft from the agenda, edit,
PDF preview, 转公文办理). Thin: load the meeting through ``access.get_meeting_for``, check with
``records.require_view`` / ``access.require_manage``, call one service."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.documents.sanitize import clean_html
from tongban.meetings import access, records
from tongban.meetings import minutes as minutes_svc
from tongban.meetings.forms_records import DraftForm, MinutesForm, RecordingDeleteForm
from tongban.meetings.models import Meeting, MinutesStatus, RecordingStatus

TABS = "meetings/_meeting_tabs.html"


def meeting_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required; NotFound → 404 and PermissionDenied → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapped


def _tabs() -> str:
    """The meeting's tab bar (the scheduling part's include), when it is there."""
    try:
        get_template(TABS)
    except TemplateDoesNotExist:
        return ""
    return TABS


def _viewable(request: HttpRequest, pk: int) -> Meeting:
    meeting = access.get_meeting_for(request.user, pk)
    records.require_view(request.user, meeting)
    return meeting


# --- recordings --------------------------------------------------------------------------------


@meeting_view
@require_GET
def recordings(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _viewable(request, pk)
    rows = records.recordings_of(meeting)
    split = any(f.content_type.startswith("audio/") for r in rows for f in r.files.all()) and any(
        f.content_type.startswith("video/") for r in rows for f in r.files.all()
    )
    return render(
        request,
        "meetings/records/recordings.html",
        {
            "meeting": meeting,
            "tab": "records",
            "tabs_template": _tabs(),
            "recordings": rows,
            "can_manage": access.can_manage(request.user, meeting),
            "split_files": split,
            "ffmpeg": records.ffmpeg_available(),
            "busy": (RecordingStatus.RECORDING, RecordingStatus.CONVERTING),
            "delete_form": RecordingDeleteForm(),
        },
    )


@meeting_view
@require_GET
def recording_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponseBase:
    meeting = _viewable(request, pk)
    rf = records.get_file(meeting, file_id)
    return records.file_response(request, rf)


@meeting_view
@require_POST
def recording_delete(request: HttpRequest, pk: int, rec_id: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    access.require_manage(request.user, meeting)
    rec = records.get_recording(meeting, rec_id)
    form = RecordingDeleteForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("meetings_records:recordings", pk=meeting.pk)
    try:
        records.recording_delete(
            recording=rec, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("录像已删除。"))
    return redirect("meetings_records:recordings", pk=meeting.pk)


# --- minutes -----------------------------------------------------------------------------------


def _editor_labels() -> str:
    return json.dumps(
        {
            "toolbar": _("正文格式"),
            "bold": _("加粗"),
            "italic": _("倾斜"),
            "underline": _("下划线"),
            "list-ordered": _("编号列表"),
            "list-bullet": _("项目符号列表"),
            "clean": _("清除格式"),
            "header": _("标题级别"),
            "header-1": _("一级标题"),
            "header-2": _("二级标题"),
            "header-3": _("三级标题"),
            "header-none": _("正文"),
            "align": _("对齐方式"),
            "align-none": _("左对齐"),
            "align-center": _("居中"),
            "align-right": _("右对齐"),
            "align-justify": _("两端对齐"),
        },
        ensure_ascii=False,
    )


def _minutes_page(request: HttpRequest, meeting: Meeting, form: MinutesForm | None = None) -> HttpResponse:
    m = minutes_svc.get_minutes(meeting)
    manage = access.can_manage(request.user, meeting)
    editable = manage and (m is None or m.status == MinutesStatus.DRAFT)
    if editable and form is None:
        form = MinutesForm(initial={"title": m.title, "body_html": m.body_html} if m else {})
    body_source = ""
    if form is not None:
        body_source = str(form["body_html"].value() or "")
    return render(
        request,
        "meetings/records/minutes.html",
        {
            "meeting": meeting,
            "tab": "minutes",
            "tabs_template": _tabs(),
            "minutes": m,
            "body": mark_safe(clean_html(m.body_html)) if m else "",  # noqa: S308 — sanitised
            "can_manage": manage,
            "editable": editable,
            "form": form,
            "body_clean": mark_safe(clean_html(body_source)),  # noqa: S308 — sanitised
            "draft_form": DraftForm(),
            "editor_labels": _editor_labels(),
            "has_text": bool(m and m.body_html.strip()),
        },
        status=400 if form is not None and form.errors else 200,
    )


@meeting_view
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _viewable(request, pk)
    if request.method != "POST":
        return _minutes_page(request, meeting)
    access.require_manage(request.user, meeting)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            minutes_svc.minutes_save(
                meeting=meeting,
                actor=request.user,
                title=form.cleaned_data["title"],
                body_html=form.cleaned_data["body_html"],
                request=request,
            )
        except PermissionDenied:
            raise
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("纪要已保存。"))
            return redirect("meetings_records:minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, form)


@meeting_view
@require_POST
def minutes_draft(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    access.require_manage(request.user, meeting)
    form = DraftForm(request.POST)
    replace = bool(form.is_valid() and form.cleaned_data["replace"])
    try:
        minutes_svc.draft_from_agenda(meeting=meeting, actor=request.user, replace=replace, request=request)
    except PermissionDenied:
        raise
    except TongbanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已按会议议程生成纪要草稿，请补充议定事项后保存。"))
    return redirect("meetings_records:minutes", pk=meeting.pk)


@meeting_view
@require_POST
def minutes_to_documents(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for(request.user, pk)
    access.require_manage(request.user, meeting)
    try:
        doc = minutes_svc.minutes_to_documents(meeting=meeting, actor=request.user, request=request)
    except TongbanError as exc:
        if isinstance(exc, PermissionDenied) and exc.code.startswith("meetings."):
            raise
        messages.error(request, str(exc))
        return redirect("meetings_records:minutes", pk=meeting.pk)
    messages.success(
        request, _("纪要已转公文办理（公文编号 %(id)s），请在公文办理中送审、签发。") % {"id": doc.pk}
    )
    return redirect("meetings_records:minutes", pk=meeting.pk)


@meeting_view
@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _viewable(request, pk)
    m = minutes_svc.get_minutes(meeting)
    if m is None or not m.body_html.strip():
        raise NotFound("meetings.minutes_not_found", _("本次会议还没有纪要。"))
    data = minutes_svc.minutes_pdf(meeting, m)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(bool(request.GET.get("download")), minutes_svc.pdf_name(m)) or "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
