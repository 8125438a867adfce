"""Pushing to a receiver the test starts on loopback: signed batches valid against the JSON
Schema, personal data masked, watermarks, retries with exponential backoff under one stable batch
id, giving up (notified, stream stopped), requeueing, disclosure statistics by month and organ."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.approvals.models import Case, CaseStatus
from tongban.approvals.testing import ENTERPRISE_CODE, ApprovalWorld, build_world, new_case
from tongban.exchange import push
from tongban.exchange.models import DeliveryStatus, ExchangeDelivery, ExchangeTarget, Watermark
from tongban.exchange.receiver import Receiver
from tongban.exchange.tests.schema_lite import check
from tongban.identity.models import User
from tongban.interaction.models import DisclosureRequest
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db

SECRET = "test-secret-0123456789abcdef"


@pytest.fixture
def w() -> ApprovalWorld:
    return build_world()


def _target(url: str, **kw: Any) -> ExchangeTarget:
    defaults = {"name": "省平台", "url": url, "secret": SECRET, "enabled": True, "push_disclosure": False}
    defaults.update(kw)
    return ExchangeTarget.objects.create(**defaults)


def _finish(case: Case, *, decided: date, due: date) -> None:
    case.status = CaseStatus.COMPLETED
    case.is_open = False
    case.decision = "grant"
    case.accepted_on = case.received_on
    case.decided_on = decided
    case.due_statutory = due
    case.completed_at = timezone.make_aware(datetime.combine(decided, datetime.min.time())) + timedelta(
        hours=10
    )
    case.save()


def test_cases_pushed_signed_masked_and_valid(w: ApprovalWorld) -> None:
    person = new_case(w)
    firm = new_case(w, account=w.enterprise)
    late = new_case(w)
    _finish(person, decided=date(2026, 1, 8), due=date(2026, 2, 2))
    _finish(late, decided=date(2026, 2, 3), due=date(2026, 2, 2))
    with Receiver(SECRET) as r:
        target = _target(r.url)
        result = push.run_target(target)
    assert (result.sent, result.failed) == (1, 0)
    assert len(r.state.requests) == 1
    req = r.state.requests[0]
    assert req.signature_ok
    assert req.headers["X-Tongban-Signature"] == push.sign(SECRET, req.body)
    body = req.json()
    assert check(body) == []
    assert body["kind"] == "approval_cases" and body["count"] == 3 and body["sequence"] == 1
    delivery = ExchangeDelivery.objects.get()
    assert body["batch_id"] == req.headers["X-Tongban-Batch-Id"] == delivery.batch_id
    records = {rec["case_no"]: rec for rec in body["records"]}
    assert records[person.tracking_no]["applicant"] == {"kind": "person", "name_masked": "张*"}
    assert records[firm.tracking_no]["applicant"] == {
        "kind": "enterprise",
        "name": "青山县好味餐饮有限公司",
        "credit_code": ENTERPRISE_CODE,
    }
    text = req.body.decode("utf-8")
    for secret_bit in ("330102198001011234", "13800000001", "张明"):
        assert secret_bit not in text
    assert records[person.tracking_no]["on_time"] is True
    assert records[late.tracking_no]["on_time"] is False
    assert records[firm.tracking_no]["on_time"] is None
    assert records[person.tracking_no]["statutory_limit_days"] == 20
    assert records[person.tracking_no]["department"] == {"code": "SCJ", "name": "青山县市场监督管理局"}
    assert records[person.tracking_no]["item"] == {
        "code": "330100-SCJ-XK-001",
        "name": "食品经营许可（新办）",
    }
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    attempt = delivery.attempt_rows.get()
    assert attempt.http_status == 200 and attempt.ok and '"ok": true' in attempt.response_excerpt
    wm = Watermark.objects.get(target=target, kind="approval_cases")
    assert wm.changed_at is not None and wm.last_success_at is not None

    # nothing changed: nothing sent; one case changes: a batch with that case only
    with Receiver(SECRET) as r2:
        target.url = r2.url
        target.save()
        assert push.run_target(target).sent == 0
        assert r2.state.requests == []
        firm.title = "变更"
        firm.save()
        assert push.run_target(target).sent == 1
    body2 = r2.state.requests[0].json()
    assert [rec["case_no"] for rec in body2["records"]] == [firm.tracking_no]
    assert body2["sequence"] == 2 and body2["batch_id"] != body["batch_id"]


def test_batches_follow_batch_size_in_order(w: ApprovalWorld) -> None:
    cases = [new_case(w) for _i in range(5)]
    with Receiver(SECRET) as r:
        target = _target(r.url, batch_size=2)
        assert push.run_target(target).sent == 3
    got = [[rec["case_no"] for rec in req.json()["records"]] for req in r.state.requests]
    assert got == [
        [c.tracking_no for c in cases[0:2]],
        [c.tracking_no for c in cases[2:4]],
        [cases[4].tracking_no],
    ]
    assert [req.json()["sequence"] for req in r.state.requests] == [1, 2, 3]


def test_retries_with_backoff_under_one_batch_id(w: ApprovalWorld, settings: Any) -> None:
    settings.TONGBAN_EXCHANGE_RETRY_SECONDS = 60
    new_case(w)
    t0 = timezone.now()
    with Receiver(SECRET, fail_first=2) as r:
        target = _target(r.url, max_attempts=5)
        assert push.run_target(target, now=t0).failed == 1
        d = ExchangeDelivery.objects.get()
        assert (d.status, d.attempts, d.next_attempt_at) == (
            DeliveryStatus.RETRYING,
            1,
            t0 + timedelta(seconds=60),
        )
        assert push.run_target(target, now=t0 + timedelta(seconds=30)).waiting == 1  # not due yet
        assert len(r.state.requests) == 1
        push.run_target(target, now=t0 + timedelta(seconds=61))
        d.refresh_from_db()
        assert (d.status, d.attempts) == (DeliveryStatus.RETRYING, 2)
        assert d.next_attempt_at == t0 + timedelta(seconds=61 + 120)  # 60 × 2^(2−1)
        assert not Watermark.objects.get(target=target).last_success_at
        assert push.run_target(target, now=t0 + timedelta(seconds=61 + 121)).sent == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == (DeliveryStatus.SENT, 3)
    assert [a.http_status for a in d.attempt_rows.order_by("number")] == [503, 503, 200]
    assert len({req.headers["X-Tongban-Batch-Id"] for req in r.state.requests}) == 1
    assert len({req.body for req in r.state.requests}) == 1  # the same bytes, the same signature
    assert r.state.duplicates == 0
    assert Watermark.objects.get(target=target).last_success_at is not None


def test_gives_up_notifies_and_stops_the_stream_until_requeued(w: ApprovalWorld) -> None:
    admin = User.objects.create_user(
        username="sysadm", password="x", full_name="系统管理员", admin_role="system"
    )
    new_case(w)
    t0 = timezone.now()
    with Receiver(SECRET, fail_first=100) as r:
        target = _target(r.url, max_attempts=2)
        push.run_target(target, now=t0)
        push.run_target(target, now=t0 + timedelta(seconds=61))
        d = ExchangeDelivery.objects.get()
        assert d.status == DeliveryStatus.FAILED and d.attempts == 2 and d.next_attempt_at is None
        note = Notification.objects.get(user=admin, event="exchange.push_failed")
        assert d.batch_id in note.body
        new_case(w)
        push.run_target(target, now=t0 + timedelta(days=1))
        assert len(r.state.requests) == 2  # stopped: neither the failed batch nor a newer one is sent
        assert ExchangeDelivery.objects.count() == 1
        push.delivery_requeue(actor=admin, delivery=d)
        r.state.fail_first = 0
        result = push.run_target(target, now=t0 + timedelta(days=1))
    assert result.sent == 2
    assert list(ExchangeDelivery.objects.order_by("sequence").values_list("status", "sequence")) == [
        ("sent", 1),
        ("sent", 2),
    ]
    assert [a.number for a in d.attempt_rows.order_by("number")] == [1, 2, 3]


def test_unreachable_target_is_logged(w: ApprovalWorld) -> None:
    new_case(w)
    with Receiver(SECRET) as r:
        url = r.url
    target = _target(url)  # the receiver is gone: connection refused
    push.run_target(target)
    d = ExchangeDelivery.objects.get()
    attempt = d.attempt_rows.get()
    assert attempt.http_status is None and attempt.error and not attempt.ok
    assert d.status == DeliveryStatus.RETRYING and d.last_error


def test_wrong_secret_is_refused_by_the_receiver(w: ApprovalWorld) -> None:
    new_case(w)
    with Receiver("another-secret-000000") as r:
        push.run_target(_target(r.url))
    assert r.state.requests[0].signature_ok is False
    assert ExchangeDelivery.objects.get().attempt_rows.get().http_status == 401


def _disclosure(
    w: ApprovalWorld,
    i: int,
    kind: str,
    received: date,
    answered: date | None = None,
    outcome: str = "",
    reason: str = "",
    on_time: bool | None = None,
) -> DisclosureRequest:
    return DisclosureRequest.objects.create(
        county=w.county, tracking_code=f"D{i}", organ=w.units["scj"], applicant_type=kind, name="王某某",
        id_number="330102198001011234", phone="13800000009", description="d", channel="online",
        submitted_at=timezone.now(), received_on=received, clock_start_on=received,
        status="answered" if answered else "processing", answered_on=answered, outcome=outcome,
        outcome_reason=reason, on_time=on_time,
    )  # fmt: skip


def test_disclosure_statistics_by_month_and_organ(w: ApprovalWorld) -> None:
    _disclosure(w, 1, "person", date(2026, 3, 5), date(2026, 3, 20), "disclosed", on_time=True)
    _disclosure(
        w, 2, "business", date(2026, 3, 10), date(2026, 4, 2), "refused", "third_party", on_time=False
    )
    third = _disclosure(w, 3, "person", date(2026, 4, 1))
    with Receiver(SECRET) as r:
        target = _target(r.url, push_cases=False, push_disclosure=True)
        assert push.run_target(target).sent == 1
        body = r.state.requests[0].json()
        assert check(body) == []
        assert body["kind"] == "disclosure_stats"
        recs = {rec["period"]: rec for rec in body["records"]}
        assert set(recs) == {"2026-03", "2026-04"}
        march, april = recs["2026-03"], recs["2026-04"]
        assert march["organ"] == {"code": "SCJ", "name": "青山县市场监督管理局"}
        assert (march["period_start"], march["period_end"]) == ("2026-03-01", "2026-03-31")
        assert march["received"] == {
            "person": 1, "business": 1, "research": 0, "charity": 0, "legal": 0, "other": 0, "total": 2
        }  # fmt: skip
        assert march["handled"]["disclosed"]["person"] == 1 and march["handled"]["disclosed"]["total"] == 1
        assert march["handled"]["refused"]["total"] == 0
        assert (march["answered_total"], march["answered_on_time"], march["answered_overdue"]) == (1, 1, 0)
        assert april["received"]["person"] == 1 and april["received"]["total"] == 1
        assert april["handled"]["refused"]["business"] == 1
        assert april["handled_reasons"] == {"refused.third_party": 1}
        assert (april["answered_total"], april["answered_on_time"], april["answered_overdue"]) == (1, 0, 1)
        assert "330102198001011234" not in r.state.requests[0].body.decode("utf-8")

        # the April request is answered: only April is recomputed and sent again
        third.status, third.answered_on, third.outcome, third.on_time = (
            "answered",
            date(2026, 4, 9),
            "partial",
            True,
        )
        third.save()
        assert push.run_target(target).sent == 1
    again = r.state.requests[1].json()
    assert [rec["period"] for rec in again["records"]] == ["2026-04"]
    april2 = again["records"][0]
    assert april2["handled"]["partial"]["person"] == 1
    assert (april2["answered_total"], april2["answered_on_time"], april2["answered_overdue"]) == (2, 1, 1)


def test_connection_test_and_disabled_target_not_pushed(w: ApprovalWorld) -> None:
    admin = User.objects.create_user(
        username="sysadm", password="x", full_name="系统管理员", admin_role="system"
    )
    new_case(w)
    with Receiver(SECRET) as r:
        target = _target(r.url, enabled=False)
        result = push.target_test(actor=admin, target=target)
        assert result.ok
        ping = r.state.requests[0].json()
        assert check(ping) == [] and ping["kind"] == "ping" and ping["records"] == []
        assert push.run_all() == "no targets"
    target.refresh_from_db()
    assert target.last_test_ok is True and target.last_test_message.startswith("HTTP 200")
    assert not ExchangeDelivery.objects.exists()
    assert len(r.state.requests) == 1
