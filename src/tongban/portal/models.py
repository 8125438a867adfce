"""The county's government portal (门户网站) on Wagtail: one site with the channels 新闻 / 政务 /
生活 / 互动 (the report merged the news site and the government portal).

Rules encoded (rules.md §5–6):
- Meta tags of 政府网站发展指引 (国办发〔2017〕47号): SiteName, SiteDomain, SiteIDCode on every page;
  ColumnName, ColumnDescription, ColumnKeywords, ColumnType on column pages; ArticleTitle, PubDate
  (YYYY-MM-DD HH:MM) and ContentSource on content pages (templates/portal/meta.html).
- Footer: 网站标识码, ICP number, 公安备案号, sponsor, contacts, 找错 and the accessibility mode
  (:class:`PortalIdentity`).
- Inspection (国办秘函〔2019〕19号): each column has an update limit; a page without a date counts as
  not updated (:mod:`tongban.portal.health`).
- 政府信息公开条例 第二十条 categories on columns and content pages (:class:`DisclosureCategory`);
  the annual report's tables follow 国办公开办函〔2021〕30号 (:class:`AnnualReportPage`).

Tenancy: a county's site is a Wagtail ``Site`` whose root is a :class:`HomePage` carrying the
county; every page below belongs to that county. A column may be owned by a unit: that unit's
editors edit it (:mod:`tongban.portal.editorial`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from tongban.orgs.models import County, Unit

IMAGE_MODEL = "wagtailimages.Image"
DOCUMENT_MODEL = "wagtaildocs.Document"


class DisclosureCategory(models.TextChoices):
    """政府信息公开条例 (2019) 第二十条: what an organ discloses on its own initiative."""

    RULES = "rules", _("行政法规、规章和规范性文件")
    ORGANISATION = "organisation", _("机构职能、负责人及联系方式")
    PLANS = "plans", _("发展规划及相关政策")
    STATISTICS = "statistics", _("统计信息")
    PERMITS = "permits", _("行政许可等办理结果")
    PENALTIES = "penalties", _("行政处罚、行政强制")
    BUDGETS = "budgets", _("财政预算、决算")
    FEES = "fees", _("行政事业性收费")
    PROCUREMENT = "procurement", _("政府集中采购")
    POWERS = "powers", _("行政许可事项及依据、条件、程序")
    MAJOR_PROJECTS = "major_projects", _("重大建设项目")
    PUBLIC_SERVICES = "public_services", _("扶贫、教育、医疗、社会保障、促进就业")
    EMERGENCIES = "emergencies", _("突发公共事件应急预案")
    ENVIRONMENT = "environment", _("环境保护、公共卫生、安全生产、食品药品、产品质量监督检查")
    RECRUITMENT = "recruitment", _("公务员招考的职位、名额、报考条件及录用结果")
    OTHER = "other", _("其他依法应当主动公开的政府信息")


class ColumnType(models.TextChoices):
    """ColumnType meta tag values: the four functions of a government website."""

    PUBLISH = "信息发布", _("信息发布")
    INTERPRET = "解读回应", _("解读回应")
    SERVICE = "办事服务", _("办事服务")
    INTERACT = "互动交流", _("互动交流")


class ColumnKind(models.TextChoices):
    """How the inspection rules treat a column."""

    NEWS = "news", _("动态要闻类")  # idle > 2 weeks is stale
    NOTICE = "notice", _("通知公告类")  # idle > 6 months is stale
    POLICY = "policy", _("政策文件类")  # idle > 6 months is stale
    OTHER = "other", _("其他")
    LINK = "link", _("链接栏目")  # its content lives elsewhere (mailbox, service hall); not checked


@register_setting(icon="site")
class PortalIdentity(BaseSiteSetting):
    """The identity every page carries in its meta tags and footer (国办发〔2017〕47号)."""

    site_name = models.CharField(_("网站名称"), max_length=64, default="县人民政府门户网站")
    site_domain = models.CharField(_("网站域名"), max_length=100, default="www.example.gov.cn")
    site_idcode = models.CharField(_("网站标识码"), max_length=16, default="3311000001")
    icp_number = models.CharField(_("ICP备案号"), max_length=64, default="浙ICP备00000000号")
    police_number = models.CharField(
        _("公安机关备案号"), max_length=64, default="浙公网安备 33110002000001号"
    )
    sponsor = models.CharField(_("主办单位"), max_length=100, default="县人民政府办公室")
    organizer = models.CharField(_("承办单位"), max_length=100, default="县信息化中心")
    phone = models.CharField(_("联系电话"), max_length=32, default="0578-0000000")
    email = models.EmailField(_("联系邮箱"), default="web@example.gov.cn")
    address = models.CharField(_("联系地址"), max_length=200, blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("site_name"), FieldPanel("site_domain"), FieldPanel("site_idcode")],
            heading=_("网站标识"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("icp_number"),
                FieldPanel("police_number"),
                FieldPanel("sponsor"),
                FieldPanel("organizer"),
            ],
            heading=_("备案与主办"),
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("address")], heading=_("联系方式")
        ),
    ]

    class Meta:
        verbose_name = _("网站标识与页脚")


class BasePortalPage(Page):
    """Common to every portal page: nothing stored, but the search index and cache hooks treat
    ``BasePortalPage`` subclasses alike. Abstract."""

    class Meta:
        abstract = True

    def county_home(self) -> HomePage | None:
        home = self.get_ancestors(inclusive=True).type(HomePage).first()
        return home.specific if home else None  # type: ignore[return-value]


class HomePage(BasePortalPage):
    county = models.OneToOneField(
        County, on_delete=models.PROTECT, related_name="portal_home", verbose_name=_("县")
    )
    welcome = models.CharField(_("欢迎语"), max_length=200, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    description = models.CharField(_("网站描述"), max_length=300, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("county"),
        FieldPanel("welcome"),
        FieldPanel("keywords"),
        FieldPanel("description"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.ChannelPage", "portal.TopicPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("首页")


class ChannelPage(BasePortalPage):
    """A channel (频道): 新闻, 政务 (政务公开), 生活, 互动."""

    description = models.CharField(_("频道描述"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    column_type = models.CharField(
        _("栏目类型"), max_length=8, choices=ColumnType.choices, default=ColumnType.PUBLISH
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldPanel("keywords"),
        FieldPanel("column_type"),
    ]
    parent_page_types = ["portal.HomePage"]
    subpage_types = [
        "portal.ColumnPage",
        "portal.DisclosureGuidePage",
        "portal.DisclosureCataloguePage",
        "portal.TopicPage",
    ]

    class Meta:
        verbose_name = _("频道")


class ColumnPage(BasePortalPage):
    """A column (栏目). ``link_url`` makes it a link column whose content lives elsewhere (领导信箱 →
    the mailbox, 行政审批 → the service hall)."""

    description = models.CharField(_("栏目描述"), max_length=300, blank=True)
    keywords = models.CharField(_("栏目关键词"), max_length=200, blank=True)
    column_type = models.CharField(
        _("栏目类型"), max_length=8, choices=ColumnType.choices, default=ColumnType.PUBLISH
    )
    kind = models.CharField(_("检查类别"), max_length=8, choices=ColumnKind.choices, default=ColumnKind.NEWS)
    update_limit_days = models.PositiveIntegerField(
        _("更新周期（天）"),
        null=True,
        blank=True,
        help_text=_("留空则按检查类别：动态要闻 14 天，通知公告和政策文件 180 天。"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("维护单位")
    )
    disclosure_category = models.CharField(
        _("公开类别"), max_length=16, choices=DisclosureCategory.choices, blank=True
    )
    link_url = models.CharField(_("链接地址"), max_length=200, blank=True)
    is_flagship = models.BooleanField(_("首页重点栏目"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldPanel("keywords"),
        FieldPanel("column_type"),
        FieldPanel("kind"),
        FieldPanel("update_limit_days"),
        FieldPanel("unit"),
        FieldPanel("disclosure_category"),
        FieldPanel("link_url"),
        FieldPanel("is_flagship"),
    ]
    parent_page_types = ["portal.ChannelPage", "portal.ColumnPage"]
    subpage_types = [
        "portal.ColumnPage",
        "portal.ArticlePage",
        "portal.PolicyDocumentPage",
        "portal.LeaderProfilePage",
        "portal.DepartmentPage",
        "portal.ProcurementNoticePage",
        "portal.InvestmentProjectPage",
        "portal.AnnualReportPage",
    ]

    class Meta:
        verbose_name = _("栏目")

    def limit_days(self) -> int | None:
        if self.update_limit_days:
            return self.update_limit_days
        return {ColumnKind.NEWS: 14, ColumnKind.NOTICE: 183, ColumnKind.POLICY: 183}.get(self.kind)  # type: ignore[call-overload]


class ContentPage(BasePortalPage):
    """Common fields of the content pages (articles, policy documents, notices …). Abstract."""

    publish_date = models.DateTimeField(_("发布时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    disclosure_category = models.CharField(
        _("公开类别"), max_length=16, choices=DisclosureCategory.choices, blank=True
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("发布单位")
    )

    search_fields: list[Any] = [*Page.search_fields, index.SearchField("source")]

    class Meta:
        abstract = True


class ArticlePage(ContentPage):
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    author = models.CharField(_("作者"), max_length=64, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = RichTextField(_("正文"))
    cover = models.ForeignKey(
        IMAGE_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("标题图片"),
    )
    is_headline = models.BooleanField(_("头条"), default=False)
    is_notice = models.BooleanField(_("通知公告"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("subtitle"),
        MultiFieldPanel(
            [FieldPanel("publish_date"), FieldPanel("source"), FieldPanel("author"), FieldPanel("unit")],
            heading=_("发布信息"),
        ),
        FieldPanel("summary"),
        FieldPanel("cover"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
        InlinePanel("related", label=_("相关文章")),
        MultiFieldPanel(
            [FieldPanel("is_headline"), FieldPanel("is_notice"), FieldPanel("disclosure_category")],
            heading=_("展示与公开"),
        ),
    ]
    search_fields: list[Any] = [
        *ContentPage.search_fields,
        index.SearchField("subtitle"),
        index.SearchField("body"),
    ]
    parent_page_types = ["portal.ColumnPage", "portal.TopicPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("文章")
        indexes = [models.Index(fields=["-publish_date"], name="portal_article_pubdate")]


class PageAttachment(Orderable):
    """An attachment (附件) of an article or a policy document."""

    page = ParentalKey(Page, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        DOCUMENT_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("文件")
    )
    title = models.CharField(_("附件名称"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")


class RelatedPage(Orderable):
    """A related article (相关文章) of a content page or a topic."""

    page = ParentalKey(Page, on_delete=models.CASCADE, related_name="related")
    target = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+", verbose_name=_("相关页面"))

    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("相关文章")


class Validity(models.TextChoices):
    VALID = "valid", _("有效")
    AMENDED = "amended", _("已修改")
    EXPIRED = "expired", _("失效")
    REPEALED = "repealed", _("废止")


class PolicyDocumentPage(ContentPage):
    """A policy document (政策文件) with its 文号 and dates, and the article that interprets it (解读)."""

    doc_number = models.CharField(_("文号"), max_length=64, blank=True)
    issuing_organ = models.CharField(_("发文机关"), max_length=100)
    index_number = models.CharField(_("索引号"), max_length=64, blank=True)
    issued_on = models.DateField(_("成文日期"))
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    validity = models.CharField(_("有效性"), max_length=12, choices=Validity.choices, default=Validity.VALID)
    body = RichTextField(_("正文"))
    interpretation = models.ForeignKey(
        "portal.ArticlePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interprets",
        verbose_name=_("政策解读"),
    )
    source_document_id = models.BigIntegerField(_("来源公文"), null=True, blank=True, unique=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("doc_number"),
                FieldPanel("issuing_organ"),
                FieldPanel("index_number"),
                FieldPanel("issued_on"),
                FieldPanel("effective_on"),
                FieldPanel("expires_on"),
                FieldPanel("validity"),
            ],
            heading=_("文件信息"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("publish_date"),
                FieldPanel("source"),
                FieldPanel("unit"),
                FieldPanel("disclosure_category"),
            ],
            heading=_("发布信息"),
        ),
        FieldPanel("body"),
        FieldPanel("interpretation"),
        InlinePanel("attachments", label=_("附件")),
    ]
    search_fields: list[Any] = [
        *ContentPage.search_fields,
        index.SearchField("doc_number"),
        index.SearchField("issuing_organ"),
        index.SearchField("body"),
    ]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("政策文件")


class LeaderProfilePage(ContentPage):
    name = models.CharField(_("姓名"), max_length=32)
    position = models.CharField(_("职务"), max_length=100)
    photo = models.ForeignKey(
        IMAGE_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("照片"),
    )
    duties = models.TextField(_("工作分工"))
    resume = RichTextField(_("简历"), blank=True)
    sort = models.IntegerField(_("排序"), default=0)

    content_panels = [
        *Page.content_panels,
        FieldPanel("name"),
        FieldPanel("position"),
        FieldPanel("photo"),
        FieldPanel("duties"),
        FieldPanel("resume"),
        FieldPanel("sort"),
        FieldPanel("publish_date"),
    ]
    search_fields: list[Any] = [
        *ContentPage.search_fields,
        index.SearchField("name"),
        index.SearchField("duties"),
    ]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("领导简介")


class DepartmentPage(ContentPage):
    """A department in the 部门导航: duties, leaders, address, hours, phone."""

    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    duties = RichTextField(_("主要职责"))
    leaders = models.TextField(_("领导班子"), blank=True, help_text=_("每行一人：姓名 职务 分工"))
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("department"),
        FieldPanel("duties"),
        FieldPanel("leaders"),
        FieldPanel("address"),
        FieldPanel("office_hours"),
        FieldPanel("phone"),
        FieldPanel("postcode"),
        FieldPanel("publish_date"),
    ]
    search_fields: list[Any] = [*ContentPage.search_fields, index.SearchField("duties")]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("部门介绍")


class ProcurementNoticePage(ContentPage):
    class NoticeType(models.TextChoices):
        TENDER = "tender", _("采购公告")
        CORRECTION = "correction", _("更正公告")
        RESULT = "result", _("中标（成交）结果公告")
        CONTRACT = "contract", _("合同公告")

    notice_type = models.CharField(_("公告类型"), max_length=12, choices=NoticeType.choices)
    project_number = models.CharField(_("项目编号"), max_length=64)
    purchaser = models.CharField(_("采购人"), max_length=100)
    agency = models.CharField(_("采购代理机构"), max_length=100, blank=True)
    method = models.CharField(_("采购方式"), max_length=32)
    budget = models.DecimalField(_("预算金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    deadline = models.DateTimeField(_("响应截止时间"), null=True, blank=True)
    body = RichTextField(_("公告内容"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("notice_type"),
        FieldPanel("project_number"),
        FieldPanel("purchaser"),
        FieldPanel("agency"),
        FieldPanel("method"),
        FieldPanel("budget"),
        FieldPanel("deadline"),
        FieldPanel("publish_date"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
    ]
    search_fields: list[Any] = [
        *ContentPage.search_fields,
        index.SearchField("project_number"),
        index.SearchField("body"),
    ]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("采购公告")


class InvestmentProjectPage(ContentPage):
    industry = models.CharField(_("所属行业"), max_length=64)
    location = models.CharField(_("项目地点"), max_length=100)
    total_investment = models.DecimalField(_("总投资（万元）"), max_digits=12, decimal_places=2)
    cooperation = models.CharField(_("合作方式"), max_length=64)
    contact = models.CharField(_("联系方式"), max_length=100)
    cover = models.ForeignKey(
        IMAGE_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("项目图片"),
    )
    body = RichTextField(_("项目概况"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("industry"),
        FieldPanel("location"),
        FieldPanel("total_investment"),
        FieldPanel("cooperation"),
        FieldPanel("contact"),
        FieldPanel("cover"),
        FieldPanel("publish_date"),
        FieldPanel("body"),
    ]
    search_fields: list[Any] = [*ContentPage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("招商项目")


class TopicPage(BasePortalPage):
    """A special topic (专题): a banner, an introduction, its own articles and related pages."""

    intro = models.TextField(_("专题简介"))
    banner = models.ForeignKey(
        IMAGE_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("专题横幅"),
    )
    publish_date = models.DateTimeField(_("发布时间"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("banner"),
        FieldPanel("publish_date"),
        InlinePanel("related", label=_("相关页面")),
    ]
    parent_page_types = ["portal.HomePage", "portal.ChannelPage"]
    subpage_types = ["portal.ArticlePage"]

    class Meta:
        verbose_name = _("专题")


class DisclosureGuidePage(BasePortalPage):
    """政府信息公开指南 (第十二条: an organ compiles and publishes its guide and catalogue)."""

    body = RichTextField(_("指南正文"))
    publish_date = models.DateTimeField(_("发布时间"), null=True, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("publish_date"), FieldPanel("body")]
    parent_page_types = ["portal.ChannelPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("信息公开指南")


class DisclosureCataloguePage(BasePortalPage):
    """政府信息公开目录: the content pages by 第二十条 category and by department (computed)."""

    intro = models.TextField(_("说明"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.ChannelPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("信息公开目录")


class AnnualReportPage(BasePortalPage):
    """政府信息公开工作年度报告 in the form of 国办公开办函〔2021〕30号. The request table (三) is
    computed from the disclosure requests of the year and stored at each save; the carried-over
    figures may be set by hand (the year before may predate the platform). Saving is refused when
    new + carried over ≠ handled + carried forward (:mod:`tongban.portal.annual_report`)."""

    year = models.PositiveIntegerField(_("年度"))
    organ = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告机关"),
        help_text=_("留空为全县汇总报告。"),
    )
    overview = RichTextField(_("一、总体情况"))
    proactive = models.JSONField(_("二、主动公开政府信息情况"), default=dict, blank=True)
    carried_over = models.JSONField(_("上年结转"), default=dict, blank=True)
    requests_table = models.JSONField(_("三、收到和处理政府信息公开申请情况"), default=dict, blank=True)
    reviews = models.JSONField(_("四、政府信息公开行政复议、行政诉讼情况"), default=dict, blank=True)
    problems = RichTextField(_("五、存在的主要问题及改进情况"), blank=True)
    other = RichTextField(_("六、其他需要报告的事项"), blank=True)
    publish_date = models.DateTimeField(_("发布时间"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("year"),
        FieldPanel("organ"),
        FieldPanel("publish_date"),
        FieldPanel("overview"),
        FieldPanel("problems"),
        FieldPanel("other"),
    ]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("政府信息公开年度报告")


# --- portal administration (not pages) -------------------------------------------------------


class UnitDesk(models.Model):
    """A unit's editorial desk: the Wagtail groups of its editors and reviewers and its moderation
    workflow (editor → unit reviewer → publish). Kept in step with the 网站编辑 / 网站审核 role
    grants by :mod:`tongban.portal.editorial`."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="portal_desk", verbose_name=_("单位")
    )
    editors = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("编辑组")
    )
    reviewers = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("审核组")
    )
    workflow = models.ForeignKey(
        "wagtailcore.Workflow", on_delete=models.PROTECT, related_name="+", verbose_name=_("审核流程")
    )

    class Meta:
        verbose_name = _("单位网站编辑部")
        verbose_name_plural = _("单位网站编辑部")

    def __str__(self) -> str:
        return str(self.unit)


class ErrorReport(models.Model):
    """找错: a visitor reports an error on a page; the portal administrator answers."""

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        FIXED = "fixed", _("已更正")
        REJECTED = "rejected", _("不属实")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    page_url = models.CharField(_("页面地址"), max_length=500)
    kind = models.CharField(_("错误类型"), max_length=32)
    description = models.TextField(_("问题描述"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("处理说明"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网站纠错")
        verbose_name_plural = _("网站纠错")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.page_url}"


class HealthReminder(models.Model):
    """One reminder a column owner got about an inspection limit (so the daily job sends it once)."""

    column = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+", verbose_name=_("栏目"))
    rule = models.CharField(_("检查项"), max_length=32)
    limit_on = models.DateField(_("到期日"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网站检查提醒")
        verbose_name_plural = _("网站检查提醒")
        constraints = [
            models.UniqueConstraint(fields=["column", "rule", "limit_on"], name="portal_health_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.column_id} {self.rule} {self.limit_on}"
