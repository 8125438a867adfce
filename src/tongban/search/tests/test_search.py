from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.search import selectors, services
from tongban.search.models import SearchEntry
from tongban.search.tests.conftest import KIND
from tongban.search.text import query_terms, segment

pytestmark = pytest.mark.django_db


def _index(oid: int, county: Any, unit: Any, **kw: Any) -> SearchEntry:
    kw.setdefault("title", f"测试文件{oid}")
    return services.index_upsert(kind=KIND, object_id=oid, county=county, unit_id=unit.pk, **kw)


def test_segmentation_adds_short_words_and_query_uses_them() -> None:
    terms = segment("关于2025年财政预算执行情况的报告").split()
    assert {"财政", "预算", "财政预算", "2025", "报告"} <= set(terms)
    assert query_terms("财政预算") == ["财政", "预算"]
    assert query_terms("  ") == []
    assert query_terms('"<script>" OR NOT') == ["script", "or", "not"]


def test_chinese_words_match_in_title_and_body(county, accounts, units, memo_kind) -> None:
    clerk = accounts["clerk"]
    unit = units["政府办"]
    _index(
        1, county, unit, title="青山县财政局关于下达部门经费的通知", body="<p>请做好年度预算执行工作。</p>"
    )
    _index(2, county, unit, title="关于防汛工作的通知", body="做好汛期值班")
    memo_kind.update({1: {clerk.pk}, 2: {clerk.pk}})
    res = selectors.search(user=clerk, q="财政预算")
    assert [h.object_id for h in res.hits] == [1]
    assert res.total == 1
    assert "<mark>预算</mark>" in res.hits[0].snippet
    assert "<mark>财政</mark>" in res.hits[0].title
    assert res.hits[0].url == "/memo/1/"
    assert [h.object_id for h in selectors.search(user=clerk, q="防汛").hits] == [2]
    assert selectors.search(user=clerk, q="地震").hits == []


def test_number_and_attachment_text_are_found(county, accounts, units, memo_kind) -> None:
    clerk = accounts["clerk"]
    _index(
        3,
        county,
        units["政府办"],
        number="青政发〔2025〕12号",
        attachments_text="附件：乡村振兴项目资金明细表",
    )
    memo_kind.update({3: {clerk.pk}})
    assert [h.object_id for h in selectors.search(user=clerk, q="青政发〔2025〕12号").hits] == [3]
    hit = selectors.search(user=clerk, q="乡村振兴").hits[0]
    assert "<mark>乡村振兴</mark>" in hit.snippet


def test_snippet_is_escaped(county, accounts, units, memo_kind) -> None:
    clerk = accounts["clerk"]
    _index(
        4,
        county,
        units["政府办"],
        title="<b>通知</b>",
        body="<script>alert(1)</script>会议 &lt;img src=x onerror=alert(1)&gt; 通知",
    )
    memo_kind.update({4: {clerk.pk}})
    hit = selectors.search(user=clerk, q="通知").hits[0]
    assert "<script" not in hit.snippet and "<img" not in hit.snippet
    assert "&lt;img" in hit.snippet
    assert "<b>" not in hit.title


def test_update_and_delete_follow_the_index(county, accounts, units, memo_kind) -> None:
    clerk = accounts["clerk"]
    memo_kind.update({5: {clerk.pk}})
    _index(5, county, units["政府办"], title="关于春节值班的通知")
    assert selectors.search(user=clerk, q="春节").total == 1
    _index(5, county, units["政府办"], title="关于国庆值班的通知")
    assert selectors.search(user=clerk, q="春节").total == 0
    assert selectors.search(user=clerk, q="国庆").total == 1
    assert SearchEntry.objects.filter(kind=KIND, object_id=5).count() == 1
    services.index_delete(kind=KIND, object_id=5)
    assert selectors.search(user=clerk, q="国庆").total == 0


def test_user_never_sees_what_they_may_not(county, accounts, units, memo_kind) -> None:
    clerk, czclerk = accounts["clerk"], accounts["czclerk"]
    for oid in range(10, 40):
        _index(oid, county, units["财政局"], title=f"关于预算调整的请示{oid}")
    memo_kind.update({oid: {czclerk.pk} for oid in range(10, 40)})
    memo_kind[15] = {czclerk.pk, clerk.pk}
    assert [h.object_id for h in selectors.search(user=clerk, q="预算").hits] == [15]
    res = selectors.search(user=czclerk, q="预算")
    assert res.total == 30 and len(res.hits) == 20 and res.has_next
    page2 = selectors.search(user=czclerk, q="预算", page=2)
    assert len(page2.hits) == 10
    assert {h.object_id for h in res.hits} | {h.object_id for h in page2.hits} == set(range(10, 40))
    # admins and anonymous see nothing; an unregistered kind is never shown
    assert selectors.search(user=accounts["sysadmin"], q="预算").total == 0
    from django.contrib.auth.models import AnonymousUser

    assert selectors.search(user=AnonymousUser(), q="预算").total == 0
    services.index_upsert(kind="other.kind", object_id=15, county=county, unit_id=None, title="预算")
    assert all(h.kind == KIND for h in selectors.search(user=clerk, q="预算").hits)


def test_filters_year_unit_kind(county, accounts, units, memo_kind) -> None:
    clerk = accounts["clerk"]
    _index(50, county, units["政府办"], title="年度工作总结", date=dt.date(2025, 3, 1))
    _index(51, county, units["财政局"], title="年度工作总结", date=dt.date(2026, 3, 1))
    memo_kind.update({50: {clerk.pk}, 51: {clerk.pk}})
    assert [h.object_id for h in selectors.search(user=clerk, q="总结").hits] == [51, 50]
    assert [h.object_id for h in selectors.search(user=clerk, q="总结", year=2025).hits] == [50]
    assert [h.object_id for h in selectors.search(user=clerk, q="总结", unit_id=units["财政局"].pk).hits] == [
        51
    ]
    assert selectors.search(user=clerk, q="总结", kind="nope").total == 0
    assert selectors.search(user=clerk, q="总结", year="x", page="y").total == 2


def test_scanning_windows_and_capped_total(county, accounts, units, memo_kind, monkeypatch) -> None:
    clerk = accounts["clerk"]
    unit = units["政府办"]
    for oid in range(1, 61):
        _index(
            oid,
            county,
            unit,
            title=f"关于督查工作的通报{oid}",
            date=dt.date(2025, 1, 1) + dt.timedelta(days=oid),
        )
    memo_kind.update({oid: {clerk.pk} for oid in range(1, 61) if oid % 3 == 0})  # every third: 20 visible
    res = selectors.search(user=clerk, q="督查")
    assert res.total == 20 and not res.capped
    assert [h.object_id for h in res.hits] == list(range(60, 0, -3))
    monkeypatch.setattr(selectors, "FIRST_WINDOW", 6)
    monkeypatch.setattr(selectors, "MIN_WINDOW", 6)
    monkeypatch.setattr(selectors, "SCAN_BUDGET", 100)
    monkeypatch.setattr(selectors, "COUNT_SCAN", 6)
    monkeypatch.setattr(selectors, "PER_PAGE", 2)
    first = selectors.search(user=clerk, q="督查", per_page=2)
    assert [h.object_id for h in first.hits] == [60, 57]
    assert first.capped and first.has_next and first.total >= 3
    second = selectors.search(user=clerk, q="督查", page=2, per_page=2)
    assert [h.object_id for h in second.hits] == [54, 51]
    last = selectors.search(user=clerk, q="督查", page=10, per_page=2)
    assert [h.object_id for h in last.hits] == [6, 3] and not last.capped and last.total == 20


def test_queryset_visibility_of_a_kind(county, accounts, units, unit_kind) -> None:
    from tongban.search.tests.conftest import UNIT_KIND

    clerk = accounts["clerk"]
    for short in ("政府办", "财政局", "民政局"):
        u = units[short]
        services.index_upsert(
            kind=UNIT_KIND, object_id=u.pk, county=county, unit_id=u.pk, title=f"{short}工作规则"
        )
    unit_kind.update({units["政府办"].pk: {clerk.pk}, units["民政局"].pk: {clerk.pk}})
    res = selectors.search(user=clerk, q="工作规则")
    assert sorted(h.object_id for h in res.hits) == sorted([units["政府办"].pk, units["民政局"].pk])
    assert all(h.url == f"/units/{h.object_id}/" for h in res.hits)
