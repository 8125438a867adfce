"""领导周活动安排 on the portal: publishing a week creates one article in 县领导 with the public
entries only (escaped), republishing updates that article, only the schedule clerk publishes, and
a leader's profile page shows the leader's public entries of the published week and never the
internal or private ones (rendered through the test client)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Revision

from tongban.core import clock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.meetings import schedules
from tongban.meetings.models import ScheduleEntry, SchedulePublication
from tongban.meetings.testing import MeetingsWorld, build_world
from tongban.meetings.tests.test_schedules import WEEK, at
from tongban.portal import setup_leader_schedule
from tongban.portal.models import ArticlePage, ColumnPage, HomePage, LeaderProfilePage
from tongban.portal.structure import ensure_site

pytestmark = pytest.mark.django_db
TITLE = "县领导周活动安排（2026年11月30日—12月6日）"


@pytest.fixture(autouse=True)
def _wired(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    setup_leader_schedule.ready()  # PortalConfig lists it once the lead has added it; harmless twice
    clock.set_test_now(at(2, 12))  # Wednesday of WEEK
    yield
    clock.set_test_now(None)


@pytest.fixture
def w() -> MeetingsWorld:
    return build_world()


@pytest.fixture
def home(w: MeetingsWorld) -> HomePage:
    return ensure_site(w.county)


def column(home: HomePage) -> ColumnPage:
    return ColumnPage.objects.descendant_of(home).get(slug="xld")


def add(
    w: MeetingsWorld, leader: str, start: datetime, title: str, vis: str, place: str = ""
) -> ScheduleEntry:
    return ScheduleEntry.objects.create(
        county=w.county,
        leader=w.users[leader],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        title=title,
        place=place,
        visibility=vis,
    )


def week_entries(w: MeetingsWorld) -> None:
    add(w, "county_head", at(0, 9), "主持召开县政府常务会议", "public", "县政府第一会议室")
    add(w, "county_head", at(1, 15), "内部碰头会", "internal")
    add(w, "county_head", at(2, 20), "私人安排", "private")
    add(w, "deputy", at(3, 9), "到石门乡督导<森林防火>", "public", "石门乡")


def publish(w: MeetingsWorld) -> SchedulePublication:
    return schedules.publish_week(
        county=w.county, week_start=WEEK + timedelta(days=2), actor=w.users["scheduler"]
    )


def test_publish_creates_one_article_with_the_public_entries(w: MeetingsWorld, home: HomePage) -> None:
    week_entries(w)
    pub = publish(w)
    assert pub.week_start == WEEK and pub.published_by == w.users["scheduler"]
    page = ArticlePage.objects.get(pk=pub.portal_page_id)
    assert page.live and page.get_parent().pk == column(home).pk and page.title == TITLE
    assert "主持召开县政府常务会议" in page.body and "县政府第一会议室" in page.body
    assert "到石门乡督导&lt;森林防火&gt;" in page.body and "<森林防火>" not in page.body
    assert "内部碰头会" not in page.body and "私人安排" not in page.body
    names = [r["name"] for r in pub.table["rows"]]
    assert names == ["李县长", "王副县长"] and pub.table["public_only"] is True


def test_republishing_updates_the_same_article(w: MeetingsWorld, home: HomePage) -> None:
    week_entries(w)
    first = publish(w)
    page_id = first.portal_page_id
    revisions = Revision.page_revisions.filter(object_id=str(page_id)).count()
    add(w, "deputy", at(4, 15), "接待投资考察团", "public")
    second = publish(w)
    assert second.pk == first.pk and second.portal_page_id == page_id
    assert SchedulePublication.objects.count() == 1
    assert ArticlePage.objects.child_of(column(home)).count() == 1
    assert Revision.page_revisions.filter(object_id=str(page_id)).count() == revisions + 1
    assert "接待投资考察团" in ArticlePage.objects.get(pk=page_id).body


def test_only_the_clerk_publishes_and_a_missing_column_is_said(w: MeetingsWorld, home: HomePage) -> None:
    week_entries(w)
    for key in ("county_head", "secretary", "deputy", "scj_staff", "outsider"):
        with pytest.raises(PermissionDenied):
            schedules.publish_week(county=w.county, week_start=WEEK, actor=w.users[key])
    assert not SchedulePublication.objects.exists() and not ArticlePage.objects.exists()
    column(home).delete()
    with pytest.raises(TongbanError) as exc:
        publish(w)
    assert exc.value.code == "schedules.no_leader_column" and "县领导" in str(exc.value)
    assert not SchedulePublication.objects.exists()


def test_no_site_is_said(w: MeetingsWorld) -> None:
    with pytest.raises(TongbanError) as exc:
        publish(w)
    assert exc.value.code == "schedules.no_site"
    assert not SchedulePublication.objects.exists()


def test_publish_from_the_page_and_the_api(client: Client, w: MeetingsWorld, home: HomePage) -> None:
    week_entries(w)
    client.force_login(w.users["scheduler"])
    r = client.post(reverse("schedules:publish"), {"week": "2026-12-02"}, follow=True)
    assert r.status_code == 200 and "已发布到门户网站" in r.content.decode()
    pub = SchedulePublication.objects.get()
    assert pub.week_start == WEEK
    r = client.post(
        "/api/v1/schedules/county/publish", {"week": "2026-11-30"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["portal_page_id"] == pub.portal_page_id
    assert r.json()["entries"] == 2 and r.json()["title"] == "青山县领导周活动安排（2026年11月30日—12月6日）"
    assert ArticlePage.objects.count() == 1


def _leader_page(home: HomePage, name: str, position: str, slug: str) -> LeaderProfilePage:
    page = LeaderProfilePage(
        title=f"{name} {position}", slug=slug, name=name, position=position, duties="主持全面工作。"
    )
    column(home).add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_leaders_page_shows_the_public_entries_of_the_week(
    client: Client, w: MeetingsWorld, home: HomePage
) -> None:
    week_entries(w)
    head = _leader_page(home, "李县长", "县长", "leader-01")
    deputy = _leader_page(home, "王副县长", "副县长", "leader-02")
    html = client.get(head.url).content.decode()
    assert "本周活动" not in html  # nothing published yet
    publish(w)
    add(w, "county_head", at(4, 9), "发布后才录入的活动", "public")  # frozen: not shown until republished
    html = client.get(head.url).content.decode()
    assert "本周活动" in html and "2026年11月30日—12月6日" in html
    assert "主持召开县政府常务会议" in html and "县政府第一会议室" in html
    assert "内部碰头会" not in html and "私人安排" not in html and "发布后才录入的活动" not in html
    assert "到石门乡督导" not in html  # the deputy's entry is on the deputy's page
    html = client.get(deputy.url).content.decode()
    assert "到石门乡督导&lt;森林防火&gt;" in html and "<森林防火>" not in html
    assert "主持召开县政府常务会议" not in html
    page_url = ArticlePage.objects.get().url
    assert page_url in html  # a link to the whole week


def test_a_week_published_in_advance_waits_for_its_monday(
    client: Client, w: MeetingsWorld, home: HomePage
) -> None:
    head = _leader_page(home, "李县长", "县长", "leader-01")
    add(w, "county_head", at(7, 9), "下周一的调研", "public")
    schedules.publish_week(county=w.county, week_start=WEEK + timedelta(days=7), actor=w.users["scheduler"])
    assert "下周一的调研" not in client.get(head.url).content.decode()
    clock.set_test_now(at(7, 8))
    from tongban.portal import cache

    cache.invalidate("test: a new week")
    html = client.get(head.url).content.decode()
    assert "本周活动" in html and "下周一的调研" in html


def test_demo_seed_is_idempotent_and_publishes_this_week(client: Client) -> None:
    from tongban.core.demo import DemoContext
    from tongban.identity.models import User
    from tongban.meetings import demo_schedules
    from tongban.meetings.models import LeaderSecretary
    from tongban.orgs import demo as orgs_demo
    from tongban.orgs.models import Post, RoleGrant

    w = build_world(code=orgs_demo.COUNTY_CODE)
    home = ensure_site(w.county)
    mishu = User.objects.create_user(username="mishu", password="x", full_name="秘书甲")
    richeng = User.objects.create_user(username="richeng", password="x", full_name="日程乙")
    for u in (mishu, richeng):
        Post.objects.create(county=w.county, user=u, unit=w.units["zfb"], title="科员")
    RoleGrant.objects.create(county=w.county, user=richeng, unit=w.units["zfb"], role="schedule_clerk")
    ctx = DemoContext(usernames=[])
    summary = demo_schedules.seed(ctx)
    assert "本周已发布到门户网站" in summary, summary
    assert LeaderSecretary.objects.filter(leader=w.users["county_head"], secretary=mishu).exists()
    count = ScheduleEntry.objects.count()
    assert count > 10
    assert ScheduleEntry.objects.filter(visibility="public").exists()
    pub = SchedulePublication.objects.get()
    assert pub.week_start == WEEK and ArticlePage.objects.child_of(column(home)).count() == 1
    again = demo_schedules.seed(ctx)
    assert "新增日程 0 项、领导秘书 0 名" in again and "发布" not in again
    assert ScheduleEntry.objects.count() == count and SchedulePublication.objects.count() == 1
