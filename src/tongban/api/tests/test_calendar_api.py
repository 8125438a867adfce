"""/api/v1/calendar/: the same answers as manage.py workdays; clear Chinese errors; login required."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongban.core import calendar as workcal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    workcal.invalidate()
    yield
    workcal.invalidate()


@pytest.fixture
def user_client(client):
    user = get_user_model().objects.create_user(
        username="lisi", password="Tb-test-pass-2025", full_name="李四"
    )
    client.force_login(user)
    return client


def test_add_and_between(user_client):
    r = user_client.get("/api/v1/calendar/add", {"date": "2025-09-26", "days": "5"})
    assert r.status_code == 200, r.content
    assert r.json()["date"] == "2025-10-10"
    r = user_client.get("/api/v1/calendar/between", {"start": "2025-09-26", "end": "2025-10-10"})
    assert r.status_code == 200
    assert r.json()["workdays"] == 5


def test_negative_days_and_unknown_year_warning(user_client):
    assert (
        user_client.get("/api/v1/calendar/add", {"date": "2025-10-09", "days": "-1"}).json()["date"]
        == "2025-09-30"
    )
    body = user_client.get("/api/v1/calendar/add", {"date": "2031-10-03", "days": "1"}).json()
    assert body["date"] == "2031-10-06"
    assert "请录入 2031 年节假日安排" in body["warning"]


@pytest.mark.parametrize(
    ("url", "params", "fragment"),
    [
        ("/api/v1/calendar/add", {"date": "2025-02-30", "days": "5"}, "格式不对"),
        ("/api/v1/calendar/add", {"date": "2025-09-26", "days": "five"}, "应为整数"),
        ("/api/v1/calendar/add", {"date": "2025-09-26", "days": "999999"}, "不能超过"),
        ("/api/v1/calendar/add", {"date": "1990-01-01", "days": "1"}, "超出工作日历范围"),
        ("/api/v1/calendar/between", {"start": "x", "end": "2025-10-10"}, "格式不对"),
    ],
)
def test_bad_input_is_400_with_chinese_message(user_client, url, params, fragment):
    r = user_client.get(url, params)
    assert r.status_code == 400
    assert fragment in r.json()["detail"]


def test_missing_parameter_is_refused(user_client):
    assert user_client.get("/api/v1/calendar/add", {"date": "2025-09-26"}).status_code in (400, 422)


def test_year(user_client):
    body = user_client.get("/api/v1/calendar/year/2026").json()
    assert body["known"] is True
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-02-14"]["kind"] == "adjusted_workday" and days["2026-02-14"]["workday"] is True
    assert days["2026-10-01"]["kind"] == "holiday" and days["2026-10-01"]["name"] == "国庆节"
    assert days["2026-03-07"]["kind"] == "weekend"
    assert "2026-03-03" not in days  # plain working days are left out
    assert user_client.get("/api/v1/calendar/year/2031").json()["known"] is False
    assert user_client.get("/api/v1/calendar/year/1800").status_code == 400


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/calendar/add", {"date": "2025-09-26", "days": "5"}).status_code == 401
    assert client.get("/api/v1/calendar/year/2026").status_code == 401
