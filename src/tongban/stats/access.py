"""Who may see which figures of the usage assessment. Every stats view and endpoint checks with the
predicates here (or loads its unit through :func:`access_unit`), so the rules live in one place:

- the **county's figures** (overview, unit comparison, every unit's scorecard, the big screen, the
  effect report): the informatisation office's 考核管理员 and the county leaders (县领导);
- a **unit's figures** (its scorecard, its offices): also that unit's 单位领导 and 办公室主任;
- **people's figures** (the drill-down to persons): only their own leaders, that is the unit's
  单位领导 and the county leader in charge of the unit (分管县领导); never the office itself, so a
  scorecard does not become a list of names for everyone who sees the county's figures;
- **managing** schemes, unit costs and the feedback (triage, answers, changelog): 考核管理员.

Any staff member may send feedback and read the published changelog."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, LeaderDuty, Unit
from tongban.orgs.selectors import role_pairs


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False) and user.pk)


def _roles(user: Any) -> frozenset[tuple[str, int]]:
    """(role, unit id) of the user's grants, one query per request (shared with other domains' nav)."""
    return role_pairs(user)


def is_assessment_admin(user: Any) -> bool:
    return _staff(user) and any(r == BusinessRole.ASSESSMENT_ADMIN for r, _u in _roles(user))


def is_county_leader(user: Any) -> bool:
    return _staff(user) and any(r == BusinessRole.COUNTY_LEADER for r, _u in _roles(user))


def can_view_county(user: Any) -> bool:
    """The county's figures: every unit's scorecard, the overview, the big screen, the effect report."""
    return is_assessment_admin(user) or is_county_leader(user)


def can_manage(user: Any) -> bool:
    """Schemes, unit costs, feedback triage and the changelog."""
    return is_assessment_admin(user)


def led_unit_ids(user: Any) -> set[int]:
    """Units whose people the user may see one by one: units where the user is 单位领导, and the
    units the user is in charge of as a county leader (分管)."""
    if not _staff(user):
        return set()
    ids = {u for r, u in _roles(user) if r == BusinessRole.UNIT_LEADER}
    ids |= set(LeaderDuty.objects.filter(leader=user).values_list("unit_id", flat=True))
    return ids


def visible_unit_ids(user: Any) -> set[int] | None:
    """Units whose figures the user may see; ``None`` means every unit of the county."""
    if can_view_county(user):
        return None
    if not _staff(user):
        return set()
    return {
        u for r, u in _roles(user) if r in (BusinessRole.UNIT_LEADER, BusinessRole.OFFICE_HEAD)
    } | led_unit_ids(user)


def can_view_stats(user: Any) -> bool:
    """Whether the user sees the 考核统计 pages at all (roles only: used by the navigation, it costs
    no query beyond the request's one read of the grants)."""
    if can_view_county(user):
        return True
    return _staff(user) and any(
        r in (BusinessRole.UNIT_LEADER, BusinessRole.OFFICE_HEAD) for r, _u in _roles(user)
    )


def can_view_unit(user: Any, unit: Unit | int) -> bool:
    ids = visible_unit_ids(user)
    uid = unit if isinstance(unit, int) else unit.pk
    return ids is None or uid in ids


def can_view_people(user: Any, unit: Unit | int) -> bool:
    uid = unit if isinstance(unit, int) else unit.pk
    return uid in led_unit_ids(user)


def access_unit(unit_id: int, user: Any) -> Unit:
    """The unit, when the user may see its figures (404 when it does not exist, 403 otherwise)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("stats.unit_not_found", _("单位不存在"))
    if not can_view_unit(user, unit):
        raise PermissionDenied("stats.unit_denied", _("您无权查看该单位的统计"))
    return unit


def require_county(user: Any) -> None:
    if not can_view_county(user):
        raise PermissionDenied("stats.county_denied", _("仅考核管理员和县领导可查看全县统计"))


def require_manage(user: Any) -> None:
    if not can_manage(user):
        raise PermissionDenied("stats.manage_denied", _("仅考核管理员可执行此操作"))
