"""The portal's demo content (tongban.portal.demo_site) on a scaled-down demo county: ≥ 500
articles over two years in every non-link column, images, documents, idempotence, and that the
seeded pages are editable in the Wagtail admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.models import Page, Revision

from tongban.core import clock
from tongban.orgs import demo as orgs_demo
from tongban.orgs.models import County, Unit, UnitKind
from tongban.orgs.services import seed_apply
from tongban.portal import demo_images, demo_site
from tongban.portal.models import (
    ArticlePage,
    ChannelPage,
    ColumnKind,
    ColumnPage,
    DepartmentPage,
    DisclosureCataloguePage,
    DisclosureGuidePage,
    HomePage,
    LeaderProfilePage,
    PolicyDocumentPage,
    ProcurementNoticePage,
    TopicPage,
)

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def county(db: Any, settings: Any, tmp_path: Any) -> County:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_apply(plan=orgs_demo.build_plan(staff=160))
    return County.objects.get(code=orgs_demo.COUNTY_CODE)


def test_demo_site_fills_every_column_over_two_years(
    county: County, client: Any, django_user_model: Any
) -> None:
    with clock.moved_to(TODAY):
        counts = demo_site.build(county)
    home = HomePage.objects.get(county=county)
    articles = ArticlePage.objects.descendant_of(home)
    assert articles.count() >= 500
    assert counts["articles"] + counts["topic"] - 1 + 0 <= articles.count()

    # every non-link column has content, except the deliberate blank one and the annual reports
    for column in ColumnPage.objects.descendant_of(home):
        if column.kind == ColumnKind.LINK or column.slug in (
            demo_site.BLANK_COLUMN,
            *demo_site.OWN_ELSEWHERE,
        ):
            continue
        if column.get_children().type(ColumnPage).exists():
            continue  # 部门动态: its sub-columns carry the articles
        assert column.get_children().live().exists(), column.title
    blank = ColumnPage.objects.descendant_of(home).get(slug=demo_site.BLANK_COLUMN)
    assert not blank.get_children().exists()

    # dates: within two years up to today; news columns fresh except the deliberately stale one
    first = TODAY - dt.timedelta(days=demo_site.DAYS)
    dates = [d.date() for d in articles.values_list("publish_date", flat=True)]
    assert min(dates) >= first and max(dates) <= TODAY
    assert len({(d.year, d.month) for d in dates}) >= 24  # spread over the two years
    for column in ColumnPage.objects.descendant_of(home).filter(kind=ColumnKind.NEWS):
        newest = ArticlePage.objects.child_of(column).order_by("-publish_date").first()
        if newest is None:
            continue
        age = (TODAY - newest.publish_date.date()).days
        if column.slug == demo_site.STALE_COLUMN:
            assert age > 14
        else:
            assert age <= 14, column.title

    # headlines with covers, images in the 门户图片 collection
    headlines = articles.filter(is_headline=True)
    assert headlines.count() == demo_site.HEADLINES
    assert not headlines.filter(cover__isnull=True).exists()
    images = Image.objects.filter(collection__name=demo_images.COLLECTION)
    assert images.count() == len(demo_images.SCENES)
    first_image = images.first()
    assert first_image is not None and (first_image.width, first_image.height) == (1200, 675)

    # policy documents with 文号, some with a 解读 and an attachment (GB/T 9704 .docx)
    policies = PolicyDocumentPage.objects.descendant_of(home)
    assert policies.count() == sum(demo_site.POLICY_COUNTS.values())
    assert policies.filter(doc_number__regex=r"^青政发〔20\d\d〕\d+号$").exists()
    interpreted = policies.filter(interpretation__isnull=False)
    assert interpreted.count() == demo_site.INTERPRETED
    assert all(p.interpretation.get_parent().slug == "zcjd" for p in interpreted)
    assert policies.filter(attachments__isnull=False).exists()

    # leaders, a department page for every active unit, procurement pairs, the topic
    assert LeaderProfilePage.objects.descendant_of(home).count() >= len(orgs_demo.LEADERS)
    units = Unit.objects.filter(county=county, is_active=True).exclude(kind=UnitKind.LEADING_BODY)
    assert DepartmentPage.objects.descendant_of(home).count() == units.count()
    notices = ProcurementNoticePage.objects.descendant_of(home)
    assert notices.filter(notice_type="tender").count() == demo_site.PROCUREMENT_PROJECTS
    assert notices.filter(notice_type="result").count() >= demo_site.PROCUREMENT_PROJECTS - 1
    topic = TopicPage.objects.child_of(home).get(slug=demo_site.TOPIC_SLUG)
    assert ArticlePage.objects.child_of(topic).count() == demo_site.TOPIC_ARTICLES

    # tree consistent: child counts and one revision each, live
    assert Page.find_problems() == ([], [], [], [], [])
    pages = Page.objects.filter(pk__in=[p.pk for p in demo_site_created(home)])
    assert pages.count() == counts["pages"]
    assert not pages.filter(live=False).exists()
    assert not pages.filter(latest_revision__isnull=True).exists()

    # idempotent: a second run creates nothing
    page_count, revision_count = Page.objects.count(), Revision.objects.count()
    with clock.moved_to(TODAY + dt.timedelta(days=3)):
        again = demo_site.build(county)
    assert again["pages"] == 0
    assert (Page.objects.count(), Revision.objects.count()) == (page_count, revision_count)
    assert Image.objects.filter(collection__name=demo_images.COLLECTION).count() == len(demo_images.SCENES)

    # a seeded article and a policy document open in the Wagtail admin's editor
    root = django_user_model.objects.create_superuser(username="root", password="x", full_name="管理员")
    client.force_login(root)
    article = articles.filter(is_headline=True).first()
    assert article is not None
    response = client.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    assert response.status_code == 200
    assert article.title in response.content.decode()
    policy = interpreted.first()
    assert policy is not None
    assert client.get(reverse("wagtailadmin_pages:edit", args=[policy.pk])).status_code == 200
    # and are served on the site
    assert client.get(article.url).status_code == 200


def demo_site_created(home: HomePage) -> list[Page]:
    """The content pages (not the structure ensure_site builds)."""
    structure = (ChannelPage, ColumnPage, DisclosureGuidePage, DisclosureCataloguePage)
    return list(Page.objects.descendant_of(home).not_type(*structure))


def test_pictures_are_drawn_locally_and_deterministically() -> None:
    import io

    from PIL import Image as PILImage

    scene = demo_images.SCENES[1]
    data = demo_images.draw_scene(scene)
    assert data == demo_images.draw_scene(scene)  # same scene, same bytes
    assert data != demo_images.draw_scene(demo_images.SCENES[2])
    picture = PILImage.open(io.BytesIO(data))
    assert (picture.format, picture.size) == ("JPEG", (demo_images.WIDTH, demo_images.HEIGHT))
    assert len({s.key for s in demo_images.SCENES}) == len(demo_images.SCENES) == 40


def test_spread_is_newest_first_within_the_window() -> None:
    import random

    days = demo_site.spread(random.Random(1), 50, newest=22)
    assert len(days) == len(set(days)) == 50
    assert days == sorted(days) and 22 <= days[0] <= 25 and days[-1] < demo_site.DAYS
