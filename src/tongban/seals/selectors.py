"""Reads of the seals domain."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongban.core.errors import NotFound
from tongban.seals.models import CertificateAuthority, SealCertificate


def live_certificate(unit: Any) -> SealCertificate | None:
    """The unit's current (not revoked) seal certificate."""
    if unit is None:
        return None
    return SealCertificate.objects.filter(unit=unit, revoked_at__isnull=True).select_related("ca").first()


def seal_image_png(unit: Any) -> bytes | None:
    """The unit's seal image (transparent PNG), or None when the unit has no live seal certificate."""
    cert = live_certificate(unit)
    if cert is None or not cert.seal_png:
        return None
    return bytes(cert.seal_png)


def active_ca(county: Any) -> CertificateAuthority | None:
    return CertificateAuthority.objects.filter(county=county, is_active=True).first()


def certificates(*, county: Any, q: str = "") -> QuerySet[SealCertificate]:
    qs = SealCertificate.objects.filter(county=county).select_related("unit", "issued_by", "revoked_by")
    if q:
        qs = qs.filter(unit__name__icontains=q)
    return qs.order_by("unit__sort", "unit_id", "-issued_at")


def access_certificate(cert_id: Any, county: Any) -> SealCertificate:
    cert = SealCertificate.objects.filter(pk=_int(cert_id), county=county).select_related("unit").first()
    if cert is None:
        from django.utils.translation import gettext as _

        raise NotFound("seals.not_found", _("印章证书不存在。"))
    return cert


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
