"""The hand-written checker really rejects what the schema forbids (so the push tests can fail)."""

from __future__ import annotations

import copy
from typing import Any

from tongban.exchange.tests.schema_lite import check

CASE: dict[str, Any] = {
    "case_no": "T2026010100001",
    "county_code": "990009",
    "item": {"code": "X-1", "name": "食品经营许可"},
    "applicant": {"kind": "person", "name_masked": "张*"},
    "channel": "online",
    "department": {"code": "SCJ", "name": "市场监管局"},
    "status": "completed",
    "status_label": "已办结",
    "decision": "grant",
    "received_at": "2026-01-05T09:00:00+08:00",
    "accepted_on": "2026-01-05",
    "decided_on": "2026-01-08",
    "closed_at": "2026-01-09T10:00:00+08:00",
    "statutory_limit_days": 20,
    "committed_limit_days": 5,
    "due_statutory": "2026-02-02",
    "on_time": True,
    "updated_at": "2026-01-09T10:00:00+08:00",
}
BATCH: dict[str, Any] = {
    "schema": "tongban.exchange.push-batch/v1",
    "batch_id": "tb-approval_cases-1-1-0123456789ab",
    "kind": "approval_cases",
    "sequence": 1,
    "generated_at": "2026-01-09T10:05:00+08:00",
    "source": {"system": "tongban", "target": "省平台"},
    "count": 1,
    "records": [CASE],
}


def test_valid_batch_passes() -> None:
    assert check(BATCH) == []


def test_forbidden_things_fail() -> None:
    b = copy.deepcopy(BATCH)
    b["records"][0]["applicant"] = {
        "kind": "person",
        "name_masked": "张三",
        "id_number": "330102198001011234",
    }
    assert check(b)
    b = copy.deepcopy(BATCH)
    del b["records"][0]["on_time"]
    assert check(b)
    b = copy.deepcopy(BATCH)
    b["records"][0]["status"] = "lost"
    assert check(b)
    b = copy.deepcopy(BATCH)
    b["kind"] = "ping"
    assert check(b)
    b = copy.deepcopy(BATCH)
    b["generated_at"] = "2026-01-09 10:05"
    assert check(b)
