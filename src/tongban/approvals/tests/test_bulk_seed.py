"""The bulk case seeder (``manage.py seed_cases N``, ``seed_demo --cases N``): counts, the open
share in every state, unique tracking numbers in the daily series, lawful event sequences, and the
clock cache columns exactly as the clock computes them."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongban.approvals import bulk_seed, clock, testing
from tongban.approvals.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    ClockState,
    EventKind,
    ExtensionRequest,
    ItemStep,
    ServiceItem,
    SupplementRequest,
    TrackingCounter,
)
from tongban.core import clock as core_clock

pytestmark = pytest.mark.django_db

FIELDS = [f for f in clock.CACHE_FIELDS if f != "clock_version"]


def _world() -> testing.ApprovalWorld:
    w = testing.build_world()
    # a second unit's item on the simple process, without a certificate (no 第四十四条 clock)
    testing.published_item(
        w, code="330100-ZJJ-XK-002", name="户外广告设置审批", unit="zjj", statutory=20, committed=8,
        steps=[("decide", "决定", 8, True)], certificate_name="", process_key="approval-simple",
    )  # fmt: skip
    return w


def _cache_matches_clock(case: Case) -> None:
    stored = {f: getattr(case, f) for f in FIELDS}
    clock.refresh_case(case, save=False)
    computed = {f: getattr(case, f) for f in FIELDS}
    assert stored == computed, case.tracking_no


def test_seed_counts_open_share_numbers_and_clock_cache() -> None:
    w = _world()
    out = io.StringIO()
    result = bulk_seed.seed_cases(300, county=w.county, stdout=out, batch_size=120)
    assert result.created == 300 and result.rows["cases"] == 300
    assert "300/300" in out.getvalue()  # the progress bar

    assert Case.objects.count() == 300
    open_cases = list(Case.objects.filter(is_open=True).select_related("version"))
    assert len(open_cases) == 30  # 10 %
    assert {c.status for c in open_cases} <= set(OPEN_STATUSES)
    closed = Case.objects.filter(is_open=False)
    assert set(closed.values_list("status", flat=True)) <= {
        CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN,
    }  # fmt: skip
    assert not closed.filter(completed_at__isnull=True).exists()
    assert not Case.objects.filter(is_open=True, completed_at__isnull=False).exists()

    # 受理编号: unique, <county><yyyymmdd><serial> of the received day, counters moved on
    numbers = list(Case.objects.values_list("tracking_no", "received_at"))
    assert len({n for n, _at in numbers}) == 300
    last: dict[str, int] = {}
    for number, at in numbers:
        day = timezone.localdate(at)
        assert re.fullmatch(rf"{w.county.code}{day:%Y%m%d}\d{{5}}", number), number
        key = f"case:{day:%Y%m%d}"
        last[key] = max(last.get(key, 0), int(number[-5:]))
    counters = dict(TrackingCounter.objects.filter(county=w.county).values_list("key", "last"))
    assert counters == last

    # received dates over three years; open ones recent
    today = core_clock.today()
    received = [timezone.localdate(at) for _n, at in numbers]
    assert min(received) >= today.replace(year=today.year - 3)
    assert max(received) <= today

    # every case's clock cache is what the clock computes from its events
    for case in open_cases:
        _cache_matches_clock(case)
    for case in closed.select_related("version").order_by("?")[:40]:
        _cache_matches_clock(case)
        assert case.clock_state == ClockState.STOPPED and case.due_on is None

    # lights: what the sweep would show today
    for case in open_cases:
        if case.clock_state != ClockState.PAUSED:
            assert case.light == clock.light_on(
                case.due_on, case.warn_on, case.yellow_on, case.red_on, today, case.clock_state
            )
    # a case waiting for acceptance is inside its 5-day window (第三十二条)
    for case in open_cases:
        if case.clock_state == ClockState.PRE_ACCEPTANCE:
            assert case.preaccept_due is not None and case.preaccept_due >= today


def test_events_are_lawful_sequences() -> None:
    w = _world()
    bulk_seed.seed_cases(200, county=w.county, open_share=0.5)
    now = core_clock.now()
    by_case: dict[int, list[CaseEvent]] = {}
    for ev in CaseEvent.objects.order_by("case_id", "seq"):
        by_case.setdefault(ev.case_id, []).append(ev)
    assert len(by_case) == 200
    open_sizes = []
    statuses = dict(Case.objects.values_list("pk", "status"))
    for case_id, evs in by_case.items():
        assert [e.seq for e in evs] == list(range(1, len(evs) + 1))
        assert evs[0].kind == EventKind.RECEIVED
        ats = [e.at for e in evs]
        assert ats == sorted(ats) and ats[-1] <= now
        assert all(e.on == timezone.localdate(e.at) for e in evs)
        kinds = [e.kind for e in evs]
        status = statuses[case_id]
        if status == CaseStatus.COMPLETED:
            assert kinds[-1] == EventKind.COMPLETED and EventKind.DECIDED in kinds
        elif status == CaseStatus.REJECTED:
            assert kinds[-1] == EventKind.REJECTED
        elif status == CaseStatus.WITHDRAWN:
            assert kinds[-1] == EventKind.WITHDRAWN
        elif status == CaseStatus.PAUSED:
            assert kinds[-1] == EventKind.PAUSED
        elif status == CaseStatus.SUPPLEMENT:
            assert kinds[-1] == EventKind.SUPPLEMENT_REQUESTED
        elif status == CaseStatus.DECIDED:
            assert EventKind.DECIDED in kinds and EventKind.CERTIFICATE_ISSUED not in kinds
        if status in OPEN_STATUSES and status != CaseStatus.SUBMITTED:
            open_sizes.append(len(evs))
        # a pause is answered by a resume, except in a paused case; one extension at most
        assert kinds.count(EventKind.EXTENDED) <= 1
        assert kinds.count(EventKind.PAUSED) - kinds.count(EventKind.RESUMED) == (
            1 if status == CaseStatus.PAUSED else 0
        )
    # every open state is there, with realistic event sequences
    counts = Counter(statuses.values())
    for status in OPEN_STATUSES:
        assert counts[status] > 0, status
    assert 4 <= sum(open_sizes) / len(open_sizes) <= 15
    # the supplement requests and extensions the events refer to (data["request"], as handling writes it)
    sup_case = dict(SupplementRequest.objects.values_list("pk", "case_id"))
    ext_case = dict(ExtensionRequest.objects.values_list("pk", "case_id"))
    for ev in CaseEvent.objects.filter(kind__in=[EventKind.SUPPLEMENT_REQUESTED, EventKind.EXTENDED]):
        refs = sup_case if ev.kind == EventKind.SUPPLEMENT_REQUESTED else ext_case
        assert refs[ev.data["request"]] == ev.case_id
    assert SupplementRequest.objects.filter(answered_at__isnull=True).count() == counts[CaseStatus.SUPPLEMENT]
    assert ExtensionRequest.objects.count() == CaseEvent.objects.filter(kind=EventKind.EXTENDED).count()


def test_applicants_accounts_and_rerun() -> None:
    w = _world()
    bulk_seed.seed_cases(300, county=w.county)
    cases = list(Case.objects.values("applicant_kind", "applicant_id_number", "applicant_name", "account_id"))
    world_accounts = {w.citizen.pk, w.citizen2.pk, w.enterprise.pk}  # type: ignore[union-attr]
    for c in cases:
        if c["account_id"] in world_accounts:  # the test world's own numbers
            continue
        number = c["applicant_id_number"]
        assert len(number) == 18, c
        if c["applicant_kind"] == "person":  # GB 11643: MOD 11-2 check character
            assert number[:17].isdigit() and bulk_seed.id_check_char(number[:17]) == number[17], c
        else:  # GB 32100: MOD 31 check character
            assert bulk_seed.uscc_check_char(number[:17]) == number[17], c
    assert len({c["applicant_name"] for c in cases}) > 100  # varied
    assert any(c["account_id"] for c in cases)
    assert any(c["account_id"] is None for c in cases)  # counter-filed or without an account
    # the demo accounts get cases of their own (their ``my cases`` page is not empty)
    call_command("seed_cases", 6000, stdout=io.StringIO())
    assert Case.objects.filter(account=w.enterprise).exists()
    # "until there are N": nothing more, then the difference
    out = io.StringIO()
    call_command("seed_cases", 6000, stdout=out)
    assert "不再新增" in out.getvalue()
    assert Case.objects.count() == 6000
    call_command("seed_cases", 6050, stdout=io.StringIO())
    assert Case.objects.count() == 6050
    assert Case.objects.values("tracking_no").distinct().count() == 6050
    assert Case.objects.filter(is_open=True).count() == 600 + 5


def test_without_a_published_item_the_seeder_makes_a_few() -> None:
    w = testing.build_world(with_item=False)
    bulk_seed.seed_cases(50, county=w.county)
    assert Case.objects.count() == 50
    items = ServiceItem.objects.filter(county=w.county, status="published")
    assert items.count() == len(bulk_seed.FALLBACK_ITEMS)
    assert ItemStep.objects.filter(version__item__in=items).exists()
    for case in Case.objects.filter(is_open=True).select_related("version"):
        _cache_matches_clock(case)
