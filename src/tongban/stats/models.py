"""Usage assessment (考核督查) and statistics.

*Roll-ups* (:class:`UserDay`, :class:`UnitDay`, :class:`RollupDay`, :class:`Snapshot`) are computed by
the scheduler from the domains' own records through the sources registry (``stats/sources.py``); the
dashboards and the scorecards read only these tables, never the raw events.

*Assessment* (:class:`AssessmentScheme`, :class:`Indicator`, :class:`ScoreSnapshot`) is set by the
county informatisation office. *Effect* (:class:`EffectCosts`) holds the unit costs for the paper
and cost saved. *Feedback* (:class:`Feedback`, :class:`ChangelogEntry`) is the staff's 意见建议 and
the changelog the office publishes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- roll-ups ----------------------------------------------------------------------------------


class UsageCounts(models.Model):
    """The per-person counters shared by :class:`UserDay` and :class:`UnitDay` (a unit's row is the
    sum of its people's rows plus the unit-level figures of cases and letters)."""

    logins = models.PositiveIntegerField(_("登录次数"), default=0)
    docs_drafted = models.PositiveIntegerField(_("起草公文"), default=0)
    docs_handled = models.PositiveIntegerField(_("办理公文"), default=0)
    docs_read = models.PositiveIntegerField(_("阅读公文"), default=0)
    tasks_done = models.PositiveIntegerField(_("办结待办"), default=0)
    handle_minutes = models.PositiveIntegerField(_("办理用时（分钟）"), default=0)
    tasks_overdue = models.PositiveIntegerField(_("超期待办"), default=0)
    notices_received = models.PositiveIntegerField(_("收到通知"), default=0)
    notices_read = models.PositiveIntegerField(_("阅读通知"), default=0)
    meetings_invited = models.PositiveIntegerField(_("应参会"), default=0)
    meetings_attended = models.PositiveIntegerField(_("实参会"), default=0)

    class Meta:
        abstract = True


class UserDay(UsageCounts):
    """One person's use of the platform on one day (only days with something to count are stored)."""

    day = models.DateField(_("日期"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(
        "orgs.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("活跃"), default=False)

    class Meta:
        verbose_name = _("个人日统计")
        verbose_name_plural = _("个人日统计")
        constraints = [models.UniqueConstraint(fields=["day", "user"], name="stats_userday_unique")]
        indexes = [models.Index(fields=["unit", "day"]), models.Index(fields=["office", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}"


class UnitDay(UsageCounts):
    """One unit's figures on one day: its people's counters summed, plus the unit's cases and
    letters and the documents it sent electronically."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    staff = models.PositiveIntegerField(_("在岗人数"), default=0)
    active_users = models.PositiveIntegerField(_("活跃人数"), default=0)
    cases_closed = models.PositiveIntegerField(_("办结审批件"), default=0)
    cases_on_time = models.PositiveIntegerField(_("按时办结审批件"), default=0)
    letters_answered = models.PositiveIntegerField(_("答复信件"), default=0)
    letters_on_time = models.PositiveIntegerField(_("按时答复信件"), default=0)
    docs_sent = models.PositiveIntegerField(_("电子发文"), default=0)
    copies_sent = models.PositiveIntegerField(_("电子分发份数"), default=0)
    pages_sent = models.PositiveIntegerField(_("电子分发页数"), default=0)

    class Meta:
        verbose_name = _("单位日统计")
        verbose_name_plural = _("单位日统计")
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="stats_unitday_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}"


class RollupStatus(models.TextChoices):
    DONE = "done", _("已计算")
    DIRTY = "dirty", _("待重算")
    RUNNING = "running", _("计算中")
    FAILED = "failed", _("失败")


class RollupDay(models.Model):
    """The state of one day's roll-up: a day is computed once and recomputed only when late events
    for it arrive (``dirty``)."""

    day = models.DateField(_("日期"), unique=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=RollupStatus.choices, default=RollupStatus.DIRTY
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    dirty_since = models.DateTimeField(_("待重算自"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("计算次数"), default=0)
    duration_ms = models.PositiveIntegerField(_("用时（毫秒）"), default=0)
    user_rows = models.PositiveIntegerField(default=0)
    unit_rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("日统计状态")
        verbose_name_plural = _("日统计状态")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.status}"


class Snapshot(models.Model):
    """The county's figures at one moment (active users today, documents in motion, cases by light,
    letters by status …), taken by the scheduler for the overview and the big screen."""

    at = models.DateTimeField(_("时间"), db_index=True)
    figures = models.JSONField(_("数据"), default=dict)

    class Meta:
        verbose_name = _("实时概况")
        verbose_name_plural = _("实时概况")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


# --- assessment ----------------------------------------------------------------------------------


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class AssessmentScheme(models.Model):
    """A usage-assessment scheme (考核方案) set by the county informatisation office."""

    name = models.CharField(_("方案名称"), max_length=128)
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.CharField(
        _("考核周期"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    units = models.ManyToManyField("orgs.Unit", blank=True, related_name="+", verbose_name=_("参评单位"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator of a scheme: a formula over the roll-up figures, its weight and target."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("指标名称"), max_length=64)
    formula = models.CharField(_("计算公式"), max_length=255)
    weight = models.DecimalField(_("权重（分）"), max_digits=6, decimal_places=2)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=4)
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    unit_label = models.CharField(_("计量单位"), max_length=16, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="stats_indicator_code_unique")]

    def __str__(self) -> str:
        return self.name


class ScoreSnapshot(models.Model):
    """A unit's computed score for one period of a scheme (recomputed from the roll-ups)."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="scores")
    period_key = models.CharField(_("周期"), max_length=10)  # 2026-11, 2026-Q4, 2026
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"))
    values = models.JSONField(_("指标明细"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["scheme", "period_key", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period_key", "unit"], name="stats_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period_key} {self.unit_id} {self.score}"


class EffectCosts(models.Model):
    """The county's unit costs for the effect report (settable by the informatisation office)."""

    county = models.OneToOneField("orgs.County", on_delete=models.CASCADE, related_name="+")
    paper_per_page = models.DecimalField(
        _("每页纸张费用（元）"), max_digits=8, decimal_places=4, default=Decimal("0.05")
    )
    print_per_page = models.DecimalField(
        _("每页印刷费用（元）"), max_digits=8, decimal_places=4, default=Decimal("0.10")
    )
    delivery_per_copy = models.DecimalField(
        _("每份传递费用（元）"), max_digits=8, decimal_places=2, default=Decimal("2.00")
    )
    default_pages = models.PositiveSmallIntegerField(_("无页数时按页计"), default=3)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("效益测算单价")
        verbose_name_plural = _("效益测算单价")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


# --- feedback --------------------------------------------------------------------------------------


class FeedbackKind(models.TextChoices):
    SUGGESTION = "suggestion", _("意见建议")
    BUG = "bug", _("问题报告")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DONE = "done", _("已完成")
    DECLINED = "declined", _("不采纳")
    DUPLICATE = "duplicate", _("重复")


class ChangelogEntry(models.Model):
    """One published change of the platform (更新日志)."""

    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("内容"))
    released_on = models.DateField(_("发布日期"))
    version = models.CharField(_("版本"), max_length=32, blank=True)
    published = models.BooleanField(_("已公开"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("更新日志")
        verbose_name_plural = _("更新日志")
        ordering = ["-released_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """A staff member's suggestion or bug report about the platform, sent from any page."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(
        _("类型"), max_length=12, choices=FeedbackKind.choices, default=FeedbackKind.SUGGESTION
    )
    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("内容"))
    page_url = models.CharField(_("所在页面"), max_length=500, blank=True)
    page_title = models.CharField(_("页面标题"), max_length=200, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    changelog = models.ForeignKey(
        ChangelogEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
