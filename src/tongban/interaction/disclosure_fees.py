"""Fees for requests for government information — 国办函〔2020〕109号《政府信息公开信息处理费管理办法》.

Only when a request exceeds what is reasonable may the organ charge an information-processing fee
(第三条), by ONE of two methods per request (第四条: 按件计收 or 按量计收, the organ chooses):

- 按件计收 (``"request"``): one applicant's requests within one natural month — 10 or fewer are
  free; the 11th to 30th are charged ¥100 each; from the 31st on, every further band of 10 raises
  the price by ¥100 each (31–40: ¥200 each, 41–50: ¥300 each, …). ``count`` is this request's
  ordinal in the applicant's month and the result is the fee of this one request.
- 按量计收 (``"page"``): the pages (or equivalent) provided for one request, tiered like income
  tax bands — pages 1–30 free, pages 31–100 ¥10 each, 101–200 ¥20 each, 201 and above ¥40 each.
  ``count`` is the page count and the result is the fee of the whole request.

The time from the fee notice to payment is not counted in the answer period (第八条), and when the
applicant does not pay within the period of the notice the organ may stop handling the request
(第八条; this system: 20 working days, :data:`FEE_PAY_WORKDAYS`)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.errors import TongbanError

METHODS: list[tuple[str, object]] = [
    ("request", gettext_lazy("按件计收")),
    ("page", gettext_lazy("按量计收")),
]
FEE_PAY_WORKDAYS = 20  # local rule: the period of the fee notice

# (first page of the band, price per page) — 109号 第四条（二）
PAGE_BANDS: list[tuple[int, int]] = [(1, 0), (31, 10), (101, 20), (201, 40)]


def request_price(ordinal: int) -> int:
    """The fee (yuan) of the ``ordinal``-th request of one applicant in a natural month (按件计收)."""
    if ordinal <= 10:
        return 0
    if ordinal <= 30:
        return 100
    return 100 + 100 * ((ordinal - 31) // 10 + 1)


def page_fee(pages: int) -> int:
    """The fee (yuan) of ``pages`` pages, each page priced by its band (按量计收)."""
    total = 0
    for i, (first, price) in enumerate(PAGE_BANDS):
        last = PAGE_BANDS[i + 1][0] - 1 if i + 1 < len(PAGE_BANDS) else pages
        if pages >= first:
            total += (min(pages, last) - first + 1) * price
    return total


def fee_for(method: str, count: int) -> Decimal:
    """The fee of one request: ``method`` "request" (``count`` = its ordinal in the applicant's
    natural month) or "page" (``count`` = pages). Raises ``interaction.disclosure_fee_*``."""
    if method not in dict(METHODS):
        raise TongbanError(
            "interaction.disclosure_fee_method", _("计费方式只能是按件计收或按量计收。"), field="fee_method"
        )
    if not isinstance(count, int) or isinstance(count, bool) or count < 1 or count > 100000:
        raise TongbanError(
            "interaction.disclosure_fee_count",
            _("件数或页数应为 1 到 100000 之间的整数。"),
            field="fee_count",
        )
    amount = request_price(count) if method == "request" else page_fee(count)
    return Decimal(amount).quantize(Decimal("0.01"))
