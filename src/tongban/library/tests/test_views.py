"""The pages: publish with schema inference, the escaped preview, edit, versions, requests,
download log; refused roles get 403/404 and nothing changes; the catalogue's query count is fixed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.identity.models import User
from tongban.library.models import (
    AccessRequest,
    DownloadLog,
    RequestStatus,
    Resource,
    ResourceVersion,
    SharingLevel,
)
from tongban.library.tests.conftest import CSV, PDF, publish, xlsx
from tongban.notify.models import Notification
from tongban.orgs.models import Unit

pytestmark = pytest.mark.django_db


def _publish_post(client: Any, units: dict[str, Unit], **extra: Any) -> Any:
    data = {
        "owner_unit": units["统计局"].pk,
        "kind": "dataset",
        "title": "乡镇人口<b>统计</b>",
        "description": "各乡镇人口",
        "category": "人口",
        "keywords": "人口 乡镇",
        "update_frequency": "yearly",
        "sharing": "open",
        "contact": "王明",
        "note": "",
        "file": SimpleUploadedFile(
            "人口.xlsx", xlsx([["乡镇", "人口"], ["<script>alert(1)</script>", 52000]])
        ),
    }
    data.update(extra)
    return client.post(reverse("library:publish"), data)


def test_publish_page_infers_schema_and_escapes_preview(
    client: Any, accounts: dict[str, User], units: dict[str, Unit]
) -> None:
    client.force_login(accounts["ziyuan"])
    assert client.get(reverse("library:publish")).status_code == 200
    resp = _publish_post(client, units)
    r = Resource.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("library:detail", args=[r.pk])
    assert r.current_version is not None and [c["type"] for c in r.current_version.schema] == [
        "text",
        "integer",
    ]
    client.force_login(accounts["czclerk"])
    html = client.get(reverse("library:detail", args=[r.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "乡镇人口&lt;b&gt;统计&lt;/b&gt;" in html
    assert 'data-type="integer"' in html and 'id="lib-download"' in html


def test_publish_bad_file_shows_message_and_saves_nothing(
    client: Any, accounts: dict[str, User], units: dict[str, Unit], media_files: Any
) -> None:
    client.force_login(accounts["ziyuan"])
    resp = _publish_post(client, units, file=SimpleUploadedFile("数据.xlsx", PDF))
    assert resp.status_code == 200
    assert "内容与扩展名不符" in resp.content.decode()
    resp = _publish_post(client, units, file=SimpleUploadedFile("数据.csv", b"a,b\n\xff\xfe\x81\x20\n"))
    assert "UTF-8 或 GB18030" in resp.content.decode()
    resp = _publish_post(client, units, sharing="restricted")
    assert "至少选择一个单位" in resp.content.decode()
    assert Resource.objects.count() == 0 and media_files() == []


def test_edit_entry_and_schema_then_new_version(
    client: Any, accounts: dict[str, User], units: dict[str, Unit]
) -> None:
    admin = accounts["ziyuan"]
    r = publish(admin, units["统计局"])
    client.force_login(admin)
    page = client.get(reverse("library:edit", args=[r.pk]))
    assert page.status_code == 200 and 'name="col-3-type"' in page.content.decode()
    resp = client.post(
        reverse("library:edit", args=[r.pk]),
        {
            "title": "主要经济指标（修订）",
            "update_frequency": "quarterly",
            "sharing": "restricted",
            "shared_units": [units["财政局"].pk],
            "col-0-name": "乡镇",
            "col-0-type": "text",
            "col-0-description": "乡镇名称",
            "col-1-name": "人口",
            "col-1-type": "decimal",
            "col-2-name": "面积",
            "col-2-type": "decimal",
            "col-3-name": "统计日期",
            "col-3-type": "date",
        },
    )
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.title == "主要经济指标（修订）" and r.sharing == SharingLevel.RESTRICTED
    assert list(r.shared_units.values_list("pk", flat=True)) == [units["财政局"].pk]
    assert r.current_version is not None and r.current_version.schema[1]["type"] == "decimal"
    assert r.current_version.schema[0]["description"] == "乡镇名称"
    resp = client.post(
        reverse("library:version_new", args=[r.pk]),
        {"note": "更正", "file": SimpleUploadedFile("v2.csv", "乡镇,人口\n城关镇,1\n".encode("gb18030"))},
    )
    assert resp.status_code == 302
    assert [v.number for v in ResourceVersion.objects.filter(resource=r)] == [2, 1]
    html = client.get(reverse("library:detail", args=[r.pk])).content.decode()
    assert reverse("library:download_version", args=[r.pk, 1]) in html
    old = client.get(reverse("library:download_version", args=[r.pk, 1]))
    assert old.status_code == 200 and b"".join(old.streaming_content) == CSV
    assert old["X-Content-Type-Options"] == "nosniff"


def test_request_approve_download_through_pages(
    client: Any, accounts: dict[str, User], units: dict[str, Unit]
) -> None:
    admin, cz = accounts["ziyuan"], accounts["czclerk"]
    r = publish(admin, units["统计局"], sharing=SharingLevel.RESTRICTED, shared=[units["财政局"]])
    client.force_login(cz)
    assert client.get(reverse("library:download", args=[r.pk])).status_code == 403
    assert DownloadLog.objects.count() == 0
    resp = client.post(reverse("library:request", args=[r.pk]), {"reason": "编制方案"})
    assert resp.status_code == 302
    req = AccessRequest.objects.get()
    out = client.get(reverse("library:requests")).content.decode()
    assert "编制方案" in out and "待审核" in out
    # czclerk cannot decide his own request
    assert client.post(reverse("library:request_approve", args=[req.pk])).status_code == 404
    client.force_login(admin)
    incoming = client.get(reverse("library:requests")).content.decode()
    assert f'data-request="{req.pk}"' in incoming and "lib-approve" in incoming
    resp = client.post(reverse("library:request_approve", args=[req.pk]), {"expires_on": ""})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    assert Notification.objects.filter(user=cz, event="library.request_decided").count() == 1
    client.force_login(cz)
    dl = client.get(reverse("library:download", args=[r.pk]))
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == CSV
    assert dl["Content-Type"] == "text/csv; charset=utf-8"
    assert DownloadLog.objects.filter(user=cz, unit=units["财政局"]).count() == 1
    client.force_login(admin)
    log = client.get(reverse("library:downloads", args=[r.pk])).content.decode()
    assert "财政局" in log and 'id="lib-total">1<' in log


def test_refuse_through_page(client: Any, accounts: dict[str, User], units: dict[str, Unit]) -> None:
    admin, cz = accounts["ziyuan"], accounts["czclerk"]
    r = publish(admin, units["统计局"], sharing=SharingLevel.CONDITIONAL)
    client.force_login(cz)
    client.post(reverse("library:request", args=[r.pk]), {"reason": "用途"})
    req = AccessRequest.objects.get()
    client.force_login(admin)
    resp = client.post(reverse("library:request_refuse", args=[req.pk]), {"reason": ""}, follow=True)
    assert "说明理由" in resp.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING
    client.post(reverse("library:request_refuse", args=[req.pk]), {"reason": "数据尚未核定"})
    req.refresh_from_db()
    assert req.status == RequestStatus.REFUSED and req.decision_note == "数据尚未核定"


@pytest.fixture
def restricted(accounts: dict[str, User], units: dict[str, Unit]) -> Resource:
    return publish(
        accounts["ziyuan"], units["统计局"], sharing=SharingLevel.RESTRICTED, shared=[units["财政局"]]
    )


def _state() -> tuple[Any, ...]:
    r = Resource.objects.order_by("pk").values_list("title", "sharing", "current_version_id")
    return (
        tuple(r),
        ResourceVersion.objects.count(),
        tuple(AccessRequest.objects.values_list("status", flat=True)),
        DownloadLog.objects.count(),
        AuditRecord.objects.filter(event__startswith="library.").count(),
    )


@pytest.mark.parametrize("who", ["anonymous", "czclerk", "outsider", "sysadmin"])
def test_refused_roles_change_nothing(
    client: Any,
    who: str,
    restricted: Resource,
    accounts: dict[str, User],
    outsider: User,
    units: dict[str, Unit],
) -> None:
    """Management pages and actions refuse everyone but the owner's 资源管理员."""
    cz = accounts["czclerk"]
    req = AccessRequest.objects.create(resource=restricted, unit=units["财政局"], requester=cz, reason="x")
    user = {"anonymous": None, "outsider": outsider}.get(who, accounts.get(who))
    if user is not None:
        client.force_login(user)
    before = _state()
    pk = restricted.pk
    hidden = who in ("outsider", "sysadmin")  # not a named unit: the entry does not exist for them
    gets = [
        reverse("library:publish"),
        reverse("library:edit", args=[pk]),
        reverse("library:version_new", args=[pk]),
        reverse("library:downloads", args=[pk]),
        reverse("library:download", args=[pk]),
        reverse("library:download_version", args=[pk, 1]),
    ]
    posts = [
        (reverse("library:publish"), {"title": "x", "kind": "dataset", "owner_unit": units["统计局"].pk}),
        (reverse("library:edit", args=[pk]), {"title": "改", "sharing": "open", "update_frequency": "daily"}),
        (reverse("library:version_new", args=[pk]), {"file": SimpleUploadedFile("a.csv", CSV)}),
        (reverse("library:request_approve", args=[req.pk]), {}),
        (reverse("library:request_refuse", args=[req.pk]), {"reason": "no"}),
    ]
    for url in gets:
        code = client.get(url).status_code
        if user is None:
            assert code == 302, url
        elif url == reverse("library:publish"):
            assert code == 403, url
        else:
            assert code == (404 if hidden else 403), url
    for url, data in posts:
        code = client.post(url, data).status_code
        if user is None:
            assert code == 302, url
        elif "requests/" in url:
            assert code == 404, url
        elif url == reverse("library:publish"):
            assert code == 403, url
        else:
            assert code == (404 if hidden else 403), url
    if hidden:
        assert client.get(reverse("library:detail", args=[pk])).status_code == 404
        assert client.post(reverse("library:request", args=[pk]), {"reason": "x"}).status_code == 404
    assert _state() == before


def test_every_staff_sees_catalogue_and_own_requests(client: Any, accounts: dict[str, User]) -> None:
    for name in ("czclerk", "sysadmin", "clerk"):
        client.force_login(accounts[name])
        assert client.get(reverse("library:catalogue")).status_code == 200
        assert client.get(reverse("library:requests")).status_code == 200
    assert client.get(reverse("library:detail", args=[2**40])).status_code == 404


def test_catalogue_query_count_is_fixed(
    client: Any, accounts: dict[str, User], units: dict[str, Unit], django_assert_max_num_queries: Any
) -> None:
    admin = accounts["ziyuan"]
    publish(admin, units["统计局"], title="a0")
    client.force_login(accounts["czclerk"])
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("library:catalogue")).status_code == 200
    for i in range(1, 12):
        publish(
            admin,
            units["统计局"],
            title=f"a{i}",
            sharing=SharingLevel.RESTRICTED if i % 2 else "open",
            shared=[units["财政局"]],
        )
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        html = client.get(
            reverse("library:catalogue"), {"q": "a", "owner": units["统计局"].pk}
        ).content.decode()
    assert html.count("data-resource=") == 12
    assert len(big.captured_queries) == len(small.captured_queries)


def test_nav_entry_costs_no_query(accounts: dict[str, User], django_assert_num_queries: Any) -> None:
    from tongban.core import nav

    user = User.objects.get(pk=accounts["czclerk"].pk)
    user._orgs_role_pairs = frozenset()  # type: ignore[attr-defined]
    item = nav._ITEMS["library"]
    with django_assert_num_queries(0):
        assert item.visible(user)
    assert not item.visible(AnonymousUser())
    assert (item.url_name, item.order, str(item.section), str(item.label)) == (
        "library:catalogue",
        445,
        "常用",
        "共享资源库",
    )


def test_document_pdf_has_no_preview(client: Any, accounts: dict[str, User], units: dict[str, Unit]) -> None:
    r = publish(
        accounts["ziyuan"], units["统计局"], kind="document", data=PDF, name="通知.pdf", title="统计制度"
    )
    client.force_login(accounts["czclerk"])
    html = client.get(reverse("library:detail", args=[r.pk])).content.decode()
    assert "lib-preview" not in html and "通知.pdf" in html
