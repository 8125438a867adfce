"""The 办理单 (processing slip) as an A4 PDF: the document's particulars and every opinion with
the name and time, rendered by WeasyPrint from ``receiving/slip.html``."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.receiving import rules, selectors
from tongban.receiving.models import IncomingDocument


def slip_context(incoming: IncomingDocument) -> dict[str, Any]:
    return {
        "incoming": incoming,
        "route": selectors.route(incoming),
        "readers": selectors.circulation(incoming),
        "assist_units": list(incoming.assist_units.all()),
        "received_date": rules.format_date(timezone.localtime(incoming.received_at).date()),
        "due_date": rules.format_date(incoming.due_date),
        "written_date": rules.format_date(incoming.written_date),
        "printed_at": timezone.localtime(),
        # the page footer 第 N 页 / 共 M 页 (CSS strings around the counters)
        "page_before": _("第 "),
        "page_middle": _(" 页 / 共 "),
        "page_after": _(" 页"),
    }


def slip_pdf(incoming: IncomingDocument) -> bytes:
    from weasyprint import HTML

    html = render_to_string("receiving/slip.html", slip_context(incoming))
    return bytes(HTML(string=html).write_pdf())
