"""How receiving plugs into the others: the 核发 hook, document visibility, search, the workbench."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.documents import hooks
from tongban.documents import selectors as doc_selectors
from tongban.documents.models import Document, Recipient
from tongban.receiving import services
from tongban.receiving.models import IncomingDocument
from tongban.receiving.tests.conftest import run_to

pytestmark = pytest.mark.django_db


def test_the_issue_hook_reaches_the_listener(county, accounts, units):
    doc = Document.objects.create(
        county=county,
        unit=units["政府办"],
        created_by=accounts["clerk"],
        title="关于……的通知",
        status="issued",
    )
    rec = [Recipient.objects.create(document=doc, kind="main", unit=units["财政局"])]
    hooks.fire_issued(document=doc, recipients=rec, actor=accounts["clerk"])
    assert IncomingDocument.objects.filter(source=doc, unit=units["财政局"]).exists()


def test_recipient_handlers_see_the_source_document(incoming, people):
    assert doc_selectors.visible_documents(people["czclerk"]).filter(pk=incoming.source_id).exists()
    assert not doc_selectors.visible_documents(people["rsclerk"]).filter(pk=incoming.source_id).exists()


def test_registered_incoming_is_searchable(incoming, people):
    from tongban.search.models import SearchEntry

    incoming = run_to(incoming, people, "review")
    entry = SearchEntry.objects.get(kind="receiving.incoming", object_id=incoming.pk)
    assert incoming.register_no in entry.number and entry.title == incoming.title
    from tongban.search.selectors import search

    def found(user):
        results = search(user=user, q="预算执行", kind="receiving.incoming")
        return [hit.object_id for hit in results.hits]

    assert incoming.pk in found(people["czclerk"])
    assert incoming.pk not in found(people["rsclerk"])


def test_workbench_panel_and_nav_badge(client, incoming, people):
    client.force_login(people["czclerk"])
    body = client.get("/").content.decode()
    assert "收文待签收" in body and incoming.title in body
    assert reverse("receiving:list") in body
    client.force_login(people["supervisor"])
    assert "收文待签收" not in client.get("/").content.decode()


def test_classified_source_is_for_its_named_readers(issue, units, people, client):
    doc = issue(title="关于……的通知（秘密）", secrecy="秘密", secrecy_period="1年")
    inc = IncomingDocument.objects.get(source=doc, unit=units["财政局"])
    client.force_login(people["czclerk"])
    body = client.get(reverse("receiving:detail", args=[inc.pk])).content.decode()
    assert 'id="rc-source-hidden"' in body and "请认真做好预算执行工作" not in body
    doc.named_readers.add(people["czclerk"])
    body = client.get(reverse("receiving:detail", args=[inc.pk])).content.decode()
    assert "请认真做好预算执行工作" in body
    from tongban.core.models import AuditRecord

    assert AuditRecord.objects.filter(event="receiving.viewed_classified", object_id=str(inc.pk)).count() == 2
    services.incoming_sign(incoming=inc, actor=people["czclerk"])  # the copy itself is handled as usual
