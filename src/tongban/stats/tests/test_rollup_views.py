"""The 统计计算 page and API: 考核管理员 only (others 403 and nothing changes), the recompute runs
as a background job with its progress, the page's query count is bounded; the snapshot's keys;
the management command."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tongban.core.models import AuditRecord, Heartbeat
from tongban.identity.models import User
from tongban.orgs.models import BusinessRole, County, Post, RoleGrant, Unit
from tongban.stats import snapshot, tasks_rollup
from tongban.stats.models import RollupDay, RollupStatus, UnitDay

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def people() -> dict[str, User]:
    county = County.objects.create(name="测试县", code="990002")
    unit = Unit.objects.create(county=county, unit_code="I", name="信息化中心", kind="gov_dept")
    out = {}
    for name, role in (("kaohe", BusinessRole.ASSESSMENT_ADMIN), ("leader", BusinessRole.COUNTY_LEADER),
                       ("head", BusinessRole.UNIT_LEADER), ("clerk", "")):  # fmt: skip
        u = User.objects.create(username=name, full_name=name)
        Post.objects.create(county=county, user=u, unit=unit)
        if role:
            RoleGrant.objects.create(county=county, user=u, unit=unit, role=role)
        out[name] = u
    return out


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def state() -> tuple[list[Any], int, int]:
    return (
        list(RollupDay.objects.order_by("day").values_list("day", "status", "runs", "computed_at")),
        Heartbeat.objects.filter(name=tasks_rollup.JOB).count(),
        AuditRecord.objects.filter(event="stats.rollup_recompute").count(),
    )


@pytest.mark.parametrize("who", ["leader", "head", "clerk"])
def test_refused_roles_get_403_and_nothing_changes(people: dict[str, User], who: str) -> None:
    RollupDay.objects.create(
        day=TODAY - timedelta(days=1), status=RollupStatus.DONE, computed_at=timezone.now()
    )
    before = state()
    c = client_for(people[who])
    assert c.get("/stats/rollup/").status_code == 403
    assert c.get("/stats/rollup/progress/").status_code == 403
    first = (TODAY - timedelta(days=1)).isoformat()
    assert c.post("/stats/rollup/recompute/", {"first": first, "last": first}).status_code == 403
    assert c.get("/api/v1/stats/rollup/days").status_code == 403
    r = c.post(
        "/api/v1/stats/rollup/recompute", {"first": first, "last": first}, content_type="application/json"
    )
    assert r.status_code == 403 and r.json()["code"] == "stats.manage_denied"
    assert state() == before


def test_anonymous_is_sent_to_login() -> None:
    r = Client().get("/stats/rollup/")
    assert r.status_code == 302 and "login" in r["Location"]
    assert Client().get("/api/v1/stats/rollup/days").status_code == 401


def test_admin_sees_days_and_recomputes_with_progress(
    people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    c = client_for(people["kaohe"])
    page = c.get("/stats/rollup/")
    assert page.status_code == 200 and "尚无统计" in page.content.decode()
    first, last = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/stats/rollup/recompute/", {"first": first.isoformat(), "last": last.isoformat()})
    assert r.status_code == 302
    days = dict(RollupDay.objects.values_list("day", "status"))
    assert days == {first: RollupStatus.DONE, last: RollupStatus.DONE}
    assert UnitDay.objects.filter(day=first).count() == 1  # the one active unit, zeros included
    job = tasks_rollup.job_state()
    assert job is not None and (job["state"], job["done"], job["total"]) == ("done", 2, 2)
    html = c.get("/stats/rollup/").content.decode()
    assert first.isoformat() in html and "100%" in html
    assert 'data-state="done"' in c.get("/stats/rollup/progress/").content.decode()
    assert (
        AuditRecord.objects.filter(event="stats.rollup_recompute", actor_id=people["kaohe"].pk).count() == 1
    )


def test_api_days_and_recompute(people: dict[str, User], django_capture_on_commit_callbacks: Any) -> None:
    c = client_for(people["kaohe"])
    day = TODAY - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/api/v1/stats/rollup/recompute", {"first": day.isoformat(), "last": day.isoformat()},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 202, r.content
    assert r.json()["total"] == 1
    data = c.get("/api/v1/stats/rollup/days").json()
    assert data["counts"]["done"] == 1
    assert data["days"][0]["day"] == day.isoformat() and data["days"][0]["unit_rows"] == 1
    assert data["job"]["state"] == "done"
    assert c.get("/api/v1/stats/rollup/days?status=failed").json()["days"] == []


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        (1, 3, "stats.rollup_range_order"),
        (-1, -1, "stats.rollup_range_future"),
        (900, 1, "stats.rollup_range_too_long"),
    ],
)
def test_bad_ranges_are_refused(people: dict[str, User], first: int, last: int, code: str) -> None:
    c = client_for(people["kaohe"])
    body = {
        "first": (TODAY - timedelta(days=first)).isoformat(),
        "last": (TODAY - timedelta(days=last)).isoformat(),
    }
    before = state()
    r = c.post("/api/v1/stats/rollup/recompute", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == code
    assert state() == before
    page = c.post("/stats/rollup/recompute/", body, follow=True)
    assert page.status_code == 200 and state() == before


def test_one_job_at_a_time(people: dict[str, User]) -> None:
    tasks_rollup.job_queue(TODAY, TODAY, "kaohe")
    c = client_for(people["kaohe"])
    r = c.post("/api/v1/stats/rollup/recompute", {"first": TODAY.isoformat(), "last": TODAY.isoformat()},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "stats.rollup_job_running"


def test_status_page_query_count_is_bounded(
    people: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    """The page's queries do not grow with the number of days (the base page's own are included)."""
    now = timezone.now()

    def days(n: int, offset: int) -> None:
        RollupDay.objects.bulk_create(
            RollupDay(
                day=TODAY - timedelta(days=offset + i), status=RollupStatus.DONE, computed_at=now, runs=1
            )
            for i in range(n)
        )

    days(3, 0)
    c = client_for(people["kaohe"])
    c.get("/stats/rollup/")  # warm the session
    with django_assert_max_num_queries(40) as few:
        c.get("/stats/rollup/")
    with django_assert_max_num_queries(10) as api_few:
        c.get("/api/v1/stats/rollup/days")
    days(120, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get("/stats/rollup/")
    assert r.status_code == 200 and r.content.decode().count("<tr data-day=") == 62
    with django_assert_max_num_queries(len(api_few.captured_queries)):
        assert c.get("/api/v1/stats/rollup/days").status_code == 200


def test_snapshot_has_the_contract_keys(people: dict[str, User]) -> None:
    assert snapshot.latest() is None
    snap = snapshot.take()
    assert set(snap.figures) == set(snapshot.KEYS)
    assert snap.figures["staff_total"] == 4
    assert snap.figures["cases_by_light"] == {"green": 0, "yellow": 0, "red": 0}
    assert {row["code"] for row in snap.figures["letters_by_status"]} >= {"received", "answered"}
    assert snapshot.latest() == snap


def test_command_computes_and_recomputes(people: dict[str, User]) -> None:
    out = io.StringIO()
    first = TODAY - timedelta(days=2)
    call_command("stats_rollup", "--from", first.isoformat(), stdout=out)
    assert "计算了 3 天" in out.getvalue()
    assert RollupDay.objects.count() == 3
    out = io.StringIO()
    call_command(
        "stats_rollup", "--from", first.isoformat(), "--to", first.isoformat(), "--recompute", stdout=out
    )
    assert "计算了 1 天" in out.getvalue()
    assert RollupDay.objects.get(day=first).runs == 2
