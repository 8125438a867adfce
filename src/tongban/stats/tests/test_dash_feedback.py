"""Feedback from a page to the answer: the page is attached (same-site only), the 考核管理员
triages and answers, the author is notified, the changelog links what was done."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tongban.notify.models import Notification
from tongban.stats import feedback as fbs
from tongban.stats import testing_dash as t
from tongban.stats.models import ChangelogEntry, Feedback, FeedbackStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> t.DashWorld:
    return t.build_world()


def client(w: t.DashWorld, username: str) -> Client:
    c = Client()
    c.force_login(w.users[username])
    return c


def test_page_url_is_same_site() -> None:
    assert fbs.clean_page_url("/documents/3/?tab=flow") == "/documents/3/?tab=flow"
    assert fbs.clean_page_url("http://testserver/notices/?q=1", "testserver") == "/notices/?q=1"
    assert fbs.clean_page_url("") == ""
    for bad in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)", "notices/", "/a\\b",
                "http://evil.example/", "/" + "x" * 600):  # fmt: skip
        with pytest.raises(fbs.TongbanError):
            fbs.clean_page_url(bad, "testserver")


def test_form_prefilled_and_sent(w: t.DashWorld) -> None:
    c = client(w, "czclerk")
    r = c.get(reverse("stats_dash:feedback_new") + "?page=/documents/%3Fbox%3Dtodo&title=%E5%85%AC%E6%96%87")
    html = r.content.decode()
    assert 'value="/documents/?box=todo"' in html and 'value="公文"' in html
    # a foreign page is not prefilled
    r = c.get(reverse("stats_dash:feedback_new") + "?page=https://evil.example/")
    assert 'name="page_url" value="https://evil.example/"' not in r.content.decode()
    assert 'name="page_url"' in r.content.decode()
    r = c.post(reverse("stats_dash:feedback_new"), {"kind": "bug", "title": "按钮没反应", "body": "点击办理没反应",
               "page_url": "https://evil.example/x", "page_title": "x"})  # fmt: skip
    assert r.status_code == 200 and "所在页面须为本站地址" in r.content.decode()
    assert not Feedback.objects.exists()
    r = c.post(reverse("stats_dash:feedback_new"), {"kind": "bug", "title": "按钮没反应", "body": "点击办理没反应",
               "page_url": "/documents/?box=todo", "page_title": "公文"}, HTTP_USER_AGENT="UA-test")  # fmt: skip
    fb = Feedback.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"#fb-{fb.pk}")
    assert (fb.author, fb.unit, fb.kind, fb.page_url, fb.page_title, fb.user_agent) == (
        w.users["czclerk"],
        w.units["czj"],
        "bug",
        "/documents/?box=todo",
        "公文",
        "UA-test",
    )
    mine = c.get(reverse("stats_dash:feedback_mine")).content.decode()
    assert "按钮没反应" in mine and "待处理" in mine
    # another staff member does not see it
    assert "按钮没反应" not in client(w, "handler").get(reverse("stats_dash:feedback_mine")).content.decode()


def test_triage_answer_notify_changelog(w: t.DashWorld) -> None:
    fb = fbs.feedback_create(
        actor=w.users["czclerk"], kind="suggestion", title="希望增加常用意见", body="签批常用语"
    )
    other = fbs.feedback_create(actor=w.users["handler"], kind="bug", title="列表错位", body="手机上错位")
    kaohe = client(w, "kaohe")
    page = kaohe.get(reverse("stats_dash:feedback_manage") + "?kind=bug").content.decode()
    assert "列表错位" in page and "希望增加常用意见" not in page
    r = kaohe.post(reverse("stats_dash:feedback_answer", args=[fb.pk]), {"status": "new", "answer": "x"})
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.NEW  # "new" is not a triage result
    r = kaohe.post(
        reverse("stats_dash:feedback_answer", args=[fb.pk]),
        {"status": "accepted", "answer": "已采纳，下一版本实现。"},
    )
    assert r.status_code == 302
    fb.refresh_from_db()
    assert (fb.status, fb.answer, fb.answered_by) == ("accepted", "已采纳，下一版本实现。", w.users["kaohe"])
    note = Notification.objects.get(user=w.users["czclerk"], event="stats.feedback_answered")
    assert "希望增加常用意见" in note.title and note.url.endswith(f"#fb-{fb.pk}")
    assert not Notification.objects.filter(user=w.users["handler"]).exists()
    # the changelog entry delivers it: linked and done; a draft is not visible to staff
    r = kaohe.post(reverse("stats_dash:changelog_new"), {"title": "公文办理支持常用意见", "body": "在办理页面选择常用意见。",
                   "released_on": "2026-03-20", "version": "v1.7", "feedback": [str(fb.pk)]})  # fmt: skip
    assert r.status_code == 302
    entry = ChangelogEntry.objects.get()
    fb.refresh_from_db()
    assert fb.changelog == entry and fb.status == FeedbackStatus.DONE and not entry.published
    clerk = client(w, "czclerk")
    assert "公文办理支持常用意见" not in clerk.get(reverse("stats_dash:changelog")).content.decode()
    r = kaohe.post(reverse("stats_dash:changelog_edit", args=[entry.pk]), {"title": entry.title, "body": entry.body,
                   "released_on": "2026-03-20", "version": "v1.7", "published": "on", "feedback": [str(fb.pk)]})  # fmt: skip
    assert r.status_code == 302
    html = clerk.get(reverse("stats_dash:changelog")).content.decode()
    assert "公文办理支持常用意见" in html and "希望增加常用意见" in html
    assert "见更新日志" in clerk.get(reverse("stats_dash:feedback_mine")).content.decode()
    assert other.status == FeedbackStatus.NEW
    # delete
    assert clerk.post(reverse("stats_dash:changelog_delete", args=[entry.pk])).status_code == 403
    assert kaohe.post(reverse("stats_dash:changelog_delete", args=[entry.pk])).status_code == 302
    assert not ChangelogEntry.objects.exists()


def test_demo_hook_is_idempotent(w: t.DashWorld) -> None:
    from django.contrib.auth import get_user_model

    from tongban.core.demo import DemoContext
    from tongban.orgs.models import County
    from tongban.stats import demo_dash

    County.objects.filter(pk=w.county.pk).update(code="361199")
    get_user_model().objects.create_user(username="window", password="x", full_name="窗口")
    first = demo_dash.seed(DemoContext(usernames=[]))
    n = (Feedback.objects.count(), ChangelogEntry.objects.filter(published=True).count())
    assert n[1] == 3 and n[0] >= 4 and "意见建议" in first
    demo_dash.seed(DemoContext(usernames=[]))
    assert (Feedback.objects.count(), ChangelogEntry.objects.filter(published=True).count()) == n
    assert Feedback.objects.filter(status=FeedbackStatus.DONE, changelog__isnull=False).exists()
    assert Feedback.objects.exclude(answer="").filter(answered_by=w.users["kaohe"]).count() >= 3
