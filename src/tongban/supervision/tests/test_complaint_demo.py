"""The feedback demo: complaints in every status (one overdue), a bad rating with an open
follow-up on a completed case, scores for the last six months; running it again changes nothing."""

from __future__ import annotations

import pytest

from tongban.approvals.models import CaseRating
from tongban.core.demo import DemoContext
from tongban.supervision import demo_feedback
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import (
    Complaint,
    ComplaintStatus,
    FollowUpStatus,
    MonthlyScore,
    RatingFollowUp,
)
from tongban.supervision.tests import test_complaint_support as support
from tongban.supervision.tests.test_complaint_support import finished_case

pytestmark = pytest.mark.django_db
w, _fresh = support.w, support._fresh  # the shared fixtures


def test_demo_seeds_every_status_and_is_idempotent(w):
    for _i in range(6):
        finished_case(w)
    ctx = DemoContext(usernames=[])
    demo_feedback.seed(ctx)
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == {ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, ComplaintStatus.ANSWERED}
    assert Complaint.objects.count() == len(demo_feedback.DEMO_COMPLAINTS)
    assert any(sel.complaint_overdue(c) for c in Complaint.objects.all())
    assert Complaint.objects.filter(upheld=True).count() == 1
    assert CaseRating.objects.count() == len(demo_feedback.DEMO_RATINGS)
    assert RatingFollowUp.objects.filter(status=FollowUpStatus.OPEN).count() == 1
    months = set(MonthlyScore.objects.values_list("month", flat=True))
    assert len(months) >= 1 and MonthlyScore.objects.exists()
    before = (Complaint.objects.count(), CaseRating.objects.count(), MonthlyScore.objects.count())
    demo_feedback.seed(ctx)
    assert (Complaint.objects.count(), CaseRating.objects.count(), MonthlyScore.objects.count()) == before


def test_demo_without_cases_still_seeds_complaints(w):
    line = demo_feedback.seed(DemoContext(usernames=[]))
    assert "投诉" in line
    assert Complaint.objects.count() == len(demo_feedback.DEMO_COMPLAINTS)
    assert not RatingFollowUp.objects.exists()
