"""The dashboard reads aggregates over the open cases: right figures, and a number of queries
that does not grow with the cases or units."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tongban.approvals import testing
from tongban.approvals.models import Case, EventKind
from tongban.core.clock import moved_to
from tongban.supervision import selectors_watch as sel
from tongban.supervision import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _cases(w, n: int, *, accept_on: int = 2) -> list[Case]:
    out = []
    zj_item = testing.published_item(
        w, code=f"ZJ-{Case.objects.count()}", unit="zjj", name="建设工程规划许可"
    )
    for i in range(n):
        item = w.item if i % 2 == 0 else zj_item
        with moved_to(date(2026, 11, 2)):
            c = testing.new_case(w, item=item, received_at=datetime(2026, 11, 2, 9, i % 60))
            testing.event(c, EventKind.ACCEPTED, datetime(2026, 11, accept_on, 10))
        out.append(c)
    return out


def test_figures(w):
    cases = _cases(w, 4)
    closed = cases[3]
    Case.objects.filter(pk=closed.pk).update(is_open=False)
    with moved_to(date(2026, 11, 10)):
        sweep.sweep()
        d = sel.dashboard(w.county)
    assert d["total_open"] == 3
    assert d["by_light"]["yellow"] == 3 and d["by_light"]["green"] == 0
    units = {r["unit"]: r for r in d["departments"]}
    assert (
        units["市场监管局"]["yellow"] == 2
        and units["住建局"]["yellow"] == 1
        and units["住建局"]["total"] == 1
    )
    assert [c.pk for c in d["oldest"]] == [c.pk for c in cases[:3]]
    assert d["changes_today"]["yellow"] == 3 and len(d["latest_changes"]) == 3
    assert d["anomalies_open"] == 3 and d["rectifications_open"] == 3
    js = sel.dashboard_json(d)
    assert {x["light"]: x["count"] for x in js["by_light"]}["yellow"] == 3


def test_query_count_constant(w, django_assert_max_num_queries):
    _cases(w, 2)
    with moved_to(date(2026, 11, 10)):
        sweep.sweep()
        client = Client()
        client.force_login(w.users["supervisor"])
        with django_assert_max_num_queries(60) as few:
            assert client.get(reverse("supervision:dashboard")).status_code == 200
        n = len(few.captured_queries)
    _cases(w, 12)
    with moved_to(date(2026, 11, 10)):
        sweep.sweep()
        with django_assert_max_num_queries(n):
            assert client.get(reverse("supervision:dashboard")).status_code == 200
        for name in ("cases", "anomalies", "rectifications"):
            with django_assert_max_num_queries(60) as q:
                client.get(reverse(f"supervision:{name}"))
            base = len(q.captured_queries)
            _cases(w, 3)
            sweep.sweep()
            with django_assert_max_num_queries(base):
                client.get(reverse(f"supervision:{name}"))
