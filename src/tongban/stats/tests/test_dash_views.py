"""The dashboards' pages: who may open what (refused roles get 403 and nothing changes), the XLSX
downloads read back, the unit leader's own version, and fixed query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongban.core import calendar as workcal
from tongban.core.clock import moved_to
from tongban.orgs.models import Unit, UnitKind
from tongban.stats import testing_dash as t
from tongban.stats.models import EffectCosts, Feedback, FeedbackStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 31)


@pytest.fixture
def w() -> t.DashWorld:
    w = t.build_world()
    d = date(2026, 3, 1)
    while d <= TODAY:
        wd = d.weekday() < 5
        t.unit_day(w.units["czj"], d, staff=10, active_users=8 if wd else 1, docs_handled=2 if wd else 0,
                   docs_sent=1, copies_sent=5, pages_sent=20)  # fmt: skip
        t.unit_day(w.units["cgz"], d, staff=20, active_users=10 if wd else 0)
        d += timedelta(days=1)
    t.snapshot()
    return w


def client(w: t.DashWorld, username: str) -> Client:
    c = Client()
    c.force_login(w.users[username])
    return c


COUNTY_PAGES = ("stats_dash:units", "stats_dash:effect", "stats_dash:screen")
MANAGE_PAGES = ("stats_dash:effect_costs", "stats_dash:feedback_manage", "stats_dash:changelog_new")


def test_pages_for_roles(w: t.DashWorld) -> None:
    with moved_to(TODAY):
        for user in ("kaohe", "countyleader"):
            c = client(w, user)
            for name in ("stats_dash:overview", "stats_dash:trends", *COUNTY_PAGES):
                assert c.get(reverse(name)).status_code == 200, (user, name)
        kaohe = client(w, "kaohe")
        for name in MANAGE_PAGES:
            assert kaohe.get(reverse(name)).status_code == 200, name
        leader = client(w, "countyleader")
        for name in MANAGE_PAGES:
            assert leader.get(reverse(name)).status_code == 403, name
        ul = client(w, "unitleader")
        r = ul.get(reverse("stats_dash:overview"))
        assert r.status_code == 200 and "财政局统计总览" in r.content.decode()
        assert ul.get(reverse("stats_dash:trends")).status_code == 200
        assert ul.get(reverse("stats_dash:overview") + f"?unit={w.units['cgz'].pk}").status_code == 403
        assert ul.get(reverse("stats_dash:overview") + "?unit=999999").status_code == 404
        for name in (*COUNTY_PAGES, *MANAGE_PAGES):
            assert ul.get(reverse(name)).status_code == 403, name
        clerk = client(w, "czclerk")
        for name in ("stats_dash:overview", "stats_dash:trends", *COUNTY_PAGES, *MANAGE_PAGES):
            assert clerk.get(reverse(name)).status_code == 403, name
        # everyone may send feedback and read the changelog
        for name in ("stats_dash:feedback_new", "stats_dash:feedback_mine", "stats_dash:changelog"):
            assert clerk.get(reverse(name)).status_code == 200
        assert Client().get(reverse("stats_dash:overview")).status_code == 302  # login first


def test_refused_writes_change_nothing(w: t.DashWorld) -> None:
    from tongban.stats import effect

    effect.costs_for(w.county)
    fb = Feedback.objects.create(author=w.users["czclerk"], title="建议", body="内容")
    costs = list(EffectCosts.objects.values())
    for user in ("countyleader", "unitleader", "czclerk"):
        c = client(w, user)
        r = c.post(reverse("stats_dash:effect_costs"),
                   {"paper_per_page": "1", "print_per_page": "1", "delivery_per_copy": "1", "default_pages": "2"})  # fmt: skip
        assert r.status_code == 403
        r = c.post(reverse("stats_dash:feedback_answer", args=[fb.pk]), {"status": "done", "answer": "好"})
        assert r.status_code == 403
        assert (
            c.post(
                reverse("stats_dash:changelog_new"), {"title": "x", "body": "y", "released_on": "2026-03-01"}
            ).status_code
            == 403
        )
        assert c.post(reverse("stats_dash:snapshot_take")).status_code == 403
    assert list(EffectCosts.objects.values()) == costs
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.NEW and fb.answer == ""
    from tongban.stats.models import ChangelogEntry

    assert not ChangelogEntry.objects.exists()


def test_costs_form(w: t.DashWorld) -> None:
    c = client(w, "kaohe")
    r = c.post(reverse("stats_dash:effect_costs"),
               {"paper_per_page": "-1", "print_per_page": "0.1", "delivery_per_copy": "2", "default_pages": "3"})  # fmt: skip
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    r = c.post(reverse("stats_dash:effect_costs"),
               {"paper_per_page": "0.06", "print_per_page": "0.12", "delivery_per_copy": "2.5", "default_pages": "4"})  # fmt: skip
    assert r.status_code == 302
    costs = EffectCosts.objects.get(county=w.county)
    assert (
        str(costs.paper_per_page) == "0.0600"
        and costs.default_pages == 4
        and costs.updated_by == w.users["kaohe"]
    )
    from tongban.core.models import AuditRecord

    assert AuditRecord.objects.filter(event="stats.effect_costs_updated").count() == 1


def _sheet(resp: Any, index: int = 0) -> list[tuple[Any, ...]]:
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    return [tuple(r) for r in wb.worksheets[index].iter_rows(values_only=True)]


def test_xlsx_read_back(w: t.DashWorld) -> None:
    c = client(w, "kaohe")
    with moved_to(TODAY):
        rows = _sheet(c.get(reverse("stats_dash:units") + "?period=2026-03&format=xlsx"))
        assert "2026年3月" in rows[0][0]
        # rank, unit, group, staff, active days, rate … (8 × 22 + 9 = 185 of 220 → 84.1)
        assert rows[2][:6] == (1, "财政局", "县直部门", 10, 185, 84.1)
        assert rows[3][1] == "城关镇" and rows[3][5] == 50
        assert rows[4][1] == "政府办" and rows[4][5] is None
        trend = _sheet(c.get(reverse("stats_dash:trends") + "?days=30&format=xlsx"))
        assert (
            trend[1][0] == "日期"
            and len([r for r in trend[2:] if r and r[0] and r[0].startswith("2026-")]) == 30
        )
        eff_rows = _sheet(c.get(reverse("stats_dash:effect") + "?period=2026-03&format=xlsx"))
        # 31 days × (1 document, 5 copies, 20 pages): 620 × 0.15 + 155 × 2 = 93 + 310 = 403
        assert eff_rows[2] == ("2026年3月", 31, 155, 620, 1.2, 403.0)
        by_unit = _sheet(c.get(reverse("stats_dash:effect") + "?period=2026-03&format=xlsx"), 1)
        assert by_unit[2][0] == "财政局" and by_unit[2][5] == 403.0
        assert any(r and r[0] and "费用节约" in str(r[0]) for r in by_unit)


def test_bad_period_is_a_message(w: t.DashWorld) -> None:
    c = client(w, "kaohe")
    with moved_to(TODAY):
        r = c.get(reverse("stats_dash:units") + "?period=2099-01")
        assert r.status_code == 200 and "统计周期不能晚于今天" in r.content.decode()
        r = c.get(reverse("stats_dash:trends") + "?days=7")
        assert r.status_code == 200 and "趋势天数只能是" in r.content.decode()


def test_no_snapshot_message(w: t.DashWorld) -> None:
    from tongban.stats.models import Snapshot

    Snapshot.objects.all().delete()
    with moved_to(TODAY):
        r = client(w, "kaohe").get(reverse("stats_dash:overview"))
        assert (
            "暂无数据，统计将在 5 分钟内生成" in r.content.decode() and 'id="sd-take"' in r.content.decode()
        )
        r = client(w, "countyleader").get(reverse("stats_dash:overview"))
        assert 'id="sd-take"' not in r.content.decode()


def _more_units(w: t.DashWorld, n: int) -> None:
    for i in range(n):
        u = Unit.objects.create(
            county=w.county, unit_code=f"X{i}", name=f"第{i}乡", kind=UnitKind.TOWNSHIP, sort=10 + i
        )
        d = TODAY - timedelta(days=40)
        while d <= TODAY:
            t.unit_day(u, d, staff=5, active_users=i % 5)
            d += timedelta(days=1)


def test_query_counts_do_not_grow_with_units(
    w: t.DashWorld, django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.TONGBAN_CALENDAR_RECHECK_SECONDS = 3600  # the calendar's 5-second recheck would add 3 queries
    workcal.invalidate()
    workcal.is_workday(TODAY)
    c = client(w, "kaohe")
    urls = [reverse("stats_dash:overview"), reverse("stats_dash:units") + "?period=last30", reverse("stats_dash:screen"),
            reverse("stats_dash:effect"), reverse("stats_dash:trends")]  # fmt: skip
    with moved_to(TODAY):
        base = {}
        for url in urls:
            with django_assert_max_num_queries(60) as q:
                assert c.get(url).status_code == 200
            base[url] = len(q.captured_queries)
        _more_units(w, 12)
        for url in urls:
            with django_assert_max_num_queries(base[url]):
                assert c.get(url).status_code == 200


def test_feedback_button_costs_no_query(w: t.DashWorld, django_assert_num_queries: Any) -> None:
    user = w.users["czclerk"]
    with django_assert_num_queries(0):
        html = render_to_string("stats/dash/_feedback_button.html", {"user": user})
    assert reverse("stats_dash:feedback_new") in html and "意见建议" in html
    r = client(w, "czclerk").get(reverse("stats_dash:changelog"))
    assert 'id="tb-feedback-link"' in r.content.decode()
