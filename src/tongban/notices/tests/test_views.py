from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.core.models import AuditRecord
from tongban.notices import selectors, services
from tongban.notices.models import Notice, NoticeReceipt, NoticeStatus
from tongban.notices.tests.conftest import PDF, make_notice
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_publish_form_with_attachment_to_chosen_units(client, accounts, units):
    oh = accounts["officehead"]
    _client(client, oh)
    page = client.get(reverse("notices:new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "全县" in html and f'value="{units["财政局"].pk}"' in html
    resp = client.post(
        reverse("notices:new"),
        {
            "unit": units["政府办"].pk,
            "title": "关于<b>报送</b>材料的通知",
            "body": "第一段<script>alert(1)</script>\n\n第二段",
            "importance": "important",
            "audience": "units",
            "units": [units["财政局"].pk],
            "requires_confirmation": "on",
            "action": "publish",
            "attachments": [SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf")],
        },
    )
    notice = Notice.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("notices:status", args=[notice.pk])
    assert notice.status == NoticeStatus.PUBLISHED and notice.attachments.count() == 1
    # the reader's page escapes what the publisher typed and keeps the paragraphs
    _client(client, accounts["unitleader"])
    html = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;报送&lt;/b&gt;" in html
    assert "<p>第一段" in html and "<p>第二段</p>" in html
    assert "确认已读" in html and "材料.pdf" in html


def test_publish_form_refuses_a_bad_attachment_and_saves_nothing(client, accounts, units):
    _client(client, accounts["officehead"])
    resp = client.post(
        reverse("notices:new"),
        {
            "unit": units["政府办"].pk,
            "title": "t",
            "importance": "normal",
            "audience": "county",
            "action": "publish",
            "attachments": [SimpleUploadedFile("x.html", b"<html>", content_type="text/html")],
        },
    )
    assert resp.status_code == 200
    assert "不支持的文件类型" in resp.content.decode()
    assert Notice.objects.count() == 0 and not Notification.objects.exists()


def test_a_refused_publish_keeps_no_uploaded_file(client, accounts, units, settings):
    from pathlib import Path

    _client(client, accounts["officehead"])
    resp = client.post(
        reverse("notices:new"),
        {
            "unit": units["政府办"].pk,
            "title": "t",
            "importance": "normal",
            "audience": "units",  # but no unit chosen: publishing is refused after the upload
            "action": "publish",
            "attachments": [SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert resp.status_code == 200 and "请选择发送单位" in resp.content.decode()
    assert Notice.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_publish_form_is_refused_to_people_without_a_publisher_role(client, outsider):
    _client(client, outsider)
    assert client.get(reverse("notices:new")).status_code == 403
    assert client.post(reverse("notices:new"), {"title": "t", "action": "publish"}).status_code == 403
    assert Notice.objects.count() == 0


def test_list_unread_first_with_search_and_badge(client, accounts, units):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    first = make_notice(oh, units["政府办"], targets=[units["财政局"]], title="关于防汛值班的通知")
    second = make_notice(oh, units["政府办"], whole_county=True, title="关于节日安全的通知")
    services.notice_read(actor=ul, notice=second)
    _client(client, ul)
    resp = client.get(reverse("notices:list"))
    html = resp.content.decode()
    assert html.index("关于防汛值班的通知") < html.index("关于节日安全的通知")  # unread first
    assert [n.pk for n in resp.context["page"].object_list] == [first.pk, second.pk]
    found = client.get(reverse("notices:list"), {"q": "防汛"}).context["page"].object_list
    assert [n.pk for n in found] == [first.pk]
    home = client.get("/").content.decode()
    assert "关于防汛值班的通知" in home  # workbench panel
    assert selectors.unread_count(user=ul) == 1


def test_detail_marks_read_and_confirm_button(client, accounts, units):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    _client(client, ul)
    client.get(reverse("notices:detail", args=[notice.pk]))
    receipt = NoticeReceipt.objects.get(notice=notice, user=ul)
    assert receipt.read_at is not None and receipt.confirmed_at is None
    resp = client.post(reverse("notices:confirm", args=[notice.pk]))
    assert resp.status_code == 302
    receipt.refresh_from_db()
    assert receipt.confirmed_at is not None
    assert "确认已读" in client.get(reverse("notices:detail", args=[notice.pk])).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "reader", "publisher"])
def test_authorization_matrix_pages(client, accounts, units, outsider, who):
    oh = accounts["officehead"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    draft = make_notice(oh, units["政府办"], targets=[units["财政局"]], publish=False)
    user = {"anonymous": None, "outsider": outsider, "reader": accounts["unitleader"], "publisher": oh}[who]
    _client(client, user)
    audit_before = AuditRecord.objects.count()
    notes_before = Notification.objects.count()

    detail = client.get(reverse("notices:detail", args=[notice.pk]))
    confirm = client.post(reverse("notices:confirm", args=[notice.pk]))
    status = client.get(reverse("notices:status", args=[notice.pk]))
    remind = client.post(reverse("notices:remind", args=[notice.pk]))
    draft_page = client.get(reverse("notices:edit", args=[draft.pk]))
    publish = client.post(reverse("notices:publish", args=[draft.pk]))
    withdraw = client.post(reverse("notices:withdraw", args=[notice.pk]))
    notice.refresh_from_db()
    draft.refresh_from_db()
    if who == "anonymous":
        for r in (detail, confirm, status, remind, draft_page, publish, withdraw):
            assert r.status_code == 302 and "/account/login/" in r["Location"]
    elif who == "outsider":
        assert [r.status_code for r in (detail, confirm, status, remind, draft_page, publish, withdraw)] == [
            404
        ] * 7
    elif who == "reader":
        assert detail.status_code == 200 and confirm.status_code == 302
        assert [r.status_code for r in (status, remind, withdraw)] == [403] * 3
        assert [r.status_code for r in (draft_page, publish)] == [404] * 2  # a draft is not shown to readers
    if who != "publisher":
        assert notice.status == NoticeStatus.PUBLISHED and notice.last_reminded_at is None
        assert draft.status == NoticeStatus.DRAFT
        assert not Notification.objects.filter(event="notices.reminder").exists()
        assert Notification.objects.count() == notes_before
        if who != "reader":
            assert AuditRecord.objects.count() == audit_before
            assert (
                not NoticeReceipt.objects.filter(notice=notice, read_at__isnull=False)
                .exclude(user=oh)
                .exists()
            )
    else:
        assert [r.status_code for r in (detail, status, draft_page)] == [200] * 3
        assert notice.status == NoticeStatus.WITHDRAWN and notice.last_reminded_at is not None
        assert draft.status == NoticeStatus.PUBLISHED


def test_status_page_lists_who_has_not_read_and_reminds(client, accounts, units):
    oh, ul, cz = accounts["officehead"], accounts["unitleader"], accounts["czclerk"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    services.notice_confirm(actor=ul, notice=notice)
    _client(client, oh)
    html = client.get(reverse("notices:status", args=[notice.pk])).content.decode()
    assert cz.full_name in html and ul.full_name not in html
    assert "提醒未读人员" in html
    resp = client.post(reverse("notices:remind", args=[notice.pk]), follow=True)
    assert "已提醒" in resp.content.decode()
    assert Notification.objects.filter(event="notices.reminder", user=cz).exists()
    assert not Notification.objects.filter(event="notices.reminder", user=ul).exists()
    resp = client.post(reverse("notices:remind", args=[notice.pk]), follow=True)
    assert "每小时最多提醒一次" in resp.content.decode()


def test_attachment_download_headers(client, accounts, units, outsider):
    import io

    oh = accounts["officehead"]
    draft = make_notice(oh, units["政府办"], targets=[units["财政局"]], publish=False)
    att = services.notice_attach(actor=oh, notice=draft, file=io.BytesIO(PDF), name="附件一.pdf")
    services.notice_publish(actor=oh, notice=draft)
    url = reverse("notices:attachment", args=[draft.pk, att.pk])
    _client(client, accounts["unitleader"])
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in resp["Content-Disposition"]
    assert b"".join(resp.streaming_content) == PDF
    client.logout()
    _client(client, outsider)
    assert client.get(url).status_code == 404


def test_nav_entry_with_badge(client, accounts, units):
    make_notice(accounts["officehead"], units["政府办"], targets=[units["财政局"]])
    _client(client, accounts["unitleader"])
    html = client.get("/").content.decode()
    assert (
        'href="/notices/"><i aria-hidden="true" class="bi bi-megaphone me-2"></i>通知公告 <span class="badge'
        in html
    )


def test_list_queries_do_not_grow_with_the_notices(client, accounts, units, django_assert_max_num_queries):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    make_notice(oh, units["政府办"], targets=[units["财政局"]])
    _client(client, ul)
    client.get(reverse("notices:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notices:list"))
    for i in range(8):
        make_notice(
            oh, units["政府办"], whole_county=bool(i % 2), targets=[units["财政局"]], title=f"通知{i}"
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("notices:list"))


def test_live_search_answers_the_results_fragment(client, accounts, units):
    make_notice(
        accounts["officehead"], units["政府办"], targets=[units["财政局"]], title="关于防汛值班的通知"
    )
    _client(client, accounts["unitleader"])
    resp = client.get(
        reverse("notices:list"), {"q": "防汛"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="nt-results"
    )
    html = resp.content.decode()
    assert "关于防汛值班的通知" in html and "<html" not in html
    resp = client.get(
        reverse("notices:list"), {"q": "没有"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="nt-results"
    )
    assert "没有找到匹配的通知" in resp.content.decode()


def test_expired_notices_are_not_counted_unread(accounts, units):
    from datetime import timedelta

    from django.utils import timezone

    ul = accounts["unitleader"]
    notice = make_notice(accounts["officehead"], units["政府办"], targets=[units["财政局"]])
    assert selectors.unread_count(user=ul) == 1
    Notice.objects.filter(pk=notice.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    ul._notices_unread = None
    assert selectors.unread_count(user=ul) == 0
    assert list(selectors.notices_for(user=ul)) == [notice]  # still listed
    assert selectors.latest_for_home(user=ul) == []
