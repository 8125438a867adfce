"""Builders shared by the site tests (this module holds no tests): the county's site with one page
of every type, real images (drawn with Pillow) and a real attachment."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from tongban.portal.models import (
    DepartmentPage,
    InvestmentProjectPage,
    LeaderProfilePage,
    PageAttachment,
    PolicyDocumentPage,
    ProcurementNoticePage,
    RelatedPage,
    TopicPage,
)
from tongban.portal.testing import PortalWorld, build_site, publish_article

TZ = timezone.get_fixed_timezone(8 * 60)


def when(y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def make_image(title: str = "县城新貌", colour: tuple[int, int, int] = (180, 30, 40)) -> Any:
    buf = io.BytesIO()
    PILImage.new("RGB", (1200, 600), colour).save(buf, "PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buf, name=f"{title}.png"))


def make_document(title: str = "附件一：实施细则") -> Any:
    doc = get_document_model()(title=title)
    doc.file.save("shishi-xize.pdf", ContentFile(b"%PDF-1.4\n" + b"0" * 2048 + b"\n%%EOF\n"), save=False)
    doc.save()
    return doc


def publish(parent: Page, page: Page) -> Any:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@dataclass
class SiteWorld:
    p: PortalWorld
    pages: dict[str, Any] = field(default_factory=dict)

    @property
    def home(self) -> Any:
        return self.p.home

    def column(self, slug: str) -> Any:
        return self.p.column(slug)


def build_full_site(*, code: str = "990011") -> SiteWorld:
    p = build_site(code=code)
    w = SiteWorld(p=p)
    units = p.world.units
    cover = make_image()
    w.pages["headline"] = publish_article(
        p.column("yaowen"),
        "县政府召开第十次常务会议",
        slug="changwu-10",
        body="<p>会议研究部署了春耕生产工作。</p>",
        when=when(2026, 3, 2),
        source="县融媒体中心",
        author="王记者",
        subtitle="研究部署春耕生产",
        is_headline=True,
        cover=cover,
        unit=units["rmt"],
    )
    w.pages["news2"] = publish_article(
        p.column("yaowen"), "全县安全生产工作会议召开", slug="anquan", when=when(2026, 3, 1)
    )
    w.pages["notice"] = publish_article(
        p.column("tongzhi"), "关于清明节放假的通知", slug="qingming", when=when(2026, 3, 20), is_notice=True
    )
    w.pages["dept_news"] = publish_article(
        p.column("bm-1"),
        "市场监管局开展食品安全检查",
        slug="shipin",
        when=when(2026, 3, 5),
        unit=units["scj"],
    )
    interpretation = publish_article(
        p.column("zcjd"),
        "一图读懂《青山县春耕补贴办法》",
        slug="jiedu",
        when=when(2026, 2, 12),
        source="县农业农村局",
    )
    w.pages["interpretation"] = interpretation
    policy = publish(
        p.column("zfwj"),
        PolicyDocumentPage(
            title="青山县春耕补贴办法",
            slug="chungeng",
            doc_number="青政发〔2026〕3号",
            issuing_organ="青山县人民政府",
            index_number="001122-2026-00003",
            issued_on=dt.date(2026, 2, 10),
            effective_on=dt.date(2026, 3, 1),
            validity="valid",
            body="<p>第一条 为促进春耕生产……</p>",
            publish_date=when(2026, 2, 11, 10, 5),
            interpretation=interpretation,
            disclosure_category="rules",
        ),
    )
    doc = make_document()
    PageAttachment.objects.create(page=policy, document=doc, title="", sort_order=0)
    PageAttachment.objects.create(page=w.pages["headline"], document=doc, title="会议材料", sort_order=0)
    RelatedPage.objects.create(page=w.pages["headline"], target=w.pages["news2"], sort_order=0)
    w.pages["policy"] = policy
    w.pages["leader"] = publish(
        p.column("xld"),
        LeaderProfilePage(
            title="县长 张明",
            slug="zhangming",
            name="张明",
            position="县委副书记、县长",
            duties="主持县政府全面工作。",
            resume="<p>1970年生，大学学历。</p>",
            sort=1,
            photo=make_image("张明", (90, 90, 90)),
        ),
    )
    w.pages["leader2"] = publish(
        p.column("xld"),
        LeaderProfilePage(
            title="副县长 李华", slug="lihua", name="李华", position="副县长", duties="负责农业。", sort=2
        ),
    )
    w.pages["department"] = publish(
        p.column("bmdh"),
        DepartmentPage(
            title="青山县市场监督管理局",
            slug="scj",
            department=units["scj"],
            duties="<p>负责市场综合监督管理。</p>",
            leaders="陈局长 局长 主持全面工作\n吴副局长 副局长 分管食品安全",
            address="青山县城关镇人民路 1 号",
            office_hours="工作日 8:30-12:00 14:30-17:30",
            phone="0578-1234567",
            postcode="323000",
        ),
    )
    w.pages["department2"] = publish(
        p.column("bmdh"),
        DepartmentPage(
            title="青山县融媒体中心", slug="rmt", department=units["rmt"], duties="<p>新闻宣传。</p>"
        ),
    )
    w.pages["procurement"] = publish(
        p.column("zfcg"),
        ProcurementNoticePage(
            title="青山县第一中学课桌椅采购项目公开招标公告",
            slug="kezhuoyi",
            notice_type="tender",
            project_number="QSCG-2026-017",
            purchaser="青山县第一中学",
            agency="青山县招标代理有限公司",
            method="公开招标",
            budget=Decimal("860000.00"),
            deadline=when(2026, 4, 10, 9, 0),
            body="<p>一、项目基本情况……</p>",
            publish_date=when(2026, 3, 18),
        ),
    )
    w.pages["project"] = publish(
        p.column("zsyz"),
        InvestmentProjectPage(
            title="青山县竹木精深加工产业园项目",
            slug="zhumu",
            industry="林产品加工",
            location="青山县经济开发区",
            total_investment=Decimal("50000.00"),
            cooperation="独资、合资",
            contact="县商务局 0578-7654321",
            body="<p>规划用地 300 亩。</p>",
            publish_date=when(2026, 1, 8),
            cover=make_image("产业园", (30, 120, 60)),
        ),
    )
    topic = publish(
        p.home,
        TopicPage(
            title="学习贯彻党的二十届四中全会精神",
            slug="sizhong",
            intro="专题介绍。",
            publish_date=when(2026, 1, 2),
        ),
    )
    w.pages["topic"] = topic
    w.pages["topic_article"] = publish_article(
        topic, "县委理论学习中心组专题学习", slug="xuexi", when=when(2026, 1, 3)
    )
    RelatedPage.objects.create(page=topic, target=policy, sort_order=0)
    return w
