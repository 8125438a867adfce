"""好差评: one rating per finished case, five levels and four online criteria, the supervision
hook called inside the transaction."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tongban.approvals import applying, hooks, testing
from tongban.approvals.models import Case, CaseRating, CaseStatus
from tongban.core.errors import NotFound, TongbanError

pytestmark = pytest.mark.django_db

GOOD = {"level": 5, "efficiency": 5, "guide_accuracy": 4, "convenience": 5, "operability": 4}


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()


@pytest.fixture
def w():
    return testing.build_world()


@pytest.fixture
def seen():
    got: list[CaseRating] = []
    hooks.register_rating_listener("test", got.append)
    yield got
    hooks._RATING_LISTENERS.pop("test", None)


def finish(case, status=CaseStatus.COMPLETED, **extra):
    Case.objects.filter(pk=case.pk).update(status=status, is_open=False, **extra)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("status", [CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SUPPLEMENT])
def test_open_case_cannot_be_rated(w, seen, status):
    case = testing.new_case(w)
    Case.objects.filter(pk=case.pk).update(status=status)
    with pytest.raises(TongbanError) as exc:
        applying.case_rate(case=case, account=w.citizen, **GOOD)
    assert exc.value.code == "approvals.not_finished"
    assert not CaseRating.objects.exists() and seen == []


def test_decided_grant_waits_for_the_certificate(w):
    case = testing.new_case(w)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECIDED, decision="grant")
    with pytest.raises(TongbanError):
        applying.case_rate(case=case, account=w.citizen, **GOOD)
    Case.objects.filter(pk=case.pk).update(decision="refuse")
    assert applying.case_rate(case=case, account=w.citizen, **GOOD).level == 5


@pytest.mark.parametrize("status", [CaseStatus.COMPLETED, CaseStatus.REJECTED])
def test_finished_case_rated_once(w, seen, status):
    case = finish(testing.new_case(w), status)
    r = applying.case_rate(case=case, account=w.citizen, **GOOD, comment="很快")
    assert (r.level, r.efficiency, r.guide_accuracy, r.convenience, r.operability) == (5, 5, 4, 5, 4)
    assert r.unit == case.unit and r.named and r.comment == "很快"
    assert seen == [r]
    with pytest.raises(TongbanError) as exc:
        applying.case_rate(case=case, account=w.citizen, **GOOD)
    assert exc.value.code == "approvals.already_rated"
    assert CaseRating.objects.count() == 1 and len(seen) == 1


def test_bad_rating_reaches_the_listener(w, seen):
    case = finish(testing.new_case(w))
    r = applying.case_rate(case=case, account=w.citizen, level=1, efficiency=1, guide_accuracy=2,
                           convenience=1, operability=3, comment="跑了三趟", named=False)  # fmt: skip
    assert r.is_bad and seen == [r] and not r.named


def test_listener_refusal_rolls_the_rating_back(w):
    case = finish(testing.new_case(w))

    def refuse(rating):
        raise RuntimeError("no")

    hooks.register_rating_listener("test-refuse", refuse)
    try:
        with pytest.raises(RuntimeError):
            applying.case_rate(case=case, account=w.citizen, **GOOD)
    finally:
        hooks._RATING_LISTENERS.pop("test-refuse", None)
    assert not CaseRating.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [{"level": 6}, {"level": 0}, {"efficiency": 0}, {"operability": 6}, {"convenience": "x"}],
)
def test_values_out_of_range_refused(w, bad):
    case = finish(testing.new_case(w))
    with pytest.raises(TongbanError):
        applying.case_rate(case=case, account=w.citizen, **{**GOOD, **bad})
    assert not CaseRating.objects.exists()


def test_only_the_applicant_rates(w, seen):
    case = finish(testing.new_case(w))
    with pytest.raises(NotFound):
        applying.case_rate(case=case, account=w.citizen2, **GOOD)
    assert not CaseRating.objects.exists() and seen == []
