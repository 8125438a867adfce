from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tongban.documents.models import Document, Recipient
from tongban.identity.models import User
from tongban.orgs.models import RoleGrant, Unit
from tongban.orgs.tests.conftest import accounts, county  # noqa: F401 - fixtures
from tongban.receiving import services
from tongban.receiving.models import IncomingDocument


@pytest.fixture
def units(county: Any) -> dict[str, Unit]:  # noqa: F811
    return {u.short_name: u for u in Unit.objects.filter(county=county)}


def holder(unit: Unit, role: str) -> User:
    return RoleGrant.objects.filter(unit=unit, role=role).select_related("user").order_by("id").first().user


@pytest.fixture
def people(accounts: dict[str, User], units: dict[str, Unit]) -> dict[str, User]:  # noqa: F811
    cz = units["财政局"]
    out = dict(accounts)
    out["czhead"] = holder(cz, "office_head")
    out["zfhead"] = accounts["officehead"]
    # someone at 人社局 (another unit) without any role at 财政局
    out["rsclerk"] = holder(units["人社局"], "clerk")
    return out


@pytest.fixture
def issue(county: Any, accounts: dict[str, User], units: dict[str, Unit]) -> Callable[..., Document]:  # noqa: F811
    """Create an issued document of 政府办 and run the distribution listener (as 核发 does)."""

    def make(
        main: list[str] = ("财政局",),
        cc: list[str] = (),
        title: str = "关于做好年度预算执行工作的通知",
        **kw: Any,
    ) -> Document:
        zf = units["政府办"]
        doc = Document.objects.create(
            county=county,
            unit=zf,
            created_by=accounts["clerk"],
            title=title,
            doc_number=kw.pop("doc_number", "青政办发〔2026〕3号"),
            status="issued",
            body_html="<p>各单位：</p><p>请认真做好预算执行工作。<script>alert(1)</script></p>",
            signature_text="青山县人民政府办公室",
            **kw,
        )
        recipients = [Recipient.objects.create(document=doc, kind="main", unit=units[n]) for n in main]
        recipients += [Recipient.objects.create(document=doc, kind="cc", unit=units[n]) for n in cc]
        services.distribute(document=doc, recipients=recipients, actor=accounts["clerk"])
        return doc

    return make


@pytest.fixture
def incoming(issue: Callable[..., Document], units: dict[str, Unit]) -> IncomingDocument:
    doc = issue()
    return IncomingDocument.objects.get(source=doc, unit=units["财政局"])


def run_to(
    incoming: IncomingDocument, people: dict[str, User], step: str, *, handling: str = "handle"
) -> IncomingDocument:
    """Drive an incoming document of 财政局 through its route up to (not including) ``step``."""
    order = ["sign", "register", "review", "propose", "instruct", "handle", "circulate", "finish", "archive"]
    for s in order:
        if s == step:
            break
        incoming.refresh_from_db()
        if s == "sign":
            services.incoming_sign(incoming=incoming, actor=people["czclerk"], copies=2)
        elif s == "register":
            services.incoming_register(incoming=incoming, actor=people["czclerk"], handling=handling)
        elif s == "review":
            services.incoming_review(
                incoming=incoming, actor=people["czhead"], accept=True, opinion="同意登记"
            )
        elif s == "propose" and handling == "handle":
            services.incoming_propose(incoming=incoming, actor=people["czhead"], proposal="拟请预算股办理")
        elif s == "instruct" and handling == "handle":
            services.incoming_instruct(
                incoming=incoming,
                actor=people["unitleader"],
                instruction="同意，请预算股抓紧落实",
                deadline_workdays=5,
            )
        elif s == "handle" and handling == "handle":
            services.incoming_handle(incoming=incoming, actor=people["czclerk"], opinion="已按要求落实")
        elif s == "circulate":
            services.incoming_circulation_done(incoming=incoming, actor=people["czclerk"])
        elif s == "finish":
            services.incoming_finish(
                incoming=incoming, actor=people["czclerk"], result="已办结，预算执行正常"
            )
    incoming.refresh_from_db()
    return incoming


def pdf_text(data: bytes) -> str:
    """The text of a PDF for assertions: the page text plus every table cell on its own (a cell
    that wraps interleaves with its neighbours in the plain text), without spaces and newlines."""
    import io

    import pdfplumber

    parts = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            parts.append(page.extract_text() or "")
            for table in page.extract_tables():
                parts.extend(cell or "" for row in table for cell in row)
    return "|".join(parts).replace(" ", "").replace("\n", "")
