"""Publishing, versions, the visibility matrix of the sharing levels, requests and their
notifications, audited downloads, and refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.identity.models import User
from tongban.library import access, selectors, services
from tongban.library.models import (
    AccessRequest,
    DownloadLog,
    RequestStatus,
    Resource,
    ResourceKind,
    ResourceVersion,
    SharingLevel,
)
from tongban.library.tests.conftest import CSV, PDF, fresh, publish, xlsx
from tongban.notify.models import Notification
from tongban.orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_publish_dataset_infers_schema(accounts: dict[str, User], units: dict[str, Unit]) -> None:
    r = publish(accounts["ziyuan"], units["统计局"], keywords="经济，指标、年度", contact="王明 1234")
    r.refresh_from_db()
    v = r.current_version
    assert v is not None and v.number == 1 and v.row_count == 2 and v.encoding == "utf-8"
    assert [c["type"] for c in v.schema] == ["text", "integer", "decimal", "date"]
    assert r.keywords == "经济 指标 年度"
    assert v.file.read() == CSV
    assert AuditRecord.objects.filter(event="library.published", object_id=str(r.pk)).count() == 1


def test_only_resource_admin_of_the_unit_publishes(
    accounts: dict[str, User], units: dict[str, Unit], media_files: Any
) -> None:
    for actor, unit in [
        (accounts["czclerk"], units["财政局"]),
        (accounts["sysadmin"], units["统计局"]),
        (accounts["ziyuan"], units["财政局"]),  # an admin, but of another unit
    ]:
        with pytest.raises(PermissionDenied):
            publish(actor, unit)
    assert Resource.objects.count() == 0 and ResourceVersion.objects.count() == 0 and media_files() == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"title": " "}, "library.title_required"),
        ({"sharing": "secret"}, "library.bad_sharing"),
        ({"sharing": SharingLevel.RESTRICTED}, "library.units_required"),
        ({"data": b"\xff\xfe\x81\x20", "name": "坏.csv"}, "library.file_encoding"),
        ({"data": PDF, "name": "伪装.xlsx"}, "library.file_content"),
        ({"update_frequency": "hourly"}, "library.bad_frequency"),
    ],
)
def test_bad_publish_saves_nothing(
    accounts: dict[str, User], units: dict[str, Unit], media_files: Any, kwargs: dict[str, Any], code: str
) -> None:
    audit_before = AuditRecord.objects.count()
    with pytest.raises(TongbanError) as exc:
        publish(accounts["ziyuan"], units["统计局"], **kwargs)
    assert exc.value.code == code
    assert Resource.objects.count() == 0 and ResourceVersion.objects.count() == 0
    assert media_files() == [] and AuditRecord.objects.count() == audit_before


def test_failure_after_the_file_was_stored_removes_it(
    accounts: dict[str, User], units: dict[str, Unit], media_files: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "record", boom)
    with pytest.raises(RuntimeError):
        publish(accounts["ziyuan"], units["统计局"])
    assert Resource.objects.count() == 0 and media_files() == []


def test_versions_keep_old_files_and_descriptions(accounts: dict[str, User], units: dict[str, Unit]) -> None:
    admin = accounts["ziyuan"]
    r = publish(admin, units["统计局"])
    services.resource_update(
        actor=fresh(admin),
        resource=r,
        title=r.title,
        sharing=SharingLevel.OPEN,
        schema=[
            {"name": "乡镇", "type": "text", "description": "乡镇名称"},
            {"name": "人口", "type": "integer", "description": "常住人口"},
            {"name": "面积", "type": "decimal", "description": "平方公里"},
            {"name": "统计日期", "type": "text", "description": ""},
        ],
    )
    r.refresh_from_db()
    assert r.current_version is not None and r.current_version.schema[0] == {
        "name": "乡镇",
        "type": "text",
        "description": "乡镇名称",
    }
    data = xlsx([["乡镇", "人口"], ["城关镇", 52100]])
    v2 = services.version_add(
        actor=fresh(admin),
        resource=r,
        file=services.content_file(data, "新.xlsx"),
        file_name="新.xlsx",
        note="年报更正",
    )
    r.refresh_from_db()
    assert v2.number == 2 and r.current_version_id == v2.pk
    assert v2.schema[0]["description"] == "乡镇名称" and v2.schema[1]["description"] == "常住人口"
    assert [v.number for v in selectors.versions(r)] == [2, 1]
    old = selectors.access_version(r, 1)
    assert old.file.read() == CSV and old.name == "指标.csv"
    with pytest.raises(PermissionDenied):
        services.version_add(
            actor=fresh(accounts["czclerk"]),
            resource=r,
            file=services.content_file(CSV, "x.csv"),
            file_name="x.csv",
        )
    assert ResourceVersion.objects.filter(resource=r).count() == 2


def test_schema_edit_validated(accounts: dict[str, User], units: dict[str, Unit]) -> None:
    admin = accounts["ziyuan"]
    r = publish(admin, units["统计局"])
    for schema, code in [
        ([{"name": "a", "type": "text"}], "library.schema_columns"),
        ([{"name": "a", "type": "text"}] * 4, "library.schema_duplicate"),
        (
            [{"name": "", "type": "text"}] + [{"name": f"c{i}", "type": "text"} for i in range(3)],
            "library.schema_name",
        ),
        ([{"name": f"c{i}", "type": "blob"} for i in range(4)], "library.schema_type"),
    ]:
        with pytest.raises(TongbanError) as exc:
            services.resource_update(
                actor=fresh(admin), resource=r, title="改名", sharing=SharingLevel.OPEN, schema=schema
            )
        assert exc.value.code == code
    r.refresh_from_db()
    assert r.title == "2025年全县主要经济指标"  # nothing changed


@pytest.fixture
def three(accounts: dict[str, User], units: dict[str, Unit]) -> dict[str, Resource]:
    admin, tjj = accounts["ziyuan"], units["统计局"]
    return {
        "open": publish(admin, tjj, title="公开数据"),
        "conditional": publish(admin, tjj, title="有条件数据", sharing=SharingLevel.CONDITIONAL),
        "restricted": publish(
            admin,
            tjj,
            title="限定数据",
            sharing=SharingLevel.RESTRICTED,
            shared=[units["财政局"], units["税务局"]],
        ),
    }


# who: (sees open, conditional, restricted), (downloads open, conditional, restricted)
MATRIX = {
    "ziyuan": ((True, True, True), (True, True, True)),  # owner's 资源管理员
    "czclerk": ((True, True, True), (True, False, False)),  # a named unit, not yet approved
    "outsider": ((True, True, False), (True, False, False)),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_visibility_matrix(
    who: str, three: dict[str, Resource], accounts: dict[str, User], outsider: User
) -> None:
    user = outsider if who == "outsider" else accounts[who]
    sees, downloads = MATRIX[who]
    visible = set(access.visible_resources(fresh(user)).values_list("title", flat=True))
    for (level, r), see, down in zip(three.items(), sees, downloads, strict=True):
        assert (r.title in visible) is see, level
        if see:
            loaded = access.access_resource(r.pk, fresh(user))
            assert access.can_download(fresh(user), loaded) is down, level
        else:
            with pytest.raises(NotFound):
                access.access_resource(r.pk, fresh(user))


def test_owner_staff_without_role_see_and_download(
    three: dict[str, Resource], units: dict[str, Unit], outsider: User
) -> None:
    from tongban.orgs.models import Post

    tjj = units["统计局"]
    Post.objects.create(county_id=tjj.county_id, user=outsider, unit=tjj, title="科员", is_primary=False)
    user = fresh(outsider)
    r = access.access_resource(three["restricted"].pk, user)
    assert access.can_download(user, r) and not access.can_manage(user, r)


def test_request_approve_notify_and_download(
    three: dict[str, Resource], accounts: dict[str, User], units: dict[str, Unit]
) -> None:
    cz, admin = accounts["czclerk"], accounts["ziyuan"]
    r = three["restricted"]
    req = services.request_create(actor=fresh(cz), resource=r, reason="编制财源建设方案")
    assert req.unit_id == units["财政局"].pk and req.status == RequestStatus.PENDING
    assert req.reply_due is not None and req.reply_due > timezone.localdate() + timedelta(days=9)
    note = Notification.objects.get(event="library.request_new", user=admin)
    assert "财政局" in note.title and "限定数据" in note.title
    with pytest.raises(TongbanError) as exc:
        services.request_create(actor=fresh(cz), resource=r, reason="again")
    assert exc.value.code == "library.request_pending"
    # someone not the owner's admin cannot decide
    with pytest.raises(PermissionDenied):
        services.request_approve(actor=fresh(cz), req=req)
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING
    until = timezone.localdate() + timedelta(days=30)
    services.request_approve(actor=fresh(admin), req=req, expires_on=until)
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED and req.expires_on == until and req.decided_by == admin
    decided = Notification.objects.get(event="library.request_decided", user=cz)
    assert "已同意" in decided.title
    loaded = access.access_resource(r.pk, fresh(cz))
    assert access.can_download(fresh(cz), loaded)
    # every staff member of 财政局 may now download
    other = User.objects.filter(posts__unit=units["财政局"]).exclude(pk=cz.pk).first()
    assert other is not None and access.can_download(fresh(other), access.access_resource(r.pk, fresh(other)))
    with pytest.raises(TongbanError) as exc:
        services.request_approve(actor=fresh(admin), req=req)
    assert exc.value.code == "library.request_decided"
    with pytest.raises(TongbanError) as exc:
        services.request_create(actor=fresh(cz), resource=r, reason="again")
    assert exc.value.code == "library.already_granted"


def test_expired_grant_no_longer_downloads(three: dict[str, Resource], accounts: dict[str, User]) -> None:
    cz, admin = accounts["czclerk"], accounts["ziyuan"]
    r = three["conditional"]
    req = services.request_create(actor=fresh(cz), resource=r, reason="用途")
    with pytest.raises(TongbanError) as exc:
        services.request_approve(
            actor=fresh(admin), req=req, expires_on=timezone.localdate() - timedelta(days=1)
        )
    assert exc.value.code == "library.expiry_past"
    services.request_approve(actor=fresh(admin), req=req, expires_on=timezone.localdate())
    assert access.can_download(fresh(cz), access.access_resource(r.pk, fresh(cz)))
    AccessRequest.objects.filter(pk=req.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert not access.can_download(fresh(cz), access.access_resource(r.pk, fresh(cz)))
    with pytest.raises(PermissionDenied):
        services.download_record(actor=fresh(cz), resource=r, version=r.current_version)  # type: ignore[arg-type]
    assert DownloadLog.objects.count() == 0


def test_refuse_needs_reason_and_notifies(three: dict[str, Resource], accounts: dict[str, User]) -> None:
    cz, admin = accounts["czclerk"], accounts["ziyuan"]
    req = services.request_create(actor=fresh(cz), resource=three["conditional"], reason="用途")
    with pytest.raises(TongbanError) as exc:
        services.request_refuse(actor=fresh(admin), req=req, reason="  ")
    assert exc.value.code == "library.refuse_reason_required"
    services.request_refuse(actor=fresh(admin), req=req, reason="涉及个人信息，请通过数据局申请脱敏数据")
    req.refresh_from_db()
    assert req.status == RequestStatus.REFUSED and "脱敏" in req.decision_note
    n = Notification.objects.get(event="library.request_decided", user=cz)
    assert "未获同意" in n.title and "脱敏" in n.body
    assert not access.can_download(fresh(cz), access.access_resource(three["conditional"].pk, fresh(cz)))
    # a new request may follow a refusal
    services.request_create(actor=fresh(cz), resource=three["conditional"], reason="补充说明用途")


def test_who_may_request(three: dict[str, Resource], accounts: dict[str, User], outsider: User) -> None:
    with pytest.raises(TongbanError) as exc:
        services.request_create(actor=fresh(accounts["czclerk"]), resource=three["open"], reason="x")
    assert exc.value.code == "library.no_request_needed"
    with pytest.raises(PermissionDenied):  # the owner does not ask itself
        services.request_create(actor=fresh(accounts["ziyuan"]), resource=three["conditional"], reason="x")
    with pytest.raises(PermissionDenied):  # not a named unit
        services.request_create(actor=fresh(outsider), resource=three["restricted"], reason="x")
    with pytest.raises(TongbanError) as exc:
        services.request_create(actor=fresh(accounts["czclerk"]), resource=three["conditional"], reason=" ")
    assert exc.value.code == "library.reason_required"
    assert (
        AccessRequest.objects.count() == 0
        and Notification.objects.filter(event__startswith="library").count() == 0
    )


def test_download_is_logged_and_audited(
    three: dict[str, Resource], accounts: dict[str, User], units: dict[str, Unit], rf: Any
) -> None:
    cz = accounts["czclerk"]
    r = three["open"]
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    log = services.download_record(actor=fresh(cz), resource=r, version=r.current_version, request=request)  # type: ignore[arg-type]
    assert (log.unit_id, log.ip, log.version.number, log.user_id) == (
        units["财政局"].pk,
        "10.1.2.3",
        1,
        cz.pk,
    )
    rec = AuditRecord.objects.get(event="library.downloaded")
    assert rec.actor_id == cz.pk and rec.ip == "10.1.2.3" and rec.object_id == str(r.pk)
    services.download_record(actor=fresh(accounts["ziyuan"]), resource=r, version=r.current_version)  # type: ignore[arg-type]
    stats = selectors.download_stats(r)
    assert (stats.total, stats.users, stats.units) == (2, 2, 2)
    assert sorted(u["count"] for u in stats.by_unit) == [1, 1]
    assert stats.by_month == [{"month": timezone.localdate().strftime("%Y-%m"), "count": 2}]


def test_catalogue_search_and_filters(
    three: dict[str, Resource], accounts: dict[str, User], units: dict[str, Unit]
) -> None:
    admin = accounts["ziyuan"]
    publish(
        admin,
        units["统计局"],
        title="统计报表模板",
        kind=ResourceKind.TEMPLATE,
        data=PDF,
        name="模板.pdf",
        description="月度财政收支报表",
        keywords="报表 月报",
    )
    cz = fresh(accounts["czclerk"])

    def titles(**kw: Any) -> list[str]:
        return sorted(r.title for r in selectors.catalogue(user=cz, **kw))

    assert titles(q="财政收支") == ["统计报表模板"]  # 财政 + 收支, both in the description
    assert titles(q="月报") == ["统计报表模板"]
    assert titles(q="统计局 限定") == ["限定数据"]  # owner name + title
    assert titles(kind=ResourceKind.TEMPLATE) == ["统计报表模板"]
    assert titles(sharing=SharingLevel.CONDITIONAL) == ["有条件数据"]
    assert len(titles(owner_unit_id=units["统计局"].pk)) == 4
    assert titles(owner_unit_id=units["财政局"].pk) == []
    assert titles(owner_unit_id=2**70) == []
