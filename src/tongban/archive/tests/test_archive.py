"""Archive: create once (audited), is_archived, visibility (unit's clerks/office heads/leaders see
the unit's archive, others what visible_ids allows), search filters, page and API matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.archive import selectors, services
from tongban.archive.models import ArchiveRecord
from tongban.archive.tests.conftest import KIND
from tongban.core.errors import TongbanError
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _archive(county: Any, unit: Any, oid: int, actor: Any, **kw: Any) -> ArchiveRecord:
    fields = {
        "year": 2025,
        "doc_type": "通知",
        "number": f"青政办发〔2025〕{oid}号",
        "title": f"关于防汛工作的通知{oid}",
        "retention": "30y",
    }
    fields.update(kw)
    return services.archive_create(
        subject_type=KIND, subject_id=oid, county=county, unit=unit, actor=actor, **fields
    )


def test_create_once_audited_and_read_only(county, accounts, units, file_kind) -> None:
    clerk = accounts["clerk"]
    rec = _archive(county, units["政府办"], 1, clerk)
    assert selectors.is_archived(KIND, 1) and not selectors.is_archived(KIND, 2)
    assert rec.archived_by == clerk and rec.get_retention_display() == "30年"
    audit = AuditRecord.objects.filter(event="archive.create").get()
    assert audit.object_id == str(rec.pk) and audit.new["retention"] == "30y"
    with pytest.raises(TongbanError) as exc:
        _archive(county, units["政府办"], 1, clerk, title="改过的题名")
    assert exc.value.code == "archive.already_archived"
    rec.refresh_from_db()
    assert rec.title == "关于防汛工作的通知1" and ArchiveRecord.objects.count() == 1
    assert AuditRecord.objects.filter(event="archive.create").count() == 1


def test_bad_input_changes_nothing(county, accounts, units, file_kind) -> None:
    clerk = accounts["clerk"]
    for kw, code in [
        ({"retention": "5y"}, "archive.bad_retention"),
        ({"title": "  "}, "archive.title_required"),
    ]:
        with pytest.raises(TongbanError) as exc:
            _archive(county, units["政府办"], 3, clerk, **kw)
        assert exc.value.code == code
    assert not ArchiveRecord.objects.exists()
    assert not AuditRecord.objects.filter(event="archive.create").exists()


def test_visibility_and_filters(county, accounts, units, file_kind) -> None:
    gov, fin = units["政府办"], units["财政局"]
    _archive(county, gov, 10, accounts["clerk"], year=2025, doc_type="通知")
    _archive(county, gov, 11, accounts["clerk"], year=2026, doc_type="函", number="青政办函〔2026〕3号")
    _archive(county, fin, 12, accounts["czclerk"], title="关于下达部门预算的通知")

    def ids(user: Any, **kw: Any) -> list[int]:
        return sorted(r.subject_id for r in selectors.archive_search(user=user, **kw))

    assert ids(accounts["clerk"]) == [10, 11]  # 政府办 clerk: the unit's archive
    assert ids(accounts["officehead"]) == [10, 11]
    assert ids(accounts["unitleader"]) == [12]  # 财政局 leader
    assert ids(accounts["czclerk"]) == [12]
    assert ids(accounts["countyleader"]) == [] and ids(accounts["supervisor"]) == []
    file_kind[10] = {accounts["countyleader"].pk}  # on the route of document 10
    assert ids(accounts["countyleader"]) == [10]
    assert ids(accounts["sysadmin"]) == []
    assert ids(accounts["clerk"], year=2026) == [11]
    assert ids(accounts["clerk"], doc_type="函") == [11]
    assert ids(accounts["clerk"], number="政办函") == [11]
    assert ids(accounts["clerk"], unit_id=fin.pk) == []
    assert ids(accounts["czclerk"], q="部门 预算") == [12]
    assert ids(accounts["czclerk"], q="防汛") == []


@pytest.mark.parametrize(
    ("login", "status"),
    [(None, 302), ("sysadmin", 403), ("auditadmin", 403), ("supervisor", 200), ("clerk", 200)],
)
def test_page_matrix(client: Client, county, accounts, units, file_kind, login, status) -> None:
    _archive(county, units["政府办"], 20, accounts["clerk"], title="关于春节值班的通知")
    if login:
        client.force_login(accounts[login])
    r = client.get("/archive/", {"year": "2025"})
    assert r.status_code == status
    body = r.content.decode()
    if login == "clerk":
        assert "关于春节值班的通知" in body and "/files/20/" in body and "30年" in body
    else:
        assert "关于春节值班的通知" not in body


def test_page_filters_paging_and_fragment(client: Client, county, accounts, units, file_kind) -> None:
    for oid in range(30, 55):
        _archive(county, units["政府办"], oid, accounts["clerk"])
    client.force_login(accounts["clerk"])
    r = client.get("/archive/")
    assert r.status_code == 200 and "共 25 件" in r.content.decode() and "1 / 2" in r.content.decode()
    r = client.get(
        "/archive/",
        {"page": 2, "number": "〔2025〕3"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="archive-results",
    )
    body = r.content.decode()
    assert "<html" not in body and "共 10 件" in body  # 30-39


@pytest.mark.parametrize(
    ("login", "status"), [(None, 401), ("secadmin", 403), ("czclerk", 200), ("clerk", 200)]
)
def test_api_matrix(client: Client, county, accounts, units, file_kind, login, status) -> None:
    _archive(county, units["政府办"], 60, accounts["clerk"], retention="permanent")
    if login:
        client.force_login(accounts[login])
    r = client.get("/api/v1/archive/", {"year": 2025})
    assert r.status_code == status
    if status == 200:
        data = r.json()
        if login == "clerk":
            assert data["count"] == 1
            item = data["items"][0]
            assert (
                item["subject_id"] == 60
                and item["retention"] == "permanent"
                and item["retention_label"] == "永久"
            )
            assert item["url"] == "/files/60/" and item["unit"] == units["政府办"].name
        else:
            assert data["count"] == 0 and data["items"] == []
    else:
        assert "items" not in r.json()


def test_navigation_entry(accounts) -> None:
    from tongban.core import nav

    assert any(i["key"] == "archive" for i in nav.items_for(accounts["clerk"]))
    assert not any(i["key"] == "archive" for i in nav.items_for(accounts["secadmin"]))
