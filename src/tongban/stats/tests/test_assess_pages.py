"""The assessment pages and API: the scheme editor (create, indicators, reorder, weights total 100,
publish computes the scores, retire), who sees which scorecard, the drill-down to people only for
the unit's own leaders, refused roles get 403 with nothing changed, the XLSX exports and the PDF
report read back, and a bounded number of queries on the ranking page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongban.core import nav
from tongban.stats.models import AssessmentScheme, Indicator, SchemeStatus, ScoreSnapshot
from tongban.stats.tests.test_assess_world import (
    NOV,
    World,
    build,
    computed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return build()


@pytest.fixture
def scored(world: World) -> World:
    return computed(world)


def login(client: Client, w: World, username: str) -> Client:
    client.force_login(w.users[username])
    return client


def card_url(w: World, unit: str, period: str = "2026-11") -> str:
    return reverse("stats_assess:unit", args=[w.scheme.pk, period, w.units[unit].pk])


def people_url(w: World, unit: str) -> str:
    return reverse("stats_assess:unit_people", args=[w.scheme.pk, "2026-11", w.units[unit].pk])


def test_nav_entries(world: World) -> None:
    def keys(username: str) -> set[str]:
        return {i["key"] for i in nav.items_for(world.users[username])}

    assert {"stats_scorecards", "stats_schemes"} <= keys("kaohe")
    assert "stats_scorecards" in keys("czleader") and "stats_schemes" not in keys("czleader")
    assert "stats_scorecards" in keys("fuxian")
    assert not {"stats_scorecards", "stats_schemes"} & keys("czclerk")


def test_admin_builds_and_publishes_a_scheme(client: Client, world: World) -> None:
    c = login(client, world, "kaohe")
    r = c.post(
        reverse("stats_assess:scheme_new"),
        {"name": "季度考核", "year": "2026", "period": "quarter", "description": "试行"},
    )
    scheme = AssessmentScheme.objects.get(name="季度考核")
    assert r.status_code == 302 and scheme.status == SchemeStatus.DRAFT
    assert scheme.units.count() == 6  # default: every active unit
    add = reverse("stats_assess:indicator_new", args=[scheme.pk])
    base = {"target": "0.8", "higher_is_better": "1"}
    c.post(
        add,
        base
        | {
            "name": "活跃率",
            "code": "active",
            "formula": "active_user_days/(staff*workdays)",
            "weight": "60",
        },
    )
    c.post(
        add,
        base
        | {
            "name": "超期率",
            "code": "overdue",
            "formula": "tasks_overdue",
            "weight": "30",
            "higher_is_better": "0",
        },
    )
    page = c.get(reverse("stats_assess:scheme", args=[scheme.pk])).content.decode()
    assert "权重合计 90 分" in page and "合计为 100 分才能发布" in page
    assert "活跃人日 ÷ （在岗人数 × 工作日数）" in page
    # publishing with 90 points is refused, nothing changes
    r = c.post(reverse("stats_assess:scheme_publish", args=[scheme.pk]), follow=True)
    assert "目前为 90 分" in r.content.decode()
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.DRAFT and not ScoreSnapshot.objects.filter(scheme=scheme).exists()
    # edit the weight, reorder, publish
    ind = Indicator.objects.get(scheme=scheme, code="overdue")
    r = c.post(
        reverse("stats_assess:indicator_edit", args=[scheme.pk, ind.pk]),
        {
            "name": "超期率",
            "code": "overdue",
            "formula": "tasks_overdue",
            "weight": "40",
            "target": "0",
            "higher_is_better": "0",
        },
    )
    assert r.status_code == 302
    c.post(reverse("stats_assess:indicator_move", args=[scheme.pk, ind.pk]), {"direction": "up"})
    assert list(scheme.indicators.values_list("code", flat=True)) == ["overdue", "active"]
    r = c.post(reverse("stats_assess:scheme_publish", args=[scheme.pk]), follow=True)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.PUBLISHED and "得分已计算" in r.content.decode()
    assert ScoreSnapshot.objects.filter(scheme=scheme, period_key="2026-Q4").count() == 6
    # a published scheme's indicators are frozen
    r = c.post(reverse("stats_assess:indicator_delete", args=[scheme.pk, ind.pk]), follow=True)
    assert "只有草稿状态" in r.content.decode() and Indicator.objects.filter(pk=ind.pk).exists()
    c.post(reverse("stats_assess:scheme_retire", args=[scheme.pk]))
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.RETIRED


@pytest.mark.parametrize("username", ["czleader", "fuxian", "czclerk"])
def test_non_admins_cannot_manage(client: Client, world: World, username: str) -> None:
    c = login(client, world, username)
    draft = AssessmentScheme.objects.create(name="草稿", year=2026)
    n_schemes, n_ind = AssessmentScheme.objects.count(), Indicator.objects.count()
    assert c.get(reverse("stats_assess:schemes")).status_code == 403
    assert (
        c.post(
            reverse("stats_assess:scheme_new"), {"name": "x", "year": "2026", "period": "month"}
        ).status_code
        == 403
    )
    data = {"name": "x", "formula": "staff", "weight": "100", "target": "1", "higher_is_better": "1"}
    assert c.post(reverse("stats_assess:indicator_new", args=[draft.pk]), data).status_code == 403
    assert c.post(reverse("stats_assess:scheme_publish", args=[world.scheme.pk])).status_code == 403
    assert c.post(reverse("stats_assess:scheme_retire", args=[world.scheme.pk])).status_code == 403
    assert c.post(reverse("stats_assess:scheme_delete", args=[draft.pk])).status_code == 403
    # API
    assert c.get("/api/v1/stats/schemes").status_code == 403
    r = c.post("/api/v1/stats/schemes", {"name": "x", "year": 2026}, content_type="application/json")
    assert r.status_code == 403
    r = c.post(f"/api/v1/stats/schemes/{draft.pk}/indicators", data, content_type="application/json")
    assert r.status_code == 403
    assert c.post(f"/api/v1/stats/schemes/{world.scheme.pk}/retire").status_code == 403
    assert c.delete(f"/api/v1/stats/schemes/{draft.pk}").status_code == 403
    assert (AssessmentScheme.objects.count(), Indicator.objects.count()) == (n_schemes, n_ind)
    world.scheme.refresh_from_db()
    assert world.scheme.status == SchemeStatus.PUBLISHED


def test_ranking_page(client: Client, scored: World) -> None:
    c = login(client, scored, "kaohe")
    r = c.get(reverse("stats_assess:scorecards") + f"?scheme={scored.scheme.pk}&period=2026-11")
    html = r.content.decode()
    assert r.status_code == 200
    assert (
        html.index("财政局")
        < html.index("审批局")
        < html.index("人社局")
        < html.index("教育局")
        < html.index("水利局")
    )
    assert "100.00" in html and "+70.00" in html and "活跃人日 ÷ （在岗人数 × 工作日数）" in html
    assert "统计局" not in html
    # a unit leader sees the own unit only, with its county rank
    html = (
        login(client, scored, "jyleader")
        .get(reverse("stats_assess:scorecards") + f"?scheme={scored.scheme.pk}&period=2026-11")
        .content.decode()
    )
    assert "教育局" in html and "财政局" not in html and "32.00" in html
    # no access at all, an unknown scheme, a bad period
    assert login(client, scored, "czclerk").get(reverse("stats_assess:scorecards")).status_code == 403
    c = login(client, scored, "kaohe")
    assert c.get(reverse("stats_assess:scorecards") + "?scheme=999999").status_code == 404
    assert (
        c.get(reverse("stats_assess:scorecards") + f"?scheme={scored.scheme.pk}&period=2026-Q4").status_code
        == 404
    )


def test_ranking_page_queries_bounded(client: Client, scored: World) -> None:
    """The page's own queries (grants, schemes, this and the previous period's scores, the
    indicators) do not grow with the number of units; the rest is the shell's navigation."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.orgs.models import Unit
    from tongban.stats import scoring

    c = login(client, scored, "kaohe")
    url = reverse("stats_assess:scorecards") + f"?scheme={scored.scheme.pk}&period=2026-11"
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    extra = [
        Unit.objects.create(
            county=scored.county, unit_code=f"X{i}", name=f"乡镇{i}", kind="township", sort=50 + i
        )
        for i in range(30)
    ]
    scored.scheme.units.add(*extra)
    scoring.recompute(scored.scheme, NOV)
    with CaptureQueriesContext(connection) as many:
        html = c.get(url).content.decode()
    assert "乡镇29" in html
    assert len(many) == len(few) <= 40
    own = [q for q in many.captured_queries if "stats_" in q["sql"]]
    assert len(own) == 4


def test_unit_card_for_whoever_sees_the_unit(client: Client, scored: World) -> None:
    for username in ("kaohe", "fuxian", "qita", "czleader", "czhead"):
        r = login(client, scored, username).get(card_url(scored, "czj"))
        assert r.status_code == 200, username
        html = r.content.decode()
        assert 'id="card-score">100.00' in html and "active_user_days / (staff * workdays)" in html
        assert "活跃人日 = 168" in html and "在岗人数 = 10" in html and "工作日数 = 21" in html
        assert 'id="card-trend"' in html and "办公室" in html and "预算股" in html  # offices
    # other units' leaders, staff without a role
    assert login(client, scored, "jyleader").get(card_url(scored, "czj")).status_code == 403
    assert login(client, scored, "czclerk").get(card_url(scored, "czj")).status_code == 403
    # 教育局's card shows the division by zero
    html = login(client, scored, "jyleader").get(card_url(scored, "jyj")).content.decode()
    assert "为零，按 0 计" in html


def test_people_only_for_their_own_leaders(client: Client, scored: World) -> None:
    for username in ("czleader", "fuxian"):  # the unit's leader, the county leader in charge
        c = login(client, scored, username)
        assert 'id="people-link"' in c.get(card_url(scored, "czj")).content.decode()
        html = c.get(people_url(scored, "czj")).content.decode()
        assert "财政文书" in html and "财政办主任" in html, username
        office = scored.offices["cz_office"].pk
        html = c.get(people_url(scored, "czj") + f"?office={office}").content.decode()
        assert "财政文书" in html and "财政办主任" not in html
    for username in ("kaohe", "qita", "czhead", "jyleader"):
        c = login(client, scored, username)
        assert c.get(people_url(scored, "czj")).status_code == 403, username
        r = c.get(f"/api/v1/stats/scorecards/{scored.scheme.pk}/2026-11/units/{scored.units['czj'].pk}")
        if username == "jyleader":
            assert r.status_code == 403
        else:
            assert r.status_code == 200 and r.json()["people"] is None
    page = login(client, scored, "qita").get(card_url(scored, "czj")).content.decode()
    assert 'id="people-link"' not in page and "财政文书" not in page


def test_api_scorecards(client: Client, scored: World) -> None:
    c = login(client, scored, "fuxian")
    r = c.get(f"/api/v1/stats/scorecards/{scored.scheme.pk}/2026-11")
    body = r.json()
    assert r.status_code == 200 and body["period_label"] == "2026年11月"
    assert [(x["unit"], x["score"], x["rank"]) for x in body["rows"]] == [
        ("财政局", 100.0, 1),
        ("审批局", 71.0, 2),
        ("人社局", 71.0, 2),
        ("教育局", 32.0, 4),
        ("水利局", 30.0, 5),
    ]
    assert body["rows"][0]["change"] == 70.0 and body["rows"][3]["indicators"][1] == {
        "code": "overdue",
        "value": 25.0,
        "score": 12.0,
    }
    r = c.get(f"/api/v1/stats/scorecards/{scored.scheme.pk}/2026-11/units/{scored.units['czj'].pk}")
    card = r.json()
    assert card["score"] == 100.0 and card["rank"] == 1 and card["units_count"] == 5
    assert {i["name"]: i["value"] for i in card["indicators"][0]["inputs"]} == {
        "active_user_days": 168,
        "staff": 10,
        "workdays": 21,
    }
    assert card["trend"][-1] == {"period": "2026-11", "label": "2026年11月", "score": 100.0, "rank": 1}
    assert {p["name"] for p in card["people"]} == {"财政文书", "财政办主任"}
    assert c.get(f"/api/v1/stats/scorecards/{scored.scheme.pk}/2026-13").status_code == 400
    assert c.get("/api/v1/stats/scorecards/999999/2026-11").status_code == 404
    assert (
        login(client, scored, "czclerk")
        .get(f"/api/v1/stats/scorecards/{scored.scheme.pk}/2026-11")
        .status_code
        == 403
    )


def test_api_scheme_lifecycle(client: Client, world: World) -> None:
    c = login(client, world, "kaohe")
    r = c.post(
        "/api/v1/stats/schemes",
        {"name": "年度考核", "year": 2026, "period": "year", "unit_ids": [world.units["czj"].pk]},
        content_type="application/json",
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    assert r.json()["unit_ids"] == [world.units["czj"].pk]
    url = f"/api/v1/stats/schemes/{sid}/indicators"
    r = c.post(
        url,
        {"name": "活跃率", "formula": "pct(active_user_days, staff*workdays)", "weight": 100, "target": 80},
        content_type="application/json",
    )
    assert r.status_code == 201
    iid = r.json()["id"]
    r = c.patch(f"{url}/{iid}", {"weight": 50}, content_type="application/json")
    assert r.status_code == 200 and r.json()["weight"] == 50
    r = c.post(f"/api/v1/stats/schemes/{sid}/publish")
    assert r.status_code == 400 and r.json()["code"] == "stats.scheme_weights"
    c.patch(f"{url}/{iid}", {"weight": 100}, content_type="application/json")
    r = c.post(f"/api/v1/stats/schemes/{sid}/publish")
    assert (
        r.status_code == 200
        and r.json()["periods"] == ["2026"]
        and r.json()["scheme"]["status"] == "published"
    )
    assert (
        c.patch(f"/api/v1/stats/schemes/{sid}", {"name": "改名"}, content_type="application/json").status_code
        == 400
    )
    assert c.get(f"/api/v1/stats/schemes/{sid}").json()["weight_total"] == 100
    assert c.get("/api/v1/stats/schemes/999999").status_code == 404
    r = c.post("/api/v1/stats/schemes", {"name": "", "year": 2026}, content_type="application/json")
    assert r.status_code == 400 and AssessmentScheme.objects.filter(name="").count() == 0
    assert c.get("/api/v1/stats/schemes/metrics").json()[0]["name"] == "logins"


def test_xlsx_exports_read_back(client: Client, scored: World) -> None:
    from openpyxl import load_workbook

    c = login(client, scored, "kaohe")
    r = c.get(reverse("stats_assess:scorecards_export") + f"?scheme={scored.scheme.pk}&period=2026-11")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:4] == ("排名", "单位", "得分", "较上期")
    assert rows[2][:4] == (1, "财政局", 100.0, 70.0)
    assert rows[4][:3] == (2, "人社局", 71.0) and rows[5][:3] == (4, "教育局", 32.0)
    assert any("active_user_days / (staff * workdays)" in str(x[0]) for x in rows if x and x[0])
    # the unit's workbook: indicators, trend, offices; people only for its own leaders
    r = login(client, scored, "czleader").get(
        reverse("stats_assess:unit_export", args=[scored.scheme.pk, "2026-11", scored.units["czj"].pk])
    )
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["指标得分", "得分趋势", "科室明细", "个人明细"]
    first = list(wb["指标得分"].iter_rows(values_only=True))
    assert first[2][0] == "登录活跃率" and first[2][-1] == 40.0
    r = login(client, scored, "qita").get(
        reverse("stats_assess:unit_export", args=[scored.scheme.pk, "2026-11", scored.units["czj"].pk])
    )
    assert load_workbook(io.BytesIO(r.content)).sheetnames == ["指标得分", "得分趋势", "科室明细"]


def test_pdf_report_read_back(client: Client, scored: World) -> None:
    from pypdf import PdfReader

    r = login(client, scored, "kaohe").get(reverse("stats_assess:report", args=[scored.scheme.pk, 2026]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    flat = "".join(text.split())
    for needed in (
        "2026年度测试考核",
        "年度考核报告",
        "财政局",
        "审批局",
        "水利局",
        "登录活跃率",
        "active_user_days",
    ):
        assert needed in flat, needed
    # year averages of October (30 each) and November: 财政局 65.00, 审批局/人社局 50.50, 教育局 31.00, 水利局 30.00
    for score in ("65.00", "50.50", "31.00", "30.00"):
        assert score in flat, score
    assert (
        login(client, scored, "czclerk")
        .get(reverse("stats_assess:report", args=[scored.scheme.pk, 2026]))
        .status_code
        == 403
    )
    assert (
        login(client, scored, "kaohe")
        .get(reverse("stats_assess:report", args=[scored.scheme.pk, 2025]))
        .status_code
        == 404
    )
