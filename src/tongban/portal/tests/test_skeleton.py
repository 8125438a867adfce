from typing import Any

import pytest

from tongban.portal.models import ChannelPage, ColumnPage, HomePage
from tongban.portal.structure import ensure_site
from tongban.portal.testing import build_site, publish_article

pytestmark = pytest.mark.django_db


def test_ensure_site_builds_the_channels_and_columns_once() -> None:
    p = build_site()
    assert HomePage.objects.count() == 1
    assert set(ChannelPage.objects.child_of(p.home).values_list("slug", flat=True)) == {
        "news",
        "gov",
        "life",
        "hudong",
    }
    before = ColumnPage.objects.count()
    ensure_site(p.world.county)
    assert ColumnPage.objects.count() == before
    gov = {c.title for c in ColumnPage.objects.descendant_of(p.home)}
    for title in ["县委文件", "政府文件", "领导讲话", "人事任免", "领导信箱", "督查通报", "为民办事", "招商引资",
                  "政府采购", "行政审批", "政务办公", "部门导航"]:  # fmt: skip
        assert title in gov
    assert p.column("bm-1").unit == p.world.units["scj"]


def test_a_published_article_is_served(client: Any) -> None:
    p = build_site()
    page = publish_article(p.column("yaowen"), "县政府召开常务会议")
    response = client.get(page.url)
    assert response.status_code == 200
    assert "县政府召开常务会议" in response.content.decode()
    assert 'name="SiteIDCode"' in response.content.decode()


def test_a_second_county_gets_its_own_site() -> None:
    from wagtail.models import Site

    from tongban.orgs.models import County

    p = build_site()
    other = County.objects.create(name="白水县", code="990012")
    home = ensure_site(other)
    assert home.county == other
    sites = {s.root_page_id: s.hostname for s in Site.objects.all()}
    assert sites[p.home.pk] == "localhost"
    assert sites[home.pk] == "990012.localhost"


def test_the_site_is_named_after_its_county() -> None:
    from tongban.portal.models import PortalIdentity

    p = build_site()
    from wagtail.models import Site

    site = Site.objects.get(root_page=p.home)
    assert PortalIdentity.for_site(site).site_name == "青山县人民政府门户网站"
