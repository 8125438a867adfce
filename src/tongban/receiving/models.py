"""Incoming documents (收文办理, 党政机关公文处理工作条例 第二十四条).

An ``IncomingDocument`` is one unit's copy of a document it received: either a document issued
inside the county (``source``, created on 核发 by the distribution listener) or an external/paper
document registered by hand (``source_organ`` …, ``received_file``). Its route after 签收 runs in
the workflow engine (``instance``, process ``receiving.incoming``); this row keeps the domain facts
the route produces (register number, 拟办意见, 批示, lead and assisting units, due date, result)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.archive import models as archive_models
from tongban.documents.models import Recipient


class IncomingStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    PROCESSING = "processing", _("办理中")
    RETURNED = "returned", _("已退回")
    FINISHED = "finished", _("已办结")
    ARCHIVED = "archived", _("已归档")


# 主送/抄送: as on the sending document's recipients
RecipientKind = Recipient.Kind


class Handling(models.TextChoices):
    """第二十四条 (四): 阅知件 are circulated for reading; 批办件 get 拟办意见, 批示 and a lead unit."""

    HANDLE = "handle", _("批办件")
    READ = "read", _("阅知件")


# 保管期限: the archive's one definition (re-exported here for forms and services)
Retention = archive_models.Retention


class IncomingDocument(models.Model):
    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="incoming_documents", verbose_name=_("收文单位")
    )
    # a document issued inside the county …
    source = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来文"),
    )
    # … or an external / paper document registered by hand (copied from the source otherwise)
    source_organ = models.CharField(_("来文机关"), max_length=100, blank=True)
    source_number = models.CharField(_("来文字号"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    doc_type = models.CharField(_("文种"), max_length=4, blank=True)
    secrecy = models.CharField(_("密级"), max_length=4, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=4, blank=True)
    written_date = models.DateField(_("成文日期"), null=True, blank=True)
    received_file = models.FileField(_("来文文件"), upload_to="receiving/%Y/%m/", blank=True)
    received_file_name = models.CharField(_("来文文件名"), max_length=200, blank=True)

    kind = models.CharField(
        _("类别"), max_length=4, choices=RecipientKind.choices, default=RecipientKind.MAIN
    )
    handling = models.CharField(
        _("办理类型"), max_length=8, choices=Handling.choices, default=Handling.HANDLE
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=IncomingStatus.choices, default=IncomingStatus.PENDING
    )
    step = models.CharField(_("当前环节标识"), max_length=32, blank=True)
    step_name = models.CharField(_("当前环节"), max_length=32, blank=True)

    received_at = models.DateTimeField(_("收到时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # 签收: who, when, how many copies (第二十四条 (一))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("签收人"),
    )
    copies = models.PositiveIntegerField(_("份数"), default=1)
    # 登记: the unit's incoming register number (yearly counter per unit)
    register_year = models.PositiveIntegerField(_("登记年度"), null=True, blank=True)
    register_serial = models.PositiveIntegerField(_("登记序号"), null=True, blank=True)
    register_no = models.CharField(_("收文编号"), max_length=64, blank=True, db_index=True)
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    # 初审退回
    return_reason = models.TextField(_("退回理由"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    # 拟办 → 批示 → 承办
    proposal = models.TextField(_("拟办意见"), blank=True)
    instruction = models.TextField(_("领导批示"), blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("批示人"),
    )
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主办单位"),
    )
    assist_units = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="+", verbose_name=_("协办单位")
    )
    deadline_workdays = models.PositiveIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    due_date = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    # 办结, 归档
    result = models.TextField(_("办理结果"), blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    retention = models.CharField(_("保管期限"), max_length=10, choices=Retention.choices, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    instance = models.ForeignKey(
        "workflow.ProcessInstance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("流程"),
    )

    class Meta:
        verbose_name = _("收文")
        verbose_name_plural = _("收文")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "-received_at"]),
            models.Index(fields=["source", "unit"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "register_year", "register_serial"], name="receiving_register_no_unique"
            ),
            models.UniqueConstraint(
                fields=["source", "unit"],
                condition=models.Q(source__isnull=False),
                name="receiving_one_copy_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organ(self) -> str:
        return self.source_organ

    @property
    def is_external(self) -> bool:
        return self.source_id is None


class RegisterCounter(models.Model):
    """The last incoming register serial of a unit in a year; locked with SELECT … FOR UPDATE."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="receiving_counter_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


class IncomingEvent(models.Model):
    """The incoming document's clock: every fact with its time (收到, 签收, 登记, 退回, 催办 …).
    Opinions of the route's steps live in the workflow's work items; this is the rest."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("收到")
        SIGNED = "signed", _("签收")
        REGISTERED = "registered", _("登记")
        RETURNED = "returned", _("退回来文单位")
        INSTRUCTED = "instructed", _("领导批示")
        CIRCULATED = "circulated", _("传阅")
        REMINDED = "reminded", _("催办提醒")
        FINISHED = "finished", _("办结")
        ARCHIVED = "archived", _("归档")

    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
