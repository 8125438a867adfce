"""Official documents (公文) issued by the county's units.

A document carries every element of 党政机关公文处理工作条例 第九条 (rules.md §1); its route runs in
the workflow engine (``instance``); its number comes from ``NumberSeries`` under a lock
(``services.number_assign``); every body version is kept (``BodyVersion``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    """条例 第八条: the 15 types."""

    RESOLUTION = "决议", _("决议")
    DECISION = "决定", _("决定")
    ORDER = "命令", _("命令(令)")
    COMMUNIQUE = "公报", _("公报")
    ANNOUNCEMENT = "公告", _("公告")
    PUBLIC_NOTICE = "通告", _("通告")
    OPINION = "意见", _("意见")
    NOTICE = "通知", _("通知")
    CIRCULAR = "通报", _("通报")
    REPORT = "报告", _("报告")
    REQUEST = "请示", _("请示")
    REPLY = "批复", _("批复")
    MOTION = "议案", _("议案")
    LETTER = "函", _("函")
    MINUTES = "纪要", _("纪要")


class Direction(models.TextChoices):
    DOWNWARD = "down", _("下行文")
    PARALLEL = "parallel", _("平行文")
    UPWARD = "up", _("上行文")  # GB/T 9704 7.2.4: 发文字号 left, 签发人 right


class Layout(models.TextChoices):
    """GB/T 9704 特定格式: 文件式 (standard), 信函式, 纪要式, 命令(令)式."""

    STANDARD = "standard", _("文件格式")
    LETTER = "letter", _("信函格式")
    MINUTES = "minutes", _("纪要格式")
    ORDER = "order", _("命令格式")


class Secrecy(models.TextChoices):
    NONE = "", _("非密")
    SECRET = "秘密", _("秘密")
    CONFIDENTIAL = "机密", _("机密")
    TOP_SECRET = "绝密", _("绝密")


class Urgency(models.TextChoices):
    NONE = "", _("普通")
    URGENT = "加急", _("加急")
    EXTRA_URGENT = "特急", _("特急")


class DocStatus(models.TextChoices):
    DRAFT = "draft", _("拟稿")
    REVIEW = "review", _("审核中")
    SIGNED = "signed", _("已签发")
    NUMBERED = "numbered", _("已编号")
    SEALED = "sealed", _("已用印")
    ISSUED = "issued", _("已核发")
    WITHDRAWN = "withdrawn", _("已撤销")
    ARCHIVED = "archived", _("已归档")


class NumberSeries(models.Model):
    """A unit's numbering series, e.g. 青政发 / 青政办发 / 青政函; one counter per year."""

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="number_series", verbose_name=_("单位")
    )
    prefix = models.CharField(_("机关代字"), max_length=32, help_text=_("如 青政发"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("发文字号系列")
        verbose_name_plural = _("发文字号系列")
        ordering = ["unit_id", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["county", "prefix"], name="documents_series_prefix_unique")
        ]

    def __str__(self) -> str:
        return self.prefix


class SeriesCounter(models.Model):
    """The last serial given in a series and year. Locked with SELECT … FOR UPDATE to number."""

    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="counters")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="documents_counter_unique")]

    def __str__(self) -> str:
        return f"{self.series_id}/{self.year}: {self.last}"


class NumberRecord(models.Model):
    """Every number ever given: never reused; a withdrawn document's number is voided, not freed."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("已使用")
        VOIDED = "voided", _("已作废")

    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="records")
    year = models.PositiveIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    text = models.CharField(_("发文字号"), max_length=64)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="number_records", null=True
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    assigned_at = models.DateTimeField(_("编号时间"), auto_now_add=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("编号记录")
        verbose_name_plural = _("编号记录")
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "serial"], name="documents_number_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Document(models.Model):
    """An outgoing official document. Elements follow 条例 第九条 in order."""

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="documents", verbose_name=_("主办单位")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("拟稿人")
    )
    created_at = models.DateTimeField(_("拟稿时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    status = models.CharField(_("状态"), max_length=12, choices=DocStatus.choices, default=DocStatus.DRAFT)

    doc_type = models.CharField(_("文种"), max_length=4, choices=DocType.choices, default=DocType.NOTICE)
    direction = models.CharField(
        _("行文方向"), max_length=8, choices=Direction.choices, default=Direction.DOWNWARD
    )
    layout = models.CharField(_("版式"), max_length=8, choices=Layout.choices, default=Layout.STANDARD)
    # 1 份号 (6 digits) and copies printed
    copy_no = models.CharField(_("份号"), max_length=6, blank=True)
    copies = models.PositiveIntegerField(_("印发份数"), default=0)
    # 2 密级和保密期限
    secrecy = models.CharField(
        _("密级"), max_length=4, choices=Secrecy.choices, default=Secrecy.NONE, blank=True
    )
    secrecy_period = models.CharField(_("保密期限"), max_length=16, blank=True, help_text=_("如 1年"))
    # 3 紧急程度
    urgency = models.CharField(
        _("紧急程度"), max_length=4, choices=Urgency.choices, default=Urgency.NONE, blank=True
    )
    # 4 发文机关标志 (e.g. 青山县人民政府文件); joint documents list several organs (DocumentOrgan)
    flag_text = models.CharField(_("发文机关标志"), max_length=100, blank=True)
    # 5 发文字号
    series = models.ForeignKey(
        NumberSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("发文字号系列"),
    )
    number_year = models.PositiveIntegerField(_("编号年度"), null=True, blank=True)
    number_serial = models.PositiveIntegerField(_("编号序号"), null=True, blank=True)
    doc_number = models.CharField(_("发文字号"), max_length=64, blank=True, db_index=True)
    # 6 签发人 (names of the signers, in order; see SignOff for the record)
    signers_text = models.CharField(_("签发人"), max_length=100, blank=True)
    # 7 标题
    title = models.CharField(_("标题"), max_length=200)
    # 8 主送机关 (text as printed; Recipient rows say who receives it inside the county)
    main_to = models.CharField(_("主送机关"), max_length=500, blank=True)
    # 9 正文 (current version; every version in BodyVersion)
    body_html = models.TextField(_("正文"), blank=True)
    # 10 附件说明 (one attachment name per line, printed as 附件：1. … 2. …)
    attachment_note = models.TextField(_("附件说明"), blank=True)
    # 11 发文机关署名
    signature_text = models.CharField(_("发文机关署名"), max_length=200, blank=True)
    # 12 成文日期: the sign-off date (the last signer's for a joint document)
    written_date = models.DateField(_("成文日期"), null=True, blank=True)
    # 13 印章: sealed PDF once 用印 is done
    sealed_pdf = models.FileField(_("盖章文件"), upload_to="documents/sealed/%Y/", blank=True)
    sealed_at = models.DateTimeField(_("用印时间"), null=True, blank=True)
    # 14 附注
    note = models.CharField(_("附注"), max_length=200, blank=True)
    # 16 抄送机关
    cc_text = models.CharField(_("抄送机关"), max_length=500, blank=True)
    # 17 印发机关和印发日期
    printer_organ = models.CharField(_("印发机关"), max_length=100, blank=True)
    printed_date = models.DateField(_("印发日期"), null=True, blank=True)

    instance = models.ForeignKey(
        "workflow.ProcessInstance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("流程"),
    )
    issued_at = models.DateTimeField(_("核发时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    retention = models.CharField(_("保管期限"), max_length=12, blank=True)  # permanent | 30y | 10y
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    # the signers the office chose at 办公室核稿 (user ids), carried through an optional 会签
    planned_signer_ids = models.JSONField(_("拟签发人"), default=list, blank=True)
    # units chosen for 会签 at 办公室核稿 (unit ids)
    countersign_unit_ids = models.JSONField(_("会签单位"), default=list, blank=True)
    # 密级 documents: visible only to these named people (plus nobody else)
    named_readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("知悉人员")
    )

    class Meta:
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["county", "status", "-created_at"]),
            models.Index(fields=["unit", "-created_at"]),
            # the daily usage roll-up (stats) reads one day's drafts and issues
            models.Index(fields=["created_at"], name="documents_doc_created_idx"),
            models.Index(fields=["issued_at"], name="documents_doc_issued_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_classified(self) -> bool:
        return bool(self.secrecy)


class DocumentOrgan(models.Model):
    """An issuing organ of a joint document (联合行文); the lead organ's number is used (第九条)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="organs")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("发文机关")
    )
    name = models.CharField(_("机关名称"), max_length=100)
    is_lead = models.BooleanField(_("主办"), default=False)
    sort = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="documents_organ_unique")]

    def __str__(self) -> str:
        return self.name


class SignOff(models.Model):
    """签发: the leader's opinion, name and full date (第二十二条)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signoffs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("签发人"), max_length=64)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", null=True)
    opinion = models.TextField(_("签发意见"))
    signed_at = models.DateTimeField(_("签发时间"))

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.signed_at:%Y-%m-%d}"


class Recipient(models.Model):
    """主送/抄送 recipients. A unit inside the county receives an incoming-document task on 核发;
    an external organ (``unit`` empty) gets the signed PDF exported."""

    class Kind(models.TextChoices):
        MAIN = "main", _("主送")
        CC = "cc", _("抄送")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(_("类别"), max_length=4, choices=Kind.choices)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    external_name = models.CharField(_("外部机关"), max_length=100, blank=True)
    sort = models.IntegerField(default=0)

    class Meta:
        ordering = ["kind", "sort", "id"]

    def __str__(self) -> str:
        return self.external_name or str(self.unit_id)


class BodyVersion(models.Model):
    """Every saved body, kept for side-by-side comparison."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    html = models.TextField(_("正文"))
    source = models.CharField(_("来源"), max_length=8, default="editor")  # editor | docx
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    step = models.CharField(_("环节"), max_length=64, blank=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="documents_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Attachment(models.Model):
    class Role(models.TextChoices):
        ATTACHMENT = "attachment", _("附件")
        BODY_SOURCE = "body_source", _("正文原稿")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="documents/attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    text = models.TextField(_("提取文本"), blank=True)  # for full-text search
    sort = models.IntegerField(default=0)
    role = models.CharField(_("用途"), max_length=12, choices=Role.choices, default=Role.ATTACHMENT)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name
