"""收文 pages: authorization matrix (anonymous / wrong role / right role) with nothing changed for
the refused, and every step through the forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.receiving.models import IncomingDocument
from tongban.receiving.tests.conftest import run_to

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_list_matrix(client, incoming, people):
    url = reverse("receiving:list")
    assert client.get(url).status_code == 302  # anonymous → login
    r = _as(client, people["rsclerk"]).get(url + "?tab=pending")
    assert r.status_code == 200 and incoming.title not in r.content.decode()
    r = _as(client, people["czclerk"]).get(url + "?tab=pending")
    body = r.content.decode()
    assert r.status_code == 200 and incoming.title in body and "手工登记来文" in body
    r = _as(client, people["czclerk"]).get(url + "?tab=processing&q=无此标题&page=9")
    assert r.status_code == 200


def test_detail_and_downloads_matrix(client, incoming, people):
    urls = [
        reverse("receiving:detail", args=[incoming.pk]),
        reverse("receiving:slip", args=[incoming.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
        assert _as(client, people["rsclerk"]).get(url).status_code == 404
        client.logout()
        assert _as(client, people["unitleader"]).get(url).status_code == 200
        client.logout()
    r = _as(client, people["czclerk"]).get(urls[0])
    body = r.content.decode()
    assert "请认真做好预算执行工作" in body and "<script>alert(1)" not in body
    assert 'id="rc-sign"' in body
    r = client.get(reverse("receiving:source_pdf", args=[incoming.pk]))
    assert r.status_code == 404  # no sealed PDF in this fixture


def test_sign_matrix(client, incoming, people):
    url = reverse("receiving:sign", args=[incoming.pk])
    assert client.post(url, {"copies": 2}).status_code == 302
    assert _as(client, people["rsclerk"]).post(url, {"copies": 2}).status_code == 404
    client.logout()
    _as(client, people["unitleader"]).post(url, {"copies": 2})  # sees it, but is not the clerk
    incoming.refresh_from_db()
    assert incoming.status == "pending" and incoming.signed_at is None
    client.logout()
    r = _as(client, people["czclerk"]).post(url, {"copies": 2})
    assert r.status_code == 302
    incoming.refresh_from_db()
    assert incoming.status == "processing" and incoming.copies == 2


def test_steps_through_the_forms(client, incoming, people, units):
    incoming = run_to(incoming, people, "register")
    step = lambda s: reverse("receiving:step", args=[incoming.pk, s])  # noqa: E731
    # the wrong person: nothing happens
    r = _as(client, people["unitleader"]).post(step("register"), {"handling": "handle"})
    assert r.status_code == 400
    incoming.refresh_from_db()
    assert incoming.register_no == ""
    client.logout()
    assert _as(client, people["czclerk"]).post(step("register"), {"handling": "handle"}).status_code == 302
    client.logout()
    _as(client, people["czhead"])
    assert client.post(step("review"), {"decision": "pass", "opinion": "同意"}).status_code == 302
    assert client.post(step("propose"), {"proposal": "拟请预算股办理"}).status_code == 302
    client.logout()
    _as(client, people["unitleader"])
    r = client.post(
        step("instruct"),
        {"instruction": "同意", "lead_unit": units["财政局"].pk, "deadline_workdays": 3},
    )
    assert r.status_code == 302
    client.logout()
    _as(client, people["czclerk"])
    assert client.post(step("handle"), {"opinion": ""}).status_code == 400
    assert client.post(step("handle"), {"opinion": "已落实"}).status_code == 302
    r = client.post(
        reverse("receiving:circulate", args=[incoming.pk]), {"readers": [people["unitleader"].pk]}
    )
    assert r.status_code == 302
    assert client.post(step("circulate"), {}).status_code == 302
    assert client.post(step("finish"), {"result": "办结"}).status_code == 302
    assert client.post(step("archive"), {"retention": "10y"}).status_code == 302
    incoming.refresh_from_db()
    assert incoming.status == "archived" and incoming.retention == "10y"
    client.logout()
    _as(client, people["unitleader"])
    r = client.post(reverse("receiving:read", args=[incoming.pk]))
    assert r.status_code == 302
    r = client.get(reverse("receiving:detail", args=[incoming.pk]))
    assert "已阅" in r.content.decode()


def test_external_registration_matrix(client, people, units):
    url = reverse("receiving:new")
    data = {
        "source_organ": "市财政局",
        "title": "关于下达资金的通知",
        "copies": 1,
        "kind": "main",
        "handling": "handle",
    }
    assert client.post(url, data).status_code == 302 and not IncomingDocument.objects.exists()
    assert _as(client, people["unitleader"]).post(url, data).status_code == 404
    assert not IncomingDocument.objects.exists()
    client.logout()
    r = _as(client, people["czclerk"]).post(url, data)
    assert r.status_code == 302
    inc = IncomingDocument.objects.get()
    assert inc.unit == units["财政局"] and inc.signed_by == people["czclerk"]


def test_distribution_page_matrix(client, incoming, people):
    url = reverse("receiving:distribution", args=[incoming.source_id])
    assert client.get(url).status_code == 302
    assert _as(client, people["czclerk"]).get(url).status_code == 404
    client.logout()
    r = _as(client, people["clerk"]).get(url)
    assert r.status_code == 200 and "财政局" in r.content.decode()


def test_circulate_and_read_matrix(client, incoming, people):
    from tongban.workflow.models import WorkItem

    incoming = run_to(incoming, people, "circulate")
    url = reverse("receiving:circulate", args=[incoming.pk])
    data = {"readers": [people["unitleader"].pk]}
    assert client.post(url, data).status_code == 302  # anonymous → login
    assert _as(client, people["rsclerk"]).post(url, data).status_code == 404
    client.logout()
    assert _as(client, people["unitleader"]).post(url, data).status_code == 400  # not their step
    assert not WorkItem.objects.filter(instance=incoming.instance, kind="read").exists()
    client.logout()
    assert _as(client, people["czclerk"]).post(url, data).status_code == 302
    assert WorkItem.objects.filter(instance=incoming.instance, kind="read", status="open").count() == 1
    read = reverse("receiving:read", args=[incoming.pk])
    client.post(read)  # czclerk has no reading item: nothing happens
    assert WorkItem.objects.filter(instance=incoming.instance, kind="read", status="open").count() == 1
    client.logout()
    assert client.post(read).status_code == 302
    assert WorkItem.objects.filter(instance=incoming.instance, kind="read", status="open").count() == 1
    _as(client, people["unitleader"]).post(read)
    assert WorkItem.objects.filter(instance=incoming.instance, kind="read", status="done").count() == 1


def test_external_file_matrix(client, people, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.receiving import services

    inc = services.incoming_register_external(
        actor=people["czclerk"],
        unit=units["财政局"],
        source_organ="市财政局",
        title="关于下达资金的通知",
        file=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 test"),
    )
    url = reverse("receiving:file", args=[inc.pk])
    assert client.get(url).status_code == 302
    assert _as(client, people["rsclerk"]).get(url).status_code == 404
    client.logout()
    r = _as(client, people["unitleader"]).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")


def test_assigned_tab_lists_documents_a_unit_handles_for_another(client, issue, units, people):
    from tongban.receiving import services

    doc = issue(main=["政府办"], title="关于请财政局牵头落实的通知")
    inc = IncomingDocument.objects.get(source=doc, unit=units["政府办"])
    zfclerk, zfhead = people["clerk"], people["officehead"]
    services.incoming_sign(incoming=inc, actor=zfclerk)
    services.incoming_register(incoming=inc, actor=zfclerk)
    services.incoming_review(incoming=inc, actor=zfhead, accept=True)
    services.incoming_propose(incoming=inc, actor=zfhead, proposal="拟请财政局牵头")
    from tongban.receiving.tests.conftest import holder

    services.incoming_instruct(
        incoming=inc,
        actor=holder(units["政府办"], "unit_leader"),
        instruction="请财政局牵头办理",
        lead_unit=units["财政局"],
        deadline_workdays=3,
    )
    r = _as(client, people["czclerk"]).get(
        reverse("receiving:list") + f"?unit={units['财政局'].pk}&tab=assigned"
    )
    assert r.status_code == 200 and "关于请财政局牵头落实的通知" in r.content.decode()
    client.logout()
    r = _as(client, people["rsclerk"]).get(reverse("receiving:list") + "?tab=assigned")
    assert "关于请财政局牵头落实的通知" not in r.content.decode()


def test_list_queries_do_not_grow_with_rows(client, issue, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issue(title="通知0", doc_number="青政办发〔2026〕100号")
    _as(client, people["czclerk"])
    url = reverse("receiving:list") + "?tab=pending"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(1, 8):
        issue(title=f"通知{i}", doc_number=f"青政办发〔2026〕{100 + i}号")
    with CaptureQueriesContext(connection) as many:
        r = client.get(url)
    assert r.content.decode().count("通知") >= 8
    assert len(many) == len(one)
