"""Who may see and run the site monitoring: the network administrators (role ``network_admin`` in
any unit of the county) and the system administrator. Both read and register sites; the check
costs no query beyond ``orgs.selectors.role_pairs`` (memoised per request)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.orgs.models import BusinessRole, County
from tongban.orgs.selectors import county_for_user, role_pairs


def can_monitor(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "admin_role", "") == "system":
        return True
    return any(role == BusinessRole.NETWORK_ADMIN for role, _unit in role_pairs(user))


def can_manage(user: Any) -> bool:
    """Register, edit and disable sites and probes; probe now. Same people as :func:`can_monitor`."""
    return can_monitor(user)


def require_monitor(user: Any) -> County:
    """The county whose sites the user monitors; PermissionDenied for everybody else."""
    if not can_monitor(user):
        raise PermissionDenied("netmon.forbidden", _("只有网络管理员和系统管理员可以使用网络监测。"))
    county = county_for_user(user)
    if county is None:
        raise NotFound("netmon.no_county", _("尚未建立县的组织机构。"))
    return county


def require_manage(user: Any) -> County:
    if not can_manage(user):
        raise PermissionDenied("netmon.forbidden", _("只有网络管理员和系统管理员可以登记站点和探测项。"))
    return require_monitor(user)
