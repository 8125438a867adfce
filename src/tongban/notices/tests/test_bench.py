"""Publishing to the whole county (the full demo county: ~2,000 staff) must be quick: receipts and
notifications are bulk inserted, and the number of queries does not grow with the audience."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.identity.models import User
from tongban.notices import services
from tongban.notices.models import NoticeReceipt
from tongban.orgs import demo
from tongban.orgs.models import County, Post, Unit
from tongban.orgs.services import seed_apply

pytestmark = pytest.mark.django_db

BUDGET_SECONDS = (
    10.0  # loose: ~0.7–1.3 s idle, ~3 s on a busy shared box; the query count guards against per-row inserts
)


def test_publish_to_the_whole_county_is_fast(capsys):
    seed_apply(plan=demo.build_plan())
    county = County.objects.get(code=demo.COUNTY_CODE)
    staff = Post.objects.filter(county=county, user__is_active=True).values("user_id").distinct().count()
    assert staff >= 2000
    oh = User.objects.get(username="officehead")
    unit = Unit.objects.get(county=county, short_name="政府办")
    reverse("notices:list")  # load the URLconf first (a running server has it loaded)
    notice = services.notice_create(
        actor=oh, unit=unit, title="关于全县统一开展安全检查的通知", whole_county=True
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        audience = services.notice_publish(actor=oh, notice=notice)
        elapsed = time.perf_counter() - started
    assert audience == staff == NoticeReceipt.objects.filter(notice=notice).count()
    with capsys.disabled():
        print(
            f"\n[notices bench] publish to whole county ({connection.vendor}): {audience} readers, "
            f"{elapsed * 1000:.0f} ms, {len(queries)} queries"
        )
    # bulk inserts: a handful of batches (SQLite limits the variables per statement), not a row each
    assert len(queries) < 100
    assert elapsed < BUDGET_SECONDS
