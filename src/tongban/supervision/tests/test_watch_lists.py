"""The supervisor's open cases (supervision:cases): most urgent first — 红牌, 黄牌, 预警, green,
then no light, each by its deadline (each light read from approvals_case_open in its order);
a large list is counted only up to the cap; the page's query count does not grow with rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse

from tongban.approvals import testing
from tongban.approvals.models import Case, Light
from tongban.supervision import selectors_watch as sel

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _lit(w: testing.ApprovalWorld, light: str, due: date, minute: int) -> Case:
    case = testing.new_case(w, received_at=datetime(2026, 11, 2, 9, minute))
    Case.objects.filter(pk=case.pk).update(light=light, due_on=due)
    return case


def test_open_cases_most_urgent_first_and_by_light(w):
    green = _lit(w, Light.GREEN, date(2026, 11, 20), 1)
    red = _lit(w, Light.RED, date(2026, 11, 5), 2)
    yellow_late = _lit(w, Light.YELLOW, date(2026, 11, 9), 3)
    yellow = _lit(w, Light.YELLOW, date(2026, 11, 6), 4)
    warning = _lit(w, Light.WARNING, date(2026, 11, 12), 5)
    cases = sel.open_cases(w.county)
    assert cases.count() == 5
    assert [c.pk for c in cases[0:5]] == [red.pk, yellow.pk, yellow_late.pk, warning.pk, green.pk]
    assert [c.pk for c in sel.open_cases(w.county, light=Light.YELLOW)] == [yellow.pk, yellow_late.pk]


def test_open_cases_page_counts_up_to_the_cap(client, w, monkeypatch, django_assert_max_num_queries):
    from tongban.approvals import handling_selectors

    for i in range(2):  # a page reads each light that has rows on it: at most five queries
        _lit(w, Light.GREEN if i else Light.RED, date(2026, 11, 20), i)
    client.force_login(w.users["supervisor"])
    url = reverse("supervision:cases")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(11):
        _lit(w, Light.RED if i % 2 else Light.GREEN, date(2026, 11, 5), 10 + i)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url).content.decode()
    assert "共 13 件" in body
    monkeypatch.setattr(handling_selectors, "COUNT_CAP", 5)
    monkeypatch.setattr("tongban.supervision.views_watch.COUNT_CAP", 5)
    body = client.get(url).content.decode()
    assert "请按受理编号、申请人或单位缩小范围" in body
