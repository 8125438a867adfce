"""Internal notices (通知公告): a unit publishes a notice to chosen units or the whole county;
each reader's receipt records when it was opened and when reading was confirmed (确认已读)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.orgs.models import County, Unit


class Importance(models.TextChoices):
    NORMAL = "normal", _("普通")
    IMPORTANT = "important", _("重要")
    URGENT = "urgent", _("紧急")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Notice(models.Model):
    """A notice. The body is plain text (shown with its line breaks, never as HTML)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="notices", verbose_name=_("发布单位")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("拟稿人")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    importance = models.CharField(
        _("重要程度"), max_length=16, choices=Importance.choices, default=Importance.NORMAL
    )
    whole_county = models.BooleanField(_("发送全县"), default=False)
    requires_confirmation = models.BooleanField(_("需确认已读"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    last_reminded_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(_("提醒次数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "whole_county", "published_at"]),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeTarget(models.Model):
    """A unit the notice is addressed to (none when it goes to the whole county)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))

    class Meta:
        verbose_name = _("发送单位")
        verbose_name_plural = _("发送单位")
        constraints = [models.UniqueConstraint(fields=["notice", "unit"], name="notices_target_unique")]
        indexes = [models.Index(fields=["unit", "notice"])]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.unit_id}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="notices/%Y/%m/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    sort = models.IntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class NoticeReceipt(models.Model):
    """One reader of one notice. Created in bulk when the notice is published (the audience at that
    moment), or lazily when someone who joined the audience later opens it. ``unit`` is the unit
    under which the reader is counted in the publisher's read statistics."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notices_receipt_unique")]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["read_at"], name="notices_receipt_read_idx"),
            models.Index(fields=["notice", "unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.user_id}"
