"""The shared resource library (共享资源库): departments publish datasets, documents, forms and
templates with a catalogue entry; other units download them according to the entry's sharing level
(国发〔2016〕51号《政务信息资源共享管理暂行办法》第九条、第十条), request access when it is
conditional, and every download is logged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.orgs.models import County, Unit


class ResourceKind(models.TextChoices):
    DATASET = "dataset", _("数据集")
    DOCUMENT = "document", _("文档")
    FORM = "form", _("表格")
    TEMPLATE = "template", _("模板")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季")
    YEARLY = "yearly", _("每年")
    IRREGULAR = "irregular", _("不定期")


class SharingLevel(models.TextChoices):
    """国发〔2016〕51号 第九条: 无条件共享 (to every department), 有条件共享 (to the relevant
    departments, or only in part). 限定单位 is 有条件共享 limited to named relevant departments:
    only they (and the owner) see the entry. 不予共享 resources are not published here at all."""

    OPEN = "open", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    RESTRICTED = "restricted", _("有条件共享（限定单位）")


class ColumnType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    DATE = "date", _("日期")
    TEXT = "text", _("文本")


class Resource(models.Model):
    """A catalogue entry (资源目录条目). The file lives in its versions; ``current_version`` is the
    one the catalogue shows and serves by default."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="library_resources", verbose_name=_("提供单位")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ResourceKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("摘要"), blank=True)
    category = models.CharField(_("分类"), max_length=50, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    update_frequency = models.CharField(
        _("更新周期"), max_length=16, choices=UpdateFrequency.choices, default=UpdateFrequency.IRREGULAR
    )
    sharing = models.CharField(_("共享类型"), max_length=16, choices=SharingLevel.choices)
    shared_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("限定单位"), through="SharedUnit"
    )
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    current_version = models.ForeignKey(
        "ResourceVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前版本"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("共享资源")
        verbose_name_plural = _("共享资源")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["county", "sharing", "kind"]),
            models.Index(fields=["owner_unit", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class SharedUnit(models.Model):
    """A unit named in a 限定单位 entry."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("限定单位")
        verbose_name_plural = _("限定单位")
        constraints = [models.UniqueConstraint(fields=["resource", "unit"], name="library_sharedunit_unique")]
        indexes = [models.Index(fields=["unit", "resource"])]

    def __str__(self) -> str:
        return f"{self.resource_id} → {self.unit_id}"


class ResourceVersion(models.Model):
    """One uploaded file of a resource. Datasets also keep their schema (columns with names, types
    and descriptions; inferred on upload, editable) and the first rows for the preview."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    file = models.FileField(upload_to="library/%Y/%m/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    ext = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("大小"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    schema = models.JSONField(_("数据结构"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    note = models.CharField(_("更新说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资源版本")
        verbose_name_plural = _("资源版本")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="library_version_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不予同意")


class AccessRequest(models.Model):
    """A unit's request to use a conditionally shared resource (第十条). Approved, it is the unit's
    grant until ``expires_on`` (inclusive; none = no end)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="requests")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请单位"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    reason = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    expires_on = models.DateField(_("使用期限至"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "unit"],
                condition=models.Q(status="pending"),
                name="library_request_one_pending",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["resource", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} ← {self.unit_id} ({self.status})"


class DownloadLog(models.Model):
    """One download: who, for which unit, which version, when and from where."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="downloads")
    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("下载时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("下载记录")
        verbose_name_plural = _("下载记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["resource", "at"])]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.user_id}@{self.at}"
