"""The record of a meeting: every notice, reply, reminder, sign-in and live action is one
``MeetingEvent`` row, written through ``record``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.meetings.models import Attendee, Meeting, MeetingEvent


def record(
    meeting: Meeting,
    kind: str,
    *,
    actor: Any = None,
    attendee: Attendee | None = None,
    **data: Any,
) -> MeetingEvent:
    """Store one event of ``meeting`` (``kind`` from the contract's list: created, updated,
    notified, cancelled, invitation_confirmed, reminder_sent, signed_in, ...) at the current time.
    ``data`` must be JSON-serialisable; an anonymous ``actor`` is stored as no actor."""
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    return MeetingEvent.objects.create(
        meeting=meeting,
        kind=kind,
        actor=actor_obj,
        attendee=attendee,
        at=timezone.now(),
        data=data,
    )


LABELS: dict[str, Any] = {
    "created": _("创建会议"),
    "updated": _("修改会议"),
    "notified": _("发送会议通知"),
    "changed": _("发送会议变更通知"),
    "cancelled": _("取消会议"),
    "invitation_confirmed": _("参会单位回执"),
    "reminder_sent": _("回执催报"),
    "signed_in": _("签到"),
    "signin_undone": _("撤销签到"),
    "leave": _("请假"),
    "room_opened": _("视频会议室开放"),
    "room_closed": _("视频会议室关闭"),
    "joined": _("进入视频会议"),
    "left": _("离开视频会议"),
    "audio_muted": _("主持人静音"),
    "audio_unmuted": _("解除静音"),
    "video_off": _("关闭画面"),
    "video_on": _("恢复画面"),
    "admitted": _("准入"),
    "removed": _("移出会议"),
    "main_set": _("设置主画面"),
    "recording_started": _("开始录制"),
    "recording_stopped": _("停止录制"),
    "recording_ready": _("录像转换完成"),
    "recording_failed": _("录像转换失败"),
    "recording_deleted": _("删除录像"),
    "minutes_drafted": _("起草纪要"),
    "minutes_to_documents": _("纪要转公文办理"),
    "minutes_signed": _("纪要签发"),
}


def label(kind: str) -> str:
    """The Chinese (translatable) name of an event kind, or the kind itself if it has none."""
    found = LABELS.get(kind)
    return str(found) if found is not None else kind
