"""/api/v1/notices/: every endpoint, and the authorization matrix (anonymous / outside the audience /
in the audience / publisher) asserting that refused calls change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.core.models import AuditRecord
from tongban.notices.models import Notice, NoticeAttachment, NoticeReceipt
from tongban.notices.tests.conftest import PDF, make_notice
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db
API = "/api/v1/notices"


def test_publisher_flow_through_the_api(client, accounts, units):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    client.force_login(oh)
    resp = client.post(
        f"{API}/",
        {
            "unit_id": units["政府办"].pk,
            "title": "关于报送年度总结的通知",
            "body": "请于月底前报送。",
            "importance": "important",
            "target_unit_ids": [units["财政局"].pk],
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    nid = resp.json()["id"]
    assert resp.json()["status"] == "draft" and resp.json()["target_unit_ids"] == [units["财政局"].pk]
    up = client.post(f"{API}/{nid}/attachments", {"file": SimpleUploadedFile("附件.pdf", PDF)})
    assert up.status_code == 201 and up.json()["name"] == "附件.pdf"
    bad = client.post(f"{API}/{nid}/attachments", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and bad.json()["code"] == "notices.attachment_type"
    upd = client.put(
        f"{API}/{nid}",
        {
            "title": "关于报送年度工作总结的通知",
            "target_unit_ids": [units["财政局"].pk],
            "importance": "urgent",
        },
        content_type="application/json",
    )
    assert upd.status_code == 200 and upd.json()["importance"] == "urgent"
    pub = client.post(f"{API}/{nid}/publish")
    assert (
        pub.status_code == 200
        and pub.json()["audience"] == NoticeReceipt.objects.filter(notice_id=nid).count()
    )
    assert client.get(f"{API}/managed").json()["items"][0]["id"] == nid

    client.force_login(ul)
    assert client.get(f"{API}/unread-count").json() == {"unread": 1}
    lst = client.get(f"{API}/", {"q": "年度"}).json()
    assert lst["count"] == 1 and lst["items"][0]["read_at"] is None
    got = client.get(f"{API}/{nid}").json()
    assert got["read_at"] is not None and got["confirmed_at"] is None and not got["can_manage"]
    att_id = got["attachments"][0]["id"]
    dl = client.get(f"{API}/{nid}/attachments/{att_id}")
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == PDF
    assert client.post(f"{API}/{nid}/confirm").json()["confirmed_at"] is not None
    assert client.get(f"{API}/unread-count").json() == {"unread": 0}

    client.force_login(oh)
    st = client.get(f"{API}/{nid}/read-status").json()
    cz = next(u for u in st["units"] if u["unit_id"] == units["财政局"].pk)
    assert cz["confirmed"] == 1 and ul.pk not in [p["user_id"] for p in cz["not_read"]]
    assert accounts["czclerk"].pk in [p["user_id"] for p in cz["not_read"]]
    rem = client.post(f"{API}/{nid}/remind")
    assert rem.status_code == 200 and rem.json()["reminded"] == st["total"] - 1
    again = client.post(f"{API}/{nid}/remind")
    assert again.status_code == 400 and again.json()["code"] == "notices.remind_too_soon"
    wd = client.post(f"{API}/{nid}/withdraw", {"reason": "重发"}, content_type="application/json")
    assert wd.status_code == 200 and wd.json()["status"] == "withdrawn"


def _state(notice: Notice) -> tuple:
    notice.refresh_from_db()
    return (
        notice.status,
        notice.title,
        notice.last_reminded_at,
        NoticeAttachment.objects.filter(notice=notice).count(),
        NoticeReceipt.objects.filter(notice=notice, read_at__isnull=False).count(),
        NoticeReceipt.objects.filter(notice=notice, confirmed_at__isnull=False).count(),
    )


@pytest.mark.parametrize("who", ["anonymous", "outsider", "reader", "publisher"])
def test_authorization_matrix(client, accounts, units, outsider, who):
    oh = accounts["officehead"]
    published = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    draft = make_notice(oh, units["政府办"], targets=[units["财政局"]], publish=False)
    user = {"anonymous": None, "outsider": outsider, "reader": accounts["unitleader"], "publisher": oh}[who]
    if user is not None:
        client.force_login(user)
    before_pub, before_draft = _state(published), _state(draft)
    audit_before = AuditRecord.objects.count()
    notes_before = Notification.objects.count()
    calls = {
        "create": client.post(
            f"{API}/",
            {"unit_id": units["政府办"].pk, "title": "x", "whole_county": True},
            content_type="application/json",
        ).status_code,
        "update": client.put(
            f"{API}/{draft.pk}",
            {"title": "改", "target_unit_ids": [units["财政局"].pk]},
            content_type="application/json",
        ).status_code,
        "upload": client.post(
            f"{API}/{draft.pk}/attachments", {"file": SimpleUploadedFile("a.pdf", PDF)}
        ).status_code,
        "publish": client.post(f"{API}/{draft.pk}/publish").status_code,
        "status": client.get(f"{API}/{published.pk}/read-status").status_code,
        "remind": client.post(f"{API}/{published.pk}/remind").status_code,
        "withdraw": client.post(
            f"{API}/{published.pk}/withdraw", {}, content_type="application/json"
        ).status_code,
        "get_draft": client.get(f"{API}/{draft.pk}").status_code,
        "get": client.get(f"{API}/{published.pk}").status_code,
        "confirm": client.post(f"{API}/{published.pk}/confirm").status_code,
    }
    manage = ["create", "update", "upload", "publish", "status", "remind", "withdraw"]
    if who == "anonymous":
        assert set(calls.values()) == {401}
    elif who == "outsider":
        assert calls["create"] == 403
        assert {calls[k] for k in manage if k != "create"} == {404}
        assert calls["get"] == calls["get_draft"] == calls["confirm"] == 404
    elif who == "reader":
        assert calls["create"] == 403
        assert calls["update"] == calls["upload"] == calls["publish"] == calls["get_draft"] == 404
        assert calls["status"] == calls["remind"] == calls["withdraw"] == 403
        assert calls["get"] == calls["confirm"] == 200
    else:
        assert calls == {
            "create": 201,
            "update": 200,
            "upload": 201,
            "publish": 200,
            "status": 200,
            "remind": 200,
            "withdraw": 200,
            "get_draft": 200,
            "get": 200,
            "confirm": 404,  # withdrawn by now
        }
        return
    # refused: nothing changed
    assert Notice.objects.count() == 2
    assert _state(draft) == before_draft
    if who == "reader":
        after = _state(published)
        assert after[:4] == before_pub[:4]
        assert after[4] == before_pub[4] + 1 and after[5] == before_pub[5] + 1  # own read and confirmation
        assert not Notification.objects.filter(event="notices.reminder").exists()
        assert Notification.objects.count() == notes_before
    else:
        assert _state(published) == before_pub
        assert AuditRecord.objects.count() == audit_before
        assert Notification.objects.count() == notes_before


def test_bad_payload_is_422_and_changes_nothing(client, accounts, units):
    client.force_login(accounts["officehead"])
    resp = client.post(f"{API}/", {"unit_id": "x"}, content_type="application/json")
    assert resp.status_code == 422
    resp = client.post(
        f"{API}/",
        {"unit_id": units["政府办"].pk, "title": "", "whole_county": True},
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["code"] == "notices.title_required"
    assert Notice.objects.count() == 0
