"""The portal's standing structure: the channels 新闻 / 政务 / 生活 / 互动 and their columns (the
county in the report merged its news site and its government portal into this one site).

``ensure_site(county)`` builds (or completes) a county's site idempotently: the home page as the
root of the county's Wagtail ``Site``, the channels, the columns with their owning units, update
kinds and 第二十条 categories, the disclosure guide and catalogue pages. Content is added by editors
(and by the demo seeder); this module never creates articles."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from wagtail.models import Page, Site

from tongban.orgs.models import County, Unit
from tongban.portal.models import (
    ChannelPage,
    ColumnKind,
    ColumnPage,
    ColumnType,
    DisclosureCataloguePage,
    DisclosureCategory,
    DisclosureGuidePage,
    HomePage,
    PortalIdentity,
)


@dataclass(frozen=True)
class Column:
    slug: str
    title: str
    kind: str = ColumnKind.NEWS
    column_type: str = ColumnType.PUBLISH
    unit: str = ""  # the owning unit's short name ("" = the portal administrators)
    category: str = ""
    link: str = ""  # a link column: its content lives elsewhere
    flagship: bool = False
    description: str = ""
    children: tuple[Column, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Channel:
    slug: str
    title: str
    description: str
    column_type: str
    columns: tuple[Column, ...]


# Departments that keep their own news column under 部门动态 (their editors edit only it).
DEPARTMENT_NEWS_UNITS = (
    "市场监管局",
    "财政局",
    "教体局",
    "卫健委",
    "住建局",
    "农业农村局",
    "文旅局",
    "人社局",
)

N, NOTICE, POLICY, OTHER, LINK = (
    ColumnKind.NEWS,
    ColumnKind.NOTICE,
    ColumnKind.POLICY,
    ColumnKind.OTHER,
    ColumnKind.LINK,
)

# fmt: off
CHANNELS: tuple[Channel, ...] = (
    Channel(
        "news",
        "新闻",
        "青山要闻、部门动态、乡镇动态和通知公告。",
        ColumnType.PUBLISH,
        (
            Column("yaowen", "青山要闻", N, unit="融媒体中心", description="县委、县政府重要会议和活动。"),
            Column(
                "bumen",
                "部门动态",
                N,
                unit="政府办",
                description="县级部门工作动态。",
                children=tuple(
                    Column(f"bm-{i + 1}", u, N, unit=u) for i, u in enumerate(DEPARTMENT_NEWS_UNITS)
                ),
            ),
            Column("xiangzhen", "乡镇动态", N, unit="政府办", description="各乡镇工作动态。"),
            Column("tongzhi", "通知公告", NOTICE, unit="政府办", description="县政府及部门的通知公告。"),
            Column("tupian", "图片新闻", N, unit="融媒体中心", description="图片报道。"),
        ),
    ),
    Channel(
        "gov",
        "政务公开",
        "县委文件、政府文件、人事任免、政府采购、部门导航等政务信息。",
        ColumnType.PUBLISH,
        (
            Column("xwwj", "县委文件", POLICY, unit="县委办", category=DisclosureCategory.RULES),
            Column(
                "zfwj", "政府文件", POLICY, unit="政府办", category=DisclosureCategory.RULES, flagship=True
            ),
            Column(
                "zcjd", "政策解读", N, ColumnType.INTERPRET, unit="政府办", category=DisclosureCategory.PLANS
            ),
            Column("ldjh", "领导讲话", N, unit="政府办"),
            Column("xld", "县领导", OTHER, unit="政府办", category=DisclosureCategory.ORGANISATION),
            Column("rsrm", "人事任免", NOTICE, unit="组织部", category=DisclosureCategory.ORGANISATION),
            Column("ldxx", "领导信箱", LINK, ColumnType.INTERACT, link="/portal/letters/"),
            Column("dctb", "督查通报", NOTICE, unit="政府办"),
            Column(
                "wmbs",
                "为民办事",
                N,
                ColumnType.SERVICE,
                unit="政府办",
                category=DisclosureCategory.PUBLIC_SERVICES,
            ),
            Column("zsyz", "招商引资", OTHER, unit="商务局", category=DisclosureCategory.MAJOR_PROJECTS),
            Column("zfcg", "政府采购", NOTICE, unit="财政局", category=DisclosureCategory.PROCUREMENT),
            Column(
                "xzsp", "行政审批", LINK, ColumnType.SERVICE, link="/ban/", category=DisclosureCategory.POWERS
            ),
            Column("zwbg", "政务办公", NOTICE, unit="政府办"),
            Column("bmdh", "部门导航", OTHER, unit="政府办", category=DisclosureCategory.ORGANISATION),
            Column("czzj", "财政资金", POLICY, unit="财政局", category=DisclosureCategory.BUDGETS),
            Column("tjxx", "统计信息", NOTICE, unit="统计局", category=DisclosureCategory.STATISTICS),
            Column("yjya", "应急预案", POLICY, unit="应急管理局", category=DisclosureCategory.EMERGENCIES),
            Column("ndbg", "信息公开年报", OTHER, unit="政府办", description="政府信息公开工作年度报告。"),
        ),
    ),
    Channel(
        "life",
        "生活",
        "教育、医疗、社保、交通、文旅和便民服务。",
        ColumnType.SERVICE,
        (
            Column("jiaoyu", "教育", N, ColumnType.SERVICE, unit="教体局"),
            Column("yiliao", "医疗卫生", N, ColumnType.SERVICE, unit="卫健委"),
            Column(
                "shebao",
                "社保就业",
                N,
                ColumnType.SERVICE,
                unit="人社局",
                category=DisclosureCategory.PUBLIC_SERVICES,
            ),
            Column("jiaotong", "交通出行", N, ColumnType.SERVICE, unit="交通运输局"),
            Column("wenlv", "文化旅游", N, ColumnType.SERVICE, unit="文旅局"),
            Column("bianmin", "便民服务", OTHER, ColumnType.SERVICE, unit="政府办"),
        ),
    ),
    Channel(
        "hudong",
        "政民互动",
        "领导信箱、依申请公开、在线访谈、征集调查。",
        ColumnType.INTERACT,
        (
            Column("xinxiang", "领导信箱", LINK, ColumnType.INTERACT, link="/portal/letters/", flagship=True),
            Column("ysqgk", "依申请公开", LINK, ColumnType.INTERACT, link="/portal/disclosure-requests/"),
            Column(
                "fangtan", "在线访谈", LINK, ColumnType.INTERACT, link="/portal/interviews/", flagship=True
            ),
            Column("zhengji", "征集调查", LINK, ColumnType.INTERACT, link="/portal/surveys/"),
        ),
    ),
)
# fmt: on


def _unit(county: County, short_name: str) -> Unit | None:
    if not short_name:
        return None
    return Unit.objects.filter(county=county, short_name=short_name, is_active=True).first()


def _ensure_column(parent: Page, county: County, col: Column) -> ColumnPage:
    existing = parent.get_children().filter(slug=col.slug).first()
    if existing is not None:
        page = existing.specific
    else:
        page = ColumnPage(
            title=col.title,
            slug=col.slug,
            description=col.description or col.title,
            keywords=col.title,
            column_type=col.column_type,
            kind=col.kind,
            unit=_unit(county, col.unit),
            disclosure_category=col.category,
            link_url=col.link,
            is_flagship=col.flagship,
        )
        parent.add_child(instance=page)
    for child in col.children:
        _ensure_column(page, county, child)
    return page


@transaction.atomic
def ensure_site(county: County, *, hostname: str = "localhost", port: int = 80, title: str = "") -> HomePage:
    """The county's site, built or completed. The first county's site becomes the default site
    (the one any host name falls back to)."""
    home = HomePage.objects.filter(county=county).first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title=title or f"{county.name}人民政府门户网站",
            slug=f"home-{county.code}",
            county=county,
            welcome=f"欢迎访问{county.name}人民政府门户网站",
            keywords=f"{county.name},政务公开,政民互动,网上办事",
            description=f"{county.name}人民政府门户网站：新闻、政务公开、办事服务、政民互动。",
        )
        root.add_child(instance=home)
    site = Site.objects.filter(root_page=home).first()
    if site is None:
        default = Site.objects.filter(is_default_site=True).first()
        placeholder = default.root_page if default else None
        if default is not None and not HomePage.objects.filter(pk=default.root_page_id).exists():
            # Wagtail's own "Welcome" page: the county's home replaces it.
            default.root_page = home
            default.hostname = hostname
            default.port = port
            default.site_name = home.title
            default.save()
            if placeholder is not None and placeholder.depth == 2 and not placeholder.get_children().exists():
                placeholder.delete()
        else:
            if Site.objects.filter(hostname=hostname, port=port).exists():
                # one host name per county site (tenancy): the next county gets <code>.<hostname>
                hostname = f"{county.code}.{hostname}"
            Site.objects.create(
                hostname=hostname,
                port=port,
                root_page=home,
                site_name=home.title,
                is_default_site=default is None,
            )
    site = Site.objects.filter(root_page=home).first()
    if site is not None:
        identity = PortalIdentity.for_site(site)
        if identity.site_name == PortalIdentity._meta.get_field("site_name").default:
            # the model's default is county-neutral: name the site after its county
            identity.site_name = home.title
            identity.save()
    for channel in CHANNELS:
        ch = home.get_children().filter(slug=channel.slug).first()
        if ch is None:
            ch = ChannelPage(
                title=channel.title, slug=channel.slug, description=channel.description,
                keywords=channel.title, column_type=channel.column_type,
            )  # fmt: skip
            home.add_child(instance=ch)
        for col in channel.columns:
            _ensure_column(ch, county, col)
        if channel.slug == "gov":
            if not ch.get_children().filter(slug="gkzn").exists():
                ch.add_child(instance=DisclosureGuidePage(title="政府信息公开指南", slug="gkzn", body=_GUIDE))
            if not ch.get_children().filter(slug="gkml").exists():
                ch.add_child(
                    instance=DisclosureCataloguePage(
                        title="政府信息公开目录",
                        slug="gkml",
                        intro="按《政府信息公开条例》第二十条类别和发布部门查看主动公开的政府信息。",
                    )
                )
    return home


_GUIDE = (
    "<h2>一、主动公开</h2><p>依照《中华人民共和国政府信息公开条例》第十九条、第二十条，本县行政机关通过本网站、"
    "政务新媒体、政府公报和政务服务中心查阅点主动公开政府信息，自信息形成或者变更之日起20个工作日内公开。</p>"
    "<h2>二、依申请公开</h2><p>公民、法人或者其他组织可以通过本网站“依申请公开”栏目在线提交申请，也可以当面、"
    "邮寄或传真提交。行政机关收到申请后，能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内"
    "答复，需要延长的，经负责人同意并告知申请人，延长期限最长不超过20个工作日。申请内容不明确的，行政机关在收到"
    "申请之日起7个工作日内一次性告知补正，答复期限自收到补正后的申请之日起计算。征求第三方意见所需时间不计算在"
    "答复期限内。</p><h2>三、收费</h2><p>申请公开政府信息一般不收费；申请数量、频次明显超过合理范围的，按照"
    "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费。</p>"
    "<h2>四、监督和救济</h2><p>公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级"
    "行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。</p>"
)
