"""The annual report's request table (国办公开办函〔2021〕30号) computed from the requests: every
cell for three years, the organ filter and the balance."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tongban.interaction.disclosure_selectors import annual_table
from tongban.interaction.disclosure_table import ROWS, balance_errors
from tongban.interaction.models import DisclosureRequest
from tongban.interaction.testing import build_world

pytestmark = pytest.mark.django_db

ROWS_DATA = [
    # applicant type, organ, received, answered, outcome, reason
    ("person", "scj", date(2024, 12, 20), date(2025, 1, 10), "disclosed", ""),
    ("person", "scj", date(2024, 6, 1), date(2024, 6, 20), "partial", ""),
    ("business", "scj", date(2025, 3, 1), date(2025, 3, 20), "refused", "third_party"),
    ("business", "scj", date(2025, 12, 25), None, "", ""),
    ("research", "scj", date(2025, 5, 5), date(2025, 6, 1), "other", "no_supplement"),
    ("charity", "scj", date(2025, 12, 30), date(2026, 1, 15), "unavailable", "not_held"),
    ("legal", "scj", date(2025, 2, 2), date(2025, 2, 20), "not_processed", "duplicate"),
    ("other", "scj", date(2026, 2, 2), date(2026, 2, 10), "other", "fee_unpaid"),
    ("person", "scj", date(2023, 11, 1), None, "", ""),
    ("person", "zfb", date(2025, 4, 1), date(2025, 4, 10), "disclosed", ""),
]


@pytest.fixture
def w():
    w = build_world()
    for i, (kind, organ, received, answered, outcome, reason) in enumerate(ROWS_DATA):
        DisclosureRequest.objects.create(
            county=w.county, tracking_code=f"T{i}", organ=w.units[organ], applicant_type=kind, name="申请人",
            id_number="x", phone="13800000001", description="d", channel="online",
            submitted_at=timezone.now(), received_on=received, clock_start_on=received,
            status="answered" if answered else "processing", answered_on=answered, outcome=outcome,
            outcome_reason=reason,
        )  # fmt: skip
    return w


def _nonzero(table: dict) -> dict:
    return {(r, c): n for r, cols in table.items() for c, n in cols.items() if n}


def test_2025_every_cell(w):
    t = annual_table(w.county, 2025)
    assert _nonzero(t) == {
        ("new", "person"): 1, ("new", "business"): 2, ("new", "research"): 1, ("new", "charity"): 1,
        ("new", "legal"): 1, ("new", "total"): 6,
        ("carried_over", "person"): 2, ("carried_over", "total"): 2,
        ("disclosed", "person"): 2, ("disclosed", "total"): 2,
        ("refused", "business"): 1, ("refused", "total"): 1,
        ("refused.third_party", "business"): 1, ("refused.third_party", "total"): 1,
        ("not_processed", "legal"): 1, ("not_processed", "total"): 1,
        ("not_processed.duplicate", "legal"): 1, ("not_processed.duplicate", "total"): 1,
        ("other", "research"): 1, ("other", "total"): 1,
        ("other.no_supplement", "research"): 1, ("other.no_supplement", "total"): 1,
        ("handled_total", "person"): 2, ("handled_total", "business"): 1, ("handled_total", "research"): 1,
        ("handled_total", "legal"): 1, ("handled_total", "total"): 5,
        ("carried_forward", "person"): 1, ("carried_forward", "business"): 1, ("carried_forward", "charity"): 1,
        ("carried_forward", "total"): 3,
    }  # fmt: skip
    assert balance_errors(t) == []
    assert set(t) == {key for key, _l, _lv in ROWS}


def test_2024_and_2026(w):
    t = annual_table(w.county, 2024)
    assert _nonzero(t) == {
        ("new", "person"): 2, ("new", "total"): 2, ("carried_over", "person"): 1, ("carried_over", "total"): 1,
        ("partial", "person"): 1, ("partial", "total"): 1, ("handled_total", "person"): 1,
        ("handled_total", "total"): 1, ("carried_forward", "person"): 2, ("carried_forward", "total"): 2,
    }  # fmt: skip
    t = annual_table(w.county, 2026)
    assert _nonzero(t) == {
        ("new", "other"): 1, ("new", "total"): 1,
        ("carried_over", "person"): 1, ("carried_over", "business"): 1, ("carried_over", "charity"): 1,
        ("carried_over", "total"): 3,
        ("unavailable", "charity"): 1, ("unavailable", "total"): 1,
        ("unavailable.not_held", "charity"): 1, ("unavailable.not_held", "total"): 1,
        ("other", "other"): 1, ("other", "total"): 1, ("other.fee_unpaid", "other"): 1, ("other.fee_unpaid", "total"): 1,
        ("handled_total", "charity"): 1, ("handled_total", "other"): 1, ("handled_total", "total"): 2,
        ("carried_forward", "person"): 1, ("carried_forward", "business"): 1, ("carried_forward", "total"): 2,
    }  # fmt: skip
    for year in (2022, 2023, 2024, 2025, 2026, 2027):
        assert balance_errors(annual_table(w.county, year)) == []


def test_organ_filter(w):
    t = annual_table(w.county, 2025, organ=w.units["scj"])
    assert t["new"]["person"] == 0 and t["disclosed"]["person"] == 1 and t["new"]["total"] == 5
    assert balance_errors(t) == []
    z = annual_table(w.county, 2025, organ=w.units["zfb"])
    assert z["new"]["total"] == 1 and z["disclosed"]["total"] == 1 and z["carried_forward"]["total"] == 0


def test_parent_rows_are_the_sums_of_their_reasons(w):
    t = annual_table(w.county, 2025)
    for parent in ("refused", "unavailable", "not_processed", "other"):
        kids = [k for k, _l, lv in ROWS if k.startswith(parent + ".")]
        for col in t[parent]:
            assert t[parent][col] == sum(t[k][col] for k in kids)


def test_query_count(w, django_assert_num_queries):
    with django_assert_num_queries(1):
        annual_table(w.county, 2025)
