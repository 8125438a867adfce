"""Electronic supervision (电子监察, rules.md §4): light changes, anomalies with evidence,
rectification notices, complaints, bad-rating follow-ups and monthly department scores.

The case lights themselves live on :class:`tongban.approvals.models.Case` (``light``), written only
by the sweep (tongban.supervision.sweep); every change is also a :class:`LightChange` row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.approvals.models import Case, CaseRating, Light
from tongban.identity.models import PublicAccount
from tongban.orgs.models import County, Unit


class LightChange(models.Model):
    """One change of a case's light. The alert for it (in-app + SMS to the handler and the unit
    head) is sent once: ``notified_at`` is set in the same transaction, and notify() deduplicates
    on (event, "case:<id>:<light>:<due_on>")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="light_changes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    old = models.CharField(_("原灯色"), max_length=8, choices=Light.choices, blank=True)
    new = models.CharField(_("新灯色"), max_length=8, choices=Light.choices)
    at = models.DateTimeField(_("时间"))
    due_on = models.DateField(_("期限"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("灯色变化")
        verbose_name_plural = _("灯色变化")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class AnomalyKind(models.TextChoices):
    STEP_OVERDUE = "step_overdue", _("环节超时")
    LATE_SUPPLEMENT = "late_supplement", _("超期补正告知")
    SECOND_SUPPLEMENT = "second_supplement", _("多次补正告知")
    REFUSAL_WITHOUT_REASON = "refusal_no_reason", _("不予许可或不予受理未说明理由")
    UNLAWFUL_PAUSE = "unlawful_pause", _("非法定事由挂起")
    DECISION_LATE = "decision_late", _("超法定时限作出决定")
    IRREGULAR_FEE = "irregular_fee", _("违规收费")
    OVER_COMMITTED = "over_committed", _("超承诺时限")
    LATE_CERTIFICATE = "late_certificate", _("超期制证送达")


class AnomalyStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    CLOSED = "closed", _("已处理")


class Anomaly(models.Model):
    """An irregularity found on a case, with its evidence (event numbers, dates, amounts). One
    row per (case, kind, key): found again, it is not recorded twice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="anomalies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("异常类型"), max_length=24, choices=AnomalyKind.choices)
    key = models.CharField(max_length=64, default="", blank=True)
    detected_at = models.DateTimeField(_("发现时间"))
    evidence = models.JSONField(_("证据"), default=dict)
    summary = models.TextField(_("说明"))
    status = models.CharField(
        _("状态"), max_length=8, choices=AnomalyStatus.choices, default=AnomalyStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("异常")
        verbose_name_plural = _("异常")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "key"], name="supervision_anomaly_once")
        ]
        indexes = [
            models.Index(fields=["unit", "detected_at"]),
            models.Index(fields=["status", "detected_at"]),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class RectificationKind(models.TextChoices):
    YELLOW = "yellow", _("黄牌警告通知")
    RED = "red", _("整改建议书")
    NOTICE = "notice", _("整改通知")


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", _("待回复")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已办结")


class Rectification(models.Model):
    """A written notice to a unit to put something right, with a deadline: issued automatically
    with a 黄牌 (deadline ClockPolicy.rectify_days) and a 红牌 (整改建议书), or by a supervisor
    (整改通知). The unit replies; the supervisor closes it. Every action is audited."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("责任单位")
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="rectifications"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=RectificationKind.choices)
    number = models.CharField(_("文号"), max_length=64, blank=True)
    text = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RectificationStatus.choices, default=RectificationStatus.ISSUED
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.TextField(_("整改回复"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("办结意见"), blank=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            # One automatic notice per case and kind.
            models.UniqueConstraint(
                fields=["case", "kind"], condition=~models.Q(kind="notice"), name="supervision_rect_auto_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ComplaintChannel(models.TextChoices):
    WEB = "web", _("网上投诉")
    PHONE = "phone", _("电话")
    LETTER = "letter", _("信件")
    VISIT = "visit", _("来访")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("待处理")
    ASSIGNED = "assigned", _("已转办")
    ANSWERED = "answered", _("已答复")


class Complaint(models.Model):
    """投诉 about a case or a department, routed to the supervision office and answered within
    ``SupervisionPolicy.complaint_days`` working days; the complainant sees the answer by the
    complaint's number (and on their account when they were logged in)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("投诉编号"), max_length=32, unique=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=ComplaintChannel.choices)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("被投诉单位"),
    )
    account = models.ForeignKey(
        PublicAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints"
    )
    name = models.CharField(_("投诉人"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=20)
    subject = models.CharField(_("投诉主题"), max_length=200)
    text = models.TextField(_("投诉内容"))
    received_at = models.DateTimeField(_("收到时间"))
    due_on = models.DateField(_("答复期限"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    upheld = models.BooleanField(_("投诉属实"), null=True, blank=True)
    answer = models.TextField(_("答复意见"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # 转办: the supervisor forwards the complaint to the unit concerned with a note.
    assigned_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转办人"),
    )
    assign_note = models.TextField(_("转办意见"), blank=True)
    # 情况说明: the unit head's statement (the latest one; each is also in the audit log).
    statement = models.TextField(_("情况说明"), blank=True)
    stated_at = models.DateTimeField(_("说明时间"), null=True, blank=True)
    stated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("说明人"),
    )
    sms_sent_at = models.DateTimeField(_("答复短信发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["unit", "received_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    CLOSED = "closed", _("已反馈")


class RatingFollowUp(models.Model):
    """A bad rating's follow-up task for the department (rules.md §3: fixed and reported back
    within 5 [local], 100 % of named bad ratings), visible to the supervisor until closed."""

    rating = models.OneToOneField(CaseRating, on_delete=models.CASCADE, related_name="followup")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("反馈期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    fixed = models.TextField(_("整改情况"), blank=True)
    contact = models.TextField(_("回访申请人情况"), blank=True)
    # Before 0002 the two were stored together here ("整改情况：…\n回访申请人：…"); 0002 split them
    # into ``fixed`` and ``contact``. Nothing writes or reads it any more.
    record = models.TextField(_("整改反馈记录"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class SupervisionPolicy(models.Model):
    """Settings of the supervision office: one row, id 1. The score formula is
    score = w_timeliness·timeliness + w_anomalies·(100 − anomaly penalty) + w_complaints·(100 − complaint
    penalty) + w_ratings·satisfaction, each term 0–100; weights add up to 100 (shown on the page)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    complaint_days = models.PositiveSmallIntegerField(_("投诉答复期限（工作日）"), default=10)
    w_timeliness = models.PositiveSmallIntegerField(_("按时办结权重"), default=40)
    w_anomalies = models.PositiveSmallIntegerField(_("异常权重"), default=20)
    w_complaints = models.PositiveSmallIntegerField(_("投诉权重"), default=15)
    w_ratings = models.PositiveSmallIntegerField(_("评价权重"), default=25)
    anomaly_penalty = models.PositiveSmallIntegerField(_("每件异常扣分"), default=5)
    complaint_penalty = models.PositiveSmallIntegerField(_("每件属实投诉扣分"), default=10)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("绩效考核设置")
        verbose_name_plural = _("绩效考核设置")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class MonthlyScore(models.Model):
    """A department's score for one month (computed by performance.compute_month; recomputed
    for the current month every night)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))  # first day of the month
    cases_closed = models.PositiveIntegerField(default=0)
    cases_on_time = models.PositiveIntegerField(default=0)
    anomalies = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_avg = models.FloatField(null=True, blank=True)
    timeliness = models.FloatField(default=100)
    score = models.FloatField(default=0)
    rank = models.PositiveIntegerField(default=0)
    formula = models.TextField(blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("月度绩效")
        verbose_name_plural = _("月度绩效")
        ordering = ["-month", "rank"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="supervision_score_once")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
