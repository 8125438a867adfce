"""/api/v1/workflow/: inbox, item detail with route, every operation, delegations, definitions —
with an authorization matrix (anonymous / wrong person / right person) for each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongban.workflow import services as wf
from tongban.workflow.models import Delegation, ProcessDefinition, WorkItem, WorkItemStatus

API = "/api/v1/workflow"
BPMN = Path(__file__).parent / "bpmn"


def _c(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _review(org: Any, start: Any) -> tuple[Any, WorkItem]:
    inst = start(amount=5, countersign_units=[])
    wf.item_complete(
        item=WorkItem.objects.get(instance=inst, step="draft"), actor=org.clerk, opinion="请审核"
    )
    return inst, WorkItem.objects.get(instance=inst, step="review", status="open")


def _snapshot() -> list[Any]:
    return list(
        WorkItem.objects.order_by("pk").values_list("pk", "status", "assignee_id", "last_urged_at", "read_at")
    )


def test_openapi_documents_the_workflow_endpoints(db: Any) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/api/v1/workflow/inbox/{box}",
        "/api/v1/workflow/inbox/counts",
        "/api/v1/workflow/items/{item_id}",
        "/api/v1/workflow/items/{item_id}/complete",
        "/api/v1/workflow/items/{item_id}/return",
        "/api/v1/workflow/items/{item_id}/transfer",
        "/api/v1/workflow/items/{item_id}/withdraw",
        "/api/v1/workflow/items/{item_id}/add-signer",
        "/api/v1/workflow/items/{item_id}/cc",
        "/api/v1/workflow/items/{item_id}/read",
        "/api/v1/workflow/items/{item_id}/urge",
        "/api/v1/workflow/delegations",
        "/api/v1/workflow/definitions",
    ):
        assert p in paths, p


def test_inbox_and_counts(org: Any, start: Any) -> None:
    inst, review = _review(org, start)
    assert _c(None).get(f"{API}/inbox/todo").status_code == 401
    body = _c(org.head).get(f"{API}/inbox/todo").json()
    assert body["count"] == 1 and body["items"][0]["id"] == review.pk
    assert body["items"][0]["pooled_role"] == "office_head"
    assert body["items"][0]["subject_url"] == f"/workflow/test-subject/{inst.subject_id}/"
    assert _c(org.other).get(f"{API}/inbox/todo").json()["count"] == 0
    assert _c(org.head).get(f"{API}/inbox/counts").json() == {"todo": 1, "toread": 0}
    started = _c(org.clerk).get(f"{API}/inbox/started").json()
    assert (
        started["instances"][0]["id"] == inst.pk
        and started["instances"][0]["definition_key"] == "test.simple"
    )
    assert _c(org.clerk).get(f"{API}/inbox/done").json()["items"][0]["step"] == "draft"
    assert _c(org.clerk).get(f"{API}/inbox/nonsense").status_code == 422


def test_item_detail_matrix(org: Any, start: Any) -> None:
    _inst, review = _review(org, start)
    assert _c(None).get(f"{API}/items/{review.pk}").status_code == 401
    assert _c(org.other).get(f"{API}/items/{review.pk}").status_code == 404
    body = _c(org.head).get(f"{API}/items/{review.pk}").json()
    assert set(body["actions"]) >= {"complete", "return", "transfer", "add_signer", "cc"}
    assert body["returnable_steps"] == [{"step": "draft", "name": "拟稿"}]
    assert [r["step"] for r in body["route"]] == ["draft", "review"]
    assert body["route"][0]["opinion"] == "请审核"


OPS = [
    ("complete", {"opinion": "同意", "next_assignees": ["LEADER"]}),
    ("return", {"to_step": "draft", "opinion": "请修改"}),
    ("transfer", {"to_user": "OTHER"}),
    ("add-signer", {"signer": "OTHER"}),
    ("cc", {"users": ["OTHER"]}),
    ("urge", {"message": "快"}),
    ("read", {}),
]


@pytest.mark.parametrize(("op", "payload"), OPS)
def test_operation_matrix(org: Any, start: Any, op: str, payload: dict[str, Any]) -> None:
    _inst, review = _review(org, start)

    def fill(v: Any) -> Any:
        if isinstance(v, list):
            return [fill(x) for x in v]
        return {"OTHER": org.other.pk, "LEADER": org.leader.pk}.get(v, v) if isinstance(v, str) else v

    payload = {k: fill(v) for k, v in payload.items()}
    url = f"{API}/items/{review.pk}/{op}"
    before = _snapshot()
    assert _c(None).post(url, payload, content_type="application/json").status_code == 401
    assert _c(org.other).post(url, payload, content_type="application/json").status_code == 404
    if op not in ("urge", "cc"):  # the starter may see the item (and urge, cc) but not act on it
        resp = _c(org.clerk).post(url, payload, content_type="application/json")
        assert resp.status_code in (403, 400) or op == "read", resp.content
    assert _snapshot() == before or op == "read"
    actor = org.clerk if op == "urge" else org.head
    resp = _c(actor).post(url, payload, content_type="application/json")
    assert resp.status_code in (200, 204), resp.content
    assert _snapshot() != before


def test_withdraw_matrix(org: Any, start: Any) -> None:
    inst, review = _review(org, start)
    draft = WorkItem.objects.get(instance=inst, step="draft")
    url = f"{API}/items/{draft.pk}/withdraw"
    assert _c(None).post(url).status_code == 401
    assert _c(org.other).post(url).status_code == 404
    assert _c(org.head).post(url).status_code == 404  # not theirs to see (they never handled the draft)
    assert WorkItem.objects.get(pk=review.pk).status == WorkItemStatus.OPEN
    resp = _c(org.clerk).post(url)
    assert resp.status_code == 200 and resp.json()["step"] == "draft" and resp.json()["status"] == "open"


def test_refused_operation_gives_code_and_changes_nothing(org: Any, start: Any) -> None:
    _inst, review = _review(org, start)
    before = _snapshot()
    resp = _c(org.head).post(
        f"{API}/items/{review.pk}/complete", {"opinion": "x"}, content_type="application/json"
    )
    assert resp.status_code == 400 and resp.json()["code"] == "workflow.choose_next"
    resp = _c(org.head).post(
        f"{API}/items/{review.pk}/return",
        {"to_step": "sign", "opinion": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["code"] == "workflow.bad_step"
    assert _snapshot() == before


def test_delegations_api(org: Any) -> None:
    today = timezone.localdate().isoformat()
    body = {"delegate": org.edu_leader.pk, "starts_on": today, "ends_on": today}
    assert _c(None).post(f"{API}/delegations", body, content_type="application/json").status_code == 401
    resp = _c(org.leader).post(f"{API}/delegations", body, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["delegate"]["name"] == "陈局长"
    d = Delegation.objects.get(user=org.leader)
    assert _c(org.leader).get(f"{API}/delegations").json()[0]["id"] == d.pk
    assert _c(org.other).get(f"{API}/delegations").json() == []
    assert _c(org.other).post(f"{API}/delegations/{d.pk}/revoke").status_code == 404
    assert Delegation.objects.get(pk=d.pk).revoked_at is None
    assert _c(org.leader).post(f"{API}/delegations/{d.pk}/revoke").json()["revoked_at"]


def test_definitions_api_matrix(org: Any, start: Any) -> None:
    start()
    good = (BPMN / "simple.bpmn").read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    def up(user: Any, content: bytes) -> Any:
        return _c(user).post(
            f"{API}/definitions", {"key": "test.simple", "bpmn": SimpleUploadedFile("x.bpmn", content)}
        )

    n = ProcessDefinition.objects.count()
    assert _c(None).get(f"{API}/definitions").status_code == 401
    assert _c(org.clerk).get(f"{API}/definitions").status_code == 403
    assert _c(org.sysadmin).get(f"{API}/definitions").status_code == 403
    assert up(None, good).status_code == 401
    assert up(org.clerk, good).status_code == 403
    assert up(org.sysadmin, good).status_code == 403
    bad = up(org.secadmin, good.replace(b'value="starter"', b'value="nobody"'))
    assert bad.status_code == 400 and bad.json()["problems"][0]["line"]
    assert ProcessDefinition.objects.count() == n
    ok = up(org.secadmin, good)
    assert ok.status_code == 201 and ok.json()["version"] == 2
    rows = _c(org.secadmin).get(f"{API}/definitions").json()
    assert any(r["key"] == "test.simple" and r["is_active"] and r["version"] == 2 for r in rows)
    xml = _c(org.secadmin).get(f"{API}/definitions/{ok.json()['id']}/xml")
    assert xml.status_code == 200 and b"wf_test" in xml.content
    assert _c(org.clerk).get(f"{API}/definitions/{ok.json()['id']}/xml").status_code == 403
