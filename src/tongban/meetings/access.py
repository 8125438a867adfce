"""Who may see and act on a meeting. Every view and endpoint of the meetings module loads its
meeting through ``get_meeting_for`` (404 for anyone who may not see it) and checks actions with
the predicates here, so the rules live in one place:

- **see** a meeting: its organiser and chair, the meeting organisers (会务管理员) of the host unit,
  every attendee (invited by name, named in a unit's 回执, or a venue terminal), and the people who
  confirm for an invited unit (文书, 办公室主任, 单位领导, 会务管理员 of that unit);
- **manage** it (edit, notify, cancel, sign people in, minutes): the organiser and the host unit's
  meeting organisers;
- **control** the video room (mute, video off, admit, remove, main venue, recording): the chair
  and those who manage it;
- **join** the video: an attendee who is not removed (and admitted, when the meeting needs it);
- **confirm** for an invited unit: its 文书, 办公室主任, 单位领导 or 会务管理员."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.meetings.models import Attendee, Invitation, Meeting
from tongban.orgs.models import BusinessRole, RoleGrant

CONFIRMER_ROLES = (
    BusinessRole.CLERK,
    BusinessRole.OFFICE_HEAD,
    BusinessRole.UNIT_LEADER,
    BusinessRole.MEETING_ORGANISER,
)


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.pk)


def organiser_unit_ids(user: Any) -> set[int]:
    """Units where ``user`` is a 会务管理员 (may create meetings hosted by that unit)."""
    if not _staff(user):
        return set()
    return set(
        RoleGrant.objects.filter(
            user=user, role=BusinessRole.MEETING_ORGANISER, unit__is_active=True
        ).values_list("unit_id", flat=True)
    )


def confirmer_unit_ids(user: Any) -> set[int]:
    """Units for which ``user`` may fill in the 参会回执."""
    if not _staff(user):
        return set()
    return set(
        RoleGrant.objects.filter(user=user, role__in=CONFIRMER_ROLES, unit__is_active=True).values_list(
            "unit_id", flat=True
        )
    )


def visible_q(user: Any) -> Q:
    """A filter on Meeting for the meetings ``user`` may see (see the module's docstring)."""
    if not _staff(user):
        return Q(pk__in=[])
    return (
        Q(organiser=user)
        | Q(chair=user)
        | Q(host_unit_id__in=organiser_unit_ids(user))
        | Q(pk__in=Attendee.objects.filter(user=user).values("meeting_id"))
        | Q(pk__in=Invitation.objects.filter(unit_id__in=confirmer_unit_ids(user)).values("meeting_id"))
    )


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(visible_q(user)).distinct()


def can_view(user: Any, meeting: Meeting) -> bool:
    return _staff(user) and Meeting.objects.filter(visible_q(user), pk=meeting.pk).exists()


def get_meeting_for(user: Any, pk: Any) -> Meeting:
    """The meeting ``pk`` if ``user`` may see it; otherwise NotFound (404), the same for a meeting
    that does not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("meetings.not_found", _("会议不存在或您无权查看。")) from None
    meeting = (
        Meeting.objects.filter(visible_q(user), pk=pk)
        .select_related("host_unit", "organiser", "chair", "county")
        .first()
    )
    if meeting is None:
        raise NotFound("meetings.not_found", _("会议不存在或您无权查看。"))
    return meeting


def can_manage(user: Any, meeting: Meeting) -> bool:
    if not _staff(user):
        return False
    return meeting.organiser_id == user.pk or meeting.host_unit_id in organiser_unit_ids(user)


def require_manage(user: Any, meeting: Meeting) -> None:
    if not can_manage(user, meeting):
        raise PermissionDenied("meetings.not_organiser", _("只有会议的会务人员可以进行此操作。"))


def can_control(user: Any, meeting: Meeting) -> bool:
    """Chair's controls of the video room (the chair, and the organisers at the console)."""
    return _staff(user) and (meeting.chair_id == user.pk or can_manage(user, meeting))


def require_control(user: Any, meeting: Meeting) -> None:
    if not can_control(user, meeting):
        raise PermissionDenied("meetings.not_chair", _("只有主持人或会务人员可以控制会场。"))


def attendee_of(user: Any, meeting: Meeting) -> Attendee | None:
    if not _staff(user):
        return None
    return Attendee.objects.filter(meeting=meeting, user=user).select_related("unit", "venue").first()


def can_confirm(user: Any, invitation: Invitation) -> bool:
    return invitation.unit_id in confirmer_unit_ids(user)


def require_confirm(user: Any, invitation: Invitation) -> None:
    if not can_confirm(user, invitation):
        raise PermissionDenied(
            "meetings.not_confirmer", _("只有参会单位的文书、办公室主任或单位领导可以填报回执。")
        )


def is_invitee(user: Any, meeting: Meeting) -> bool:
    """An attendee of the meeting (people who only confirm for a unit are not invitees)."""
    return _staff(user) and Attendee.objects.filter(meeting=meeting, user=user).exists()
