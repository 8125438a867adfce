"""受理编号 (tracking numbers): ``<county code><yyyymmdd><5-digit serial>``, one gapless serial per
county and day, taken under a row lock (the one numbering rule of this domain)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from tongban.approvals.models import TrackingCounter


def next_serial(county: object, key: str) -> int:
    """The next number of the counter ``key`` of ``county`` (inside the caller's transaction)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                TrackingCounter.objects.get_or_create(county=county, key=key)
        except IntegrityError:
            pass
        row = TrackingCounter.objects.select_for_update().get(county=county, key=key)
        row.last += 1
        row.save(update_fields=["last"])
        return row.last


def tracking_no(county: object, on: date) -> str:
    serial = next_serial(county, f"case:{on:%Y%m%d}")
    return f"{county.code}{on:%Y%m%d}{serial:05d}"  # type: ignore[attr-defined]
