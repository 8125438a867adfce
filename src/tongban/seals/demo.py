"""Demo data: the county seal CA and a seal certificate for every unit (EC P-256: fast)."""

from __future__ import annotations

from typing import Any

from tongban.orgs.models import County, Unit
from tongban.seals import services
from tongban.seals.models import SealCertificate


def issue_all(*, county: County, actor: Any = None) -> int:
    """A certificate for every active unit of the county that has none; returns how many were issued."""
    services.ca_init(county=county, actor=actor)
    have = set(
        SealCertificate.objects.filter(county=county, revoked_at__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    issued = 0
    for unit in (
        Unit.objects.filter(county=county, is_active=True).exclude(pk__in=have).order_by("sort", "id")
    ):
        services.certificate_issue(unit=unit, actor=actor)
        issued += 1
    return issued


def seed_seals(ctx: Any) -> str:
    issued = sum(issue_all(county=county) for county in County.objects.all())
    live = SealCertificate.objects.filter(revoked_at__isnull=True).count()
    return f"电子印章：新签发 {issued} 张单位印章证书，现有 {live} 张"
