"""The page cache (issue #5: published pages served from cache, invalidated on publish): hits need
no query, every publishing event drops the cache, logged-in visitors never see or fill it, and the
large-text and language variants are kept apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction

from tongban.identity import public
from tongban.portal import cache as page_cache
from tongban.portal.models import ArticlePage, PortalIdentity
from tongban.portal.testing import publish_article
from tongban.portal.tests.test_site_world import SiteWorld, build_full_site, when

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w() -> SiteWorld:
    return build_full_site()


def test_a_second_anonymous_visit_is_a_hit_without_queries(
    client: Any, w: SiteWorld, django_assert_num_queries: Any
) -> None:
    url = w.pages["headline"].url
    first = client.get(url)
    assert first.status_code == 200 and first["X-Portal-Cache"] == "miss"
    assert first["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in first["Vary"] and "Accept-Language" in first["Vary"]
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Portal-Cache"] == "hit"
    assert second.content == first.content
    assert second["Cache-Control"] == "public, max-age=60"
    assert not second.cookies
    assert Client().get(w.home.url)["X-Portal-Cache"] == "miss"
    with django_assert_num_queries(0):
        home = Client().get(w.home.url)  # another visitor: the same page, no query
    assert home["X-Portal-Cache"] == "hit"


def test_cached_pages_hold_no_csrf_token_and_set_no_cookie(client: Any, w: SiteWorld) -> None:
    for url in (w.home.url, w.column("yaowen").url, w.pages["headline"].url, w.pages["policy"].url):
        response = client.get(url)
        assert response["X-Portal-Cache"] == "miss", url
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies, url


def test_publishing_an_article_shows_it_at_once(client: Any, w: SiteWorld) -> None:
    column, home = w.column("yaowen"), w.home
    assert "新发布的要闻" not in client.get(column.url).content.decode()
    assert client.get(column.url)["X-Portal-Cache"] == "hit"
    client.get(home.url)
    publish_article(column, "新发布的要闻", slug="new", when=when(2026, 12, 1))
    after = client.get(column.url)
    assert after["X-Portal-Cache"] == "miss" and "新发布的要闻" in after.content.decode()
    assert "新发布的要闻" in client.get(home.url).content.decode()


def test_a_new_revision_of_a_published_page_shows_when_published(client: Any, w: SiteWorld) -> None:
    page = ArticlePage.objects.get(pk=w.pages["news2"].pk)
    client.get(page.url)
    page.title = "全县安全生产工作会议召开（更新）"
    revision = page.save_revision()
    assert "（更新）" not in client.get(page.url).content.decode()  # a draft: the cached page stays
    revision.publish()
    assert "（更新）" in client.get(page.url).content.decode()


def test_unpublish_delete_and_move_drop_the_cache(client: Any, w: SiteWorld) -> None:
    column = w.column("yaowen")
    page = ArticlePage.objects.get(pk=w.pages["news2"].pk)
    url = page.url
    assert client.get(url).status_code == 200
    page.unpublish()
    assert client.get(url).status_code == 404
    assert "全县安全生产工作会议召开" not in client.get(column.url).content.decode()

    notice = ArticlePage.objects.get(pk=w.pages["notice"].pk)
    notice_url = notice.url
    assert "关于清明节放假的通知" in client.get(w.home.url).content.decode()
    client.get(notice_url)
    notice.move(w.column("xiangzhen"), pos="last-child")
    moved = client.get(notice_url)  # Wagtail keeps a redirect from the old address
    assert moved.status_code == 301 and moved["Location"] == "/portal/news/xiangzhen/qingming/"
    assert "关于清明节放假的通知" in client.get("/portal/news/xiangzhen/qingming/").content.decode()
    assert "关于清明节放假的通知" in client.get(w.column("xiangzhen").url).content.decode()

    headline = ArticlePage.objects.get(pk=w.pages["headline"].pk)
    headline_url = headline.url
    assert client.get(headline_url).status_code == 200
    headline.delete()
    assert client.get(headline_url).status_code == 404
    assert "县政府召开第十次常务会议" not in client.get(w.home.url).content.decode()


def test_changing_the_site_identity_drops_the_cache(client: Any, w: SiteWorld) -> None:
    client.get(w.home.url)
    identity = PortalIdentity.for_site(w.home.get_site())
    identity.icp_number = "浙ICP备99999999号"
    identity.save()
    response = client.get(w.home.url)
    assert response["X-Portal-Cache"] == "miss" and "浙ICP备99999999号" in response.content.decode()


def test_a_page_made_private_is_no_longer_served_from_the_cache(client: Any, w: SiteWorld) -> None:
    url = w.pages["policy"].url
    assert client.get(url)["X-Portal-Cache"] == "miss"
    assert client.get(url)["X-Portal-Cache"] == "hit"
    PageViewRestriction.objects.create(page=w.column("zfwj"), restriction_type=PageViewRestriction.LOGIN)
    response = client.get(url)
    assert response.status_code == 302 and "private" in response["Cache-Control"]
    assert client.get(url).status_code == 302  # still not cached
    assert "青山县春耕补贴办法" not in client.get(w.home.url).content.decode()  # lists skip it too


def test_query_strings_post_and_htmx_bypass_the_cache(client: Any, w: SiteWorld) -> None:
    url = w.column("yaowen").url
    client.get(url)
    paged = client.get(url + "?page=1")
    assert paged["X-Portal-Cache"] == "bypass" and paged["Cache-Control"] == "private, no-store"
    assert client.get(url, HTTP_HX_REQUEST="true")["X-Portal-Cache"] == "bypass"


def test_a_public_account_gets_a_fresh_page_and_never_fills_the_cache(client: Any, w: SiteWorld) -> None:
    account = w.p.world.citizen
    assert account is not None
    url = w.pages["headline"].url
    session = client.session
    session[public.SESSION_KEY] = account.pk
    session[public.SESSION_HASH] = public._hash(account)
    session.save()
    mine = client.get(url)
    assert mine["X-Portal-Cache"] == "bypass" and "private" in mine["Cache-Control"]
    assert account.name in mine.content.decode()
    again = client.get(url)
    assert again["X-Portal-Cache"] == "bypass"
    anonymous = Client().get(url)
    assert anonymous["X-Portal-Cache"] == "miss"  # the account's page was not stored
    assert account.name not in anonymous.content.decode()
    assert "个人/法人登录" in anonymous.content.decode()
    assert Client().get(url)["X-Portal-Cache"] == "hit"
    assert client.get(url)["X-Portal-Cache"] == "bypass"  # … and the account never gets it


def test_staff_get_a_fresh_page(client: Any, w: SiteWorld) -> None:
    url = w.pages["headline"].url
    Client().get(url)
    client.force_login(w.p.world.users["editor"])
    response = client.get(url)
    assert response["X-Portal-Cache"] == "bypass" and "private" in response["Cache-Control"]


def test_an_anonymous_session_cookie_still_gets_the_cached_page(client: Any, w: SiteWorld) -> None:
    url = w.pages["headline"].url
    Client().get(url)
    session = client.session
    session["something"] = "harmless"
    session.save()
    assert client.get(url)["X-Portal-Cache"] == "hit"


def test_large_text_and_language_are_separate_variants(client: Any, w: SiteWorld) -> None:
    url = w.pages["headline"].url
    normal = client.get(url)
    assert b'class="tb-large"' not in normal.content
    client.cookies["tb_large_text"] = "1"
    large = client.get(url)
    assert large["X-Portal-Cache"] == "miss" and b'<html lang="zh-CN" class="tb-large">' in large.content
    assert client.get(url)["X-Portal-Cache"] == "hit"
    client.cookies["tb_large_text"] = "0"
    assert b'class="tb-large"' not in client.get(url).content
    client.cookies["django_language"] = "en"
    english = client.get(url)
    assert english["X-Portal-Cache"] == "miss" and b'<html lang="en"' in english.content


def test_the_large_text_switch_sets_the_cookie_and_goes_back(client: Any, w: SiteWorld) -> None:
    url = w.pages["headline"].url
    response = client.get(reverse("portal_large_text"), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies["tb_large_text"].value == "1"
    assert b'class="tb-large"' in client.get(url).content
    response = client.get(reverse("portal_large_text"), {"next": url})
    assert response.cookies["tb_large_text"].value == "0"
    offsite = client.get(reverse("portal_large_text"), {"next": "https://evil.example/"})
    assert offsite["Location"] == "/portal/"
    assert client.post(reverse("portal_large_text")).status_code == 405


def test_the_language_switch(client: Any, w: SiteWorld) -> None:
    url = w.pages["headline"].url
    response = client.get(reverse("portal_language"), {"language": "en", "next": url})
    assert response["Location"] == url and response.cookies["django_language"].value == "en"
    assert b'<html lang="en"' in client.get(url).content
    bad = client.get(reverse("portal_language"), {"language": "xx", "next": "//evil.example/"})
    assert bad["Location"] == "/portal/" and "django_language" not in bad.cookies


def test_head_is_answered_from_the_cache(client: Any, w: SiteWorld) -> None:
    url = w.pages["headline"].url
    client.get(url)
    response = client.head(url)
    assert response.status_code == 200 and response["X-Portal-Cache"] == "hit"


def test_fragments_and_values_follow_the_generation() -> None:
    calls: list[int] = []

    def build() -> str:
        calls.append(1)
        return f"v{len(calls)}"

    assert page_cache.cached_fragment("x", build, 60) == "v1"
    assert page_cache.cached_fragment("x", build, 60) == "v1"
    page_cache.invalidate("test")
    assert page_cache.cached_fragment("x", build, 60) == "v2"


def test_entries_expire_after_the_configured_lifetime(client: Any, w: SiteWorld, settings: Any) -> None:
    settings.TONGBAN_PORTAL_CACHE_SECONDS = 0  # Django: 0 means "do not keep"
    url = w.pages["headline"].url
    client.get(url)
    assert client.get(url)["X-Portal-Cache"] == "miss"


# --- interaction content on the home page (信件选登, 在线访谈, 征集调查) ---------------------------
def _mailbox_letter(w: SiteWorld) -> Any:
    from tongban.interaction.models import Letter, Mailbox

    county = w.p.world.county
    mailbox = Mailbox.objects.create(county=county, kind="leader", name="县长信箱")
    return Letter.objects.create(
        county=county, mailbox=mailbox, tracking_code="XX20260301", kind="consult", title="路灯不亮",
        content="请修路灯", writer_name="张明", phone="13800000001", status="routed",
        received_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 3, 9), routed_to=w.p.world.units["scj"],
    )  # fmt: skip


def test_letter_events_that_change_the_published_letters_drop_the_cache(w: SiteWorld) -> None:
    from django.utils import timezone

    from tongban.interaction.models import LetterEvent

    letter = _mailbox_letter(w)

    def event(kind: str) -> None:
        LetterEvent.objects.create(letter=letter, kind=kind, on=dt.date(2026, 3, 3), at=timezone.now())

    for kind in ("received", "routed", "drafted", "reminded", "rated", "closed"):
        before = page_cache.generation()
        event(kind)
        assert page_cache.generation() == before, kind  # nothing the public sees changed
    for kind in ("answered", "published", "unpublished", "rehandle"):
        before = page_cache.generation()
        event(kind)
        assert page_cache.generation() > before, kind


def test_an_interview_drops_the_cache_only_when_its_status_changes(w: SiteWorld) -> None:
    from django.utils import timezone

    from tongban.core import clock
    from tongban.interaction import interviews
    from tongban.interaction.models import Interview

    world = w.p.world
    start = timezone.make_aware(dt.datetime(2026, 3, 20, 9, 0))
    with clock.moved_to(timezone.make_aware(dt.datetime(2026, 3, 10, 9, 0))):
        before = page_cache.generation()
        interview = interviews.interview_create(
            actor=world.users["host"], county=world.county, title="优化营商环境", summary="访谈",
            host_unit=world.units["zfb"], starts_at=start, ends_at=start + dt.timedelta(hours=1),
            guests=[{"name": "李华", "title": "县长"}],
        )  # fmt: skip
        assert page_cache.generation() == before  # a draft shows nowhere
        interviews.interview_announce(interview, actor=world.users["host"])  # update_fields=[status, …]
        assert page_cache.generation() > before

    before = page_cache.generation()
    loaded = Interview.objects.get(pk=interview.pk)
    loaded.summary = "新的简介"
    loaded.save()  # a plain save, status unchanged
    assert page_cache.generation() == before
    loaded.save(update_fields=["title"])
    assert page_cache.generation() == before
    loaded.status = "live"
    loaded.save()  # a plain save that changes the status
    assert page_cache.generation() > before
    before = page_cache.generation()
    loaded.save()  # saved again: the status it was saved with is remembered
    assert page_cache.generation() == before
    only_title = Interview.objects.only("id", "title").get(pk=interview.pk)
    only_title.save(update_fields=["title"])
    assert page_cache.generation() == before
    loaded.delete()
    assert page_cache.generation() > before


def test_any_survey_change_drops_the_cache_and_the_home_page_shows_it(client: Any, w: SiteWorld) -> None:
    from tongban.core import clock
    from tongban.interaction.models import Survey

    world = w.p.world
    with clock.moved_to(dt.date(2026, 3, 10)):
        assert client.get(w.home.url)["X-Portal-Cache"] == "miss"
        assert client.get(w.home.url)["X-Portal-Cache"] == "hit"
        survey = Survey.objects.create(
            county=world.county, kind="questionnaire", title="全县公交线路满意度调查", body="请填写",
            unit=world.units["zfb"], starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 30),
            status="open", created_by=world.users["host"],
        )  # fmt: skip
        r = client.get(w.home.url)
        assert r["X-Portal-Cache"] == "miss" and "全县公交线路满意度调查" in r.content.decode()
        survey.title = "全县公交线路满意度问卷"
        survey.save()
        assert "全县公交线路满意度问卷" in client.get(w.home.url).content.decode()
        survey.delete()
        r = client.get(w.home.url)
        assert r["X-Portal-Cache"] == "miss" and "全县公交线路满意度" not in r.content.decode()
