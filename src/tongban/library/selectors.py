"""Reads of the resource library, already filtered for the actor through :mod:`access`.

Search: the query is cut into words with the search index's own segmentation
(:func:`tongban.search.text.query_terms`, rjieba), and every word must occur (``icontains``) in the
title, summary, category, keywords or the owner unit's name. A county's catalogue holds hundreds to a
few thousand entries, for which this is a fast scan; no separate index is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound
from tongban.library import access
from tongban.library.models import (
    AccessRequest,
    DownloadLog,
    RequestStatus,
    Resource,
    ResourceVersion,
    SharingLevel,
)
from tongban.orgs.models import Unit
from tongban.search.text import query_terms


def catalogue(
    *, user: Any, q: str = "", kind: str = "", owner_unit_id: int | None = None, sharing: str = ""
) -> QuerySet[Resource]:
    qs = access.visible_resources(user).select_related("owner_unit", "current_version")
    for term in query_terms(q):
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(category__icontains=term)
            | Q(keywords__icontains=term)
            | Q(owner_unit__name__icontains=term)
            | Q(owner_unit__short_name__icontains=term)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if owner_unit_id is not None:
        qs = qs.filter(owner_unit_id=owner_unit_id) if access.valid_id(owner_unit_id) else qs.none()
    if sharing:
        qs = qs.filter(sharing=sharing)
    return qs.order_by("-updated_at", "-id")


def owner_units(user: Any) -> list[Unit]:
    """Units that own at least one entry the user sees (the filter's choices)."""
    ids = access.visible_resources(user).values("owner_unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("sort", "id"))


def versions(resource: Resource) -> list[ResourceVersion]:
    return list(resource.versions.select_related("uploaded_by").order_by("-number"))


def access_version(resource: Resource, number: int) -> ResourceVersion:
    version = (
        ResourceVersion.objects.filter(resource=resource, number=number).first()
        if access.valid_id(number)
        else None
    )
    if version is None:
        raise NotFound("library.version_not_found", _("版本不存在。"))
    return version


def shared_units(resource: Resource) -> list[Unit]:
    return list(resource.shared_units.order_by("sort", "id"))


def my_requests(user: Any, resource: Resource) -> list[AccessRequest]:
    """The requests of the user's units for this resource, newest first."""
    units = access.member_unit_ids(user)
    return list(
        AccessRequest.objects.filter(resource=resource, unit_id__in=units)
        .select_related("unit", "requester", "decided_by")
        .order_by("-created_at", "-id")
    )


def resource_requests(resource: Resource) -> list[AccessRequest]:
    return list(
        AccessRequest.objects.filter(resource=resource)
        .select_related("unit", "requester", "decided_by")
        .order_by("-created_at", "-id")
    )


def incoming_requests(user: Any, *, status: str = "") -> QuerySet[AccessRequest]:
    """Requests for the resources of the units where the user is 资源管理员."""
    qs = AccessRequest.objects.filter(resource__owner_unit_id__in=access.admin_unit_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("resource", "resource__owner_unit", "unit", "requester", "decided_by").order_by(
        "-created_at", "-id"
    )


def outgoing_requests(user: Any, *, status: str = "") -> QuerySet[AccessRequest]:
    """Requests made for the user's units."""
    qs = AccessRequest.objects.filter(unit_id__in=access.member_unit_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("resource", "resource__owner_unit", "unit", "requester", "decided_by").order_by(
        "-created_at", "-id"
    )


def access_request(pk: int, user: Any) -> AccessRequest:
    """A request the user may decide (the owner's 资源管理员); 404 for anyone else."""
    req = incoming_requests(user).filter(pk=pk).first() if access.valid_id(pk) else None
    if req is None:
        raise NotFound("library.request_not_found", _("申请不存在或您无权处理。"))
    return req


def pending_incoming_count(user: Any) -> int:
    units = access.admin_unit_ids(user)
    if not units:
        return 0
    return AccessRequest.objects.filter(
        resource__owner_unit_id__in=units, status=RequestStatus.PENDING
    ).count()


@dataclass
class DownloadStats:
    total: int
    users: int
    units: int
    last_at: Any
    by_unit: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_version: list[dict[str, Any]]


def download_log(resource: Resource) -> QuerySet[DownloadLog]:
    return (
        DownloadLog.objects.filter(resource=resource)
        .select_related("user", "unit", "version")
        .order_by("-at", "-id")
    )


def download_stats(resource: Resource) -> DownloadStats:
    qs = DownloadLog.objects.filter(resource=resource)
    agg = qs.aggregate(
        total=Count("id"),
        users=Count("user_id", distinct=True),
        units=Count("unit_id", distinct=True),
        last=Max("at"),
    )
    by_unit = [
        {"unit_id": r["unit_id"], "unit": r["unit__name"] or _("（无单位）"), "count": r["n"]}
        for r in qs.values("unit_id", "unit__name").annotate(n=Count("id")).order_by("-n", "unit__name")
    ]
    by_month = [
        {"month": r["month"].strftime("%Y-%m") if r["month"] else "", "count": r["n"]}
        for r in qs.annotate(month=TruncMonth("at")).values("month").annotate(n=Count("id")).order_by("month")
    ]
    by_version = [
        {"version": r["version__number"], "count": r["n"]}
        for r in qs.values("version__number").annotate(n=Count("id")).order_by("-version__number")
    ]
    return DownloadStats(
        total=agg["total"],
        users=agg["users"],
        units=agg["units"],
        last_at=agg["last"],
        by_unit=by_unit,
        by_month=by_month,
        by_version=by_version,
    )


def sharing_counts(qs: QuerySet[Resource]) -> dict[str, int]:
    rows = qs.order_by().values("sharing").annotate(n=Count("id"))
    out = {s: 0 for s in SharingLevel.values}
    for r in rows:
        out[r["sharing"]] = r["n"]
    return out
