"""Data exchange with the provincial platform: push targets, their watermarks, the deliveries
(one frozen batch each, with a stable batch id) and every attempt at sending one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushKind(models.TextChoices):
    CASES = "approval_cases", _("审批办件")
    DISCLOSURE = "disclosure_stats", _("依申请公开统计")


class ExchangeTarget(models.Model):
    """A receiver of pushed batches (e.g. 省一体化政务服务平台). The body of each request is signed
    with HMAC-SHA256 under ``secret`` (header ``X-Tongban-Signature: sha256=<hex>``); an optional
    extra header (e.g. ``Authorization: Bearer …``) is sent as well."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200)
    auth_header_name = models.CharField(_("附加请求头名称"), max_length=64, blank=True)
    auth_header_value = models.CharField(_("附加请求头值"), max_length=500, blank=True)
    enabled = models.BooleanField(_("启用"), default=False)
    push_cases = models.BooleanField(_("推送审批办件"), default=True)
    push_disclosure = models.BooleanField(_("推送依申请公开统计"), default=True)
    batch_size = models.PositiveIntegerField(_("每批条数"), default=200)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=6)
    timeout_seconds = models.PositiveSmallIntegerField(_("超时（秒）"), default=10)
    last_test_at = models.DateTimeField(_("最近测试"), null=True, blank=True)
    last_test_ok = models.BooleanField(_("最近测试成功"), null=True, blank=True)
    last_test_message = models.CharField(_("最近测试结果"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("推送目标")
        verbose_name_plural = _("推送目标")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def kinds(self) -> list[str]:
        out = []
        if self.push_cases:
            out.append(PushKind.CASES.value)
        if self.push_disclosure:
            out.append(PushKind.DISCLOSURE.value)
        return out


class Watermark(models.Model):
    """How far a target has received a kind: rows changed up to (``changed_at``, ``last_id``) were
    delivered. Moves only when a delivery succeeds."""

    target = models.ForeignKey(ExchangeTarget, on_delete=models.CASCADE, related_name="watermarks")
    kind = models.CharField(_("数据类别"), max_length=24, choices=PushKind.choices)
    changed_at = models.DateTimeField(_("已推送至"), null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    sequence = models.PositiveIntegerField(_("批次序号"), default=0)
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送水位")
        verbose_name_plural = _("推送水位")
        constraints = [models.UniqueConstraint(fields=["target", "kind"], name="exchange_watermark_unique")]

    def __str__(self) -> str:
        return f"{self.target_id}:{self.kind}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    RETRYING = "retrying", _("重试中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("失败")


class ExchangeDelivery(models.Model):
    """One batch for one target: the body is frozen when the batch is made, so every retry sends
    the same bytes (same signature) under the same ``batch_id``."""

    target = models.ForeignKey(ExchangeTarget, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("数据类别"), max_length=24, choices=PushKind.choices)
    batch_id = models.CharField(_("批次号"), max_length=64, unique=True)
    sequence = models.PositiveIntegerField(_("批次序号"))
    body = models.TextField(_("报文"))
    record_count = models.PositiveIntegerField(_("记录数"), default=0)
    # the watermark this batch reaches when delivered
    wm_changed_at = models.DateTimeField(null=True, blank=True)
    wm_last_id = models.BigIntegerField(default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    manual = models.BooleanField(_("手动推送"), default=False)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target", "kind", "status"], name="exchange_delivery_stream"),
            models.Index(fields=["status", "next_attempt_at"], name="exchange_delivery_due"),
        ]

    def __str__(self) -> str:
        return self.batch_id


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(ExchangeDelivery, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"))
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态"), null=True, blank=True)
    ok = models.BooleanField(_("成功"), default=False)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    response_excerpt = models.CharField(_("响应摘录"), max_length=500, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("推送尝试")
        verbose_name_plural = _("推送尝试")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"
