"""The public 办事指南 (/ban/ and /api/v1/public/catalogue/): anonymous users see published items
only, the guide page shows every element, sample downloads are served only for published items,
and the hall's lists do not grow their query count with the rows."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from tongban.approvals import catalogue, testing
from tongban.approvals import catalogue_selectors as sel
from tongban.approvals.models import ItemMaterial

pytestmark = pytest.mark.django_db
API = "/api/v1/public/catalogue"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w():
    world = testing.build_world()
    world.fee_item = testing.published_item(
        world, code="330100-ZJJ-XK-001", name="建筑工程施工许可", unit="zjj",
        fees=[("证书工本费", "10", "《某省物价局关于证照工本费的通知》")],
    )  # fmt: skip
    m = world.item.current.materials.first()
    m.sample.save("申请书样表.pdf", ContentFile(PDF))
    return world


def test_home_for_anonymous_users_lists_departments_types_and_popular_items(client, w):
    testing.new_case(w)
    r = client.get(reverse("ban:home"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "市场监管局" in html and "住建局" in html and "行政许可" in html
    assert 'data-code="330100-SCJ-XK-001"' in html  # popular
    assert '<label class="visually-hidden" for="g-q">' in html


def test_search_by_name_department_and_type(client, w):
    draft = testing.published_item(w, code="330100-SCJ-XK-002", name="未发布的事项")
    draft.status = "draft"
    draft.save()
    html = client.get(reverse("ban:home"), {"q": "食品"}).content.decode()
    assert "食品经营许可（新办）" in html and "建筑工程施工许可" not in html
    html = client.get(reverse("ban:home"), {"department": w.units["zjj"].pk}).content.decode()
    assert 'data-code="330100-ZJJ-XK-001"' in html and 'data-code="330100-SCJ-XK-001"' not in html
    html = client.get(reverse("ban:home"), {"q": "未发布"}).content.decode()
    assert "未发布的事项" not in html
    assert client.get(reverse("ban:home"), {"type": "license", "department": "x"}).status_code == 200


def test_guide_page_shows_every_element(client, w):
    r = client.get(reverse("ban:item", args=[w.item.code]))
    html = r.content.decode()
    assert r.status_code == 200
    v = w.item.current
    for text in [
        v.name, v.legal_basis, v.conditions, v.place, v.hours, v.phone, "食品经营许可申请书", "原件", "复印件",
        "不收费", "审查", "决定", "制证送达", "不计入办结时限", "到现场次数", "食品经营许可证",
    ]:  # fmt: skip
        assert text in html, text
    assert 'data-limit="statutory">20<' in html and 'data-limit="committed">5<' in html
    m = v.materials.first()
    assert reverse("ban:sample", args=[w.item.code, m.pk]) in html
    try:
        apply_url = reverse("ban:apply", args=[w.item.code])
    except NoReverseMatch:  # the applying part is not installed
        assert 'id="g-apply"' not in html
    else:
        assert f'href="{apply_url}" id="g-apply"' in html
    fee_html = client.get(reverse("ban:item", args=[w.fee_item.code])).content.decode()
    assert "证书工本费" in fee_html and "《某省物价局关于证照工本费的通知》" in fee_html


def test_offline_item_has_no_apply_button(client, w):
    v = w.item.current
    v.online = False
    v.save()
    html = client.get(reverse("ban:item", args=[w.item.code])).content.decode()
    assert 'id="g-apply"' not in html and "请到窗口办理" in html


def test_unpublished_or_withdrawn_items_are_not_shown(client, w):
    catalogue.item_withdraw(actor=w.users["catalogue"], item=w.item, reason="取消")
    assert client.get(reverse("ban:item", args=[w.item.code])).status_code == 404
    m = w.item.current.materials.first()
    assert client.get(reverse("ban:sample", args=[w.item.code, m.pk])).status_code == 404
    assert client.get(f"{API}/items/{w.item.code}").status_code == 404
    assert client.get(reverse("ban:item", args=["NO-SUCH-CODE"])).status_code == 404


def test_sample_download_only_for_the_current_published_version(client, w):
    m = w.item.current.materials.first()
    r = client.get(reverse("ban:sample", args=[w.item.code, m.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    # a draft's material is not reachable, nor a material of another item
    draft = catalogue.version_draft(actor=w.users["scj_catalogue"], item=w.item)
    dm = draft.materials.first()
    assert dm.sample  # copied
    assert client.get(reverse("ban:sample", args=[w.item.code, dm.pk])).status_code == 404
    other = ItemMaterial.objects.filter(version=w.fee_item.current).first()
    assert client.get(reverse("ban:sample", args=[w.item.code, other.pk])).status_code == 404


def test_public_api(client, w):
    lst = client.get(f"{API}/items", {"q": "食品"}).json()
    assert (
        lst["count"] == 1
        and lst["items"][0]["code"] == w.item.code
        and lst["items"][0]["committed_limit"] == 5
    )
    g = client.get(f"{API}/items/{w.item.code}").json()
    assert (
        g["statutory_limit"] == 20
        and g["fee_free"]
        and [s["key"] for s in g["steps"]] == ["review", "decide", "certify"]
    )
    assert g["materials"][0]["sample_url"] == reverse(
        "ban:sample", args=[w.item.code, g["materials"][0]["id"]]
    )
    assert g["form_schema"][2]["choices"] == ["预包装食品销售", "散装食品销售", "热食类食品制售"]
    deps = client.get(f"{API}/departments").json()
    assert {d["short_name"]: d["items"] for d in deps} == {"市场监管局": 1, "住建局": 1}
    assert (
        client.get(f"{API}/items", {"department_id": w.units["zjj"].pk}).json()["items"][0]["code"]
        == w.fee_item.code
    )


def test_selectors_contract(w):
    assert list(sel.items_published(county=w.county, q="食品")) == [w.item]
    assert sel.item_by_code(w.item.code) == w.item


def test_hall_lists_query_count_does_not_grow_with_rows(client, w):
    urls = [reverse("ban:home"), reverse("ban:home") + "?type=license", f"{API}/items"]
    for u in urls:
        client.get(u)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = [count(u) for u in urls]
    for i in range(25):
        testing.published_item(w, code=f"330100-SCJ-XK-{100 + i}", name=f"事项{i}")
    assert [count(u) for u in urls] == few
