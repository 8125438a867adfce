"""Site monitoring (网络监测): the county's connected sites, their probes, the raw probe results,
the hourly/daily roll-ups that uptime is read from, and the status transitions and incidents.

Every row carries its county (ARCHITECTURE.md, tenancy)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.orgs.models import County, Unit


class SiteKind(models.TextChoices):
    HALL = "hall", _("县机房")
    UNIT = "unit", _("县直单位")
    TOWNSHIP = "township", _("乡镇")


class Status(models.TextChoices):
    UNKNOWN = "unknown", _("未知")
    UP = "up", _("正常")
    DEGRADED = "degraded", _("降级")
    DOWN = "down", _("中断")


class ProbeKind(models.TextChoices):
    ICMP = "icmp", _("ICMP 回显（ping）")
    TCP = "tcp", _("TCP 连接")
    HTTP = "http", _("HTTP(S) 请求")


class Site(models.Model):
    """A connected site: a unit's network (县直单位), a township's (乡镇) or the county hall's
    machine room. Its status is derived from its enabled probes."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    name = models.CharField(_("站点名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=SiteKind.choices, default=SiteKind.UNIT)
    location = models.CharField(_("位置"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用监测"), default=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    status_since = models.DateTimeField(_("状态起始"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("最近探测"), null=True, blank=True)
    last_latency_ms = models.FloatField(_("最近时延（毫秒）"), null=True, blank=True)
    sort = models.IntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("监测站点")
        verbose_name_plural = _("监测站点")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "unit", "name"], name="netmon_site_unique_name_in_unit"
            ),
        ]
        indexes = [models.Index(fields=["county", "status"], name="netmon_site_county_status")]

    def __str__(self) -> str:
        return self.name


class Probe(models.Model):
    """One endpoint check of a site: ICMP echo to ``host``, TCP connect to ``host:port``, or an
    HTTP(S) GET of ``url`` answered with ``expected_status``. A probe is down after
    ``fail_threshold`` consecutive failures and up again after ``rise_threshold`` successes."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="probes", verbose_name=_("站点"))
    kind = models.CharField(_("探测方式"), max_length=8, choices=ProbeKind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True)
    host = models.CharField(_("主机"), max_length=253, blank=True)
    port = models.PositiveIntegerField(_("端口"), null=True, blank=True)
    url = models.CharField(_("网址"), max_length=500, blank=True)
    expected_status = models.PositiveSmallIntegerField(_("期望状态码"), default=200)
    verify_tls = models.BooleanField(_("校验证书"), default=True)
    interval_seconds = models.PositiveIntegerField(_("探测间隔（秒）"), default=60)
    timeout_seconds = models.FloatField(_("超时（秒）"), default=3.0)
    fail_threshold = models.PositiveSmallIntegerField(_("连续失败几次判为中断"), default=3)
    rise_threshold = models.PositiveSmallIntegerField(_("连续成功几次判为恢复"), default=1)
    degraded_ms = models.PositiveIntegerField(_("时延超过（毫秒）判为降级"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    state = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(_("最近探测"), null=True, blank=True)
    last_ok = models.BooleanField(null=True, blank=True)
    last_latency_ms = models.FloatField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("探测项")
        verbose_name_plural = _("探测项")
        ordering = ["site_id", "id"]
        indexes = [models.Index(fields=["enabled", "next_due_at"], name="netmon_probe_due")]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.kind}:{self.target}"

    @property
    def target(self) -> str:
        if self.kind == ProbeKind.HTTP:
            return self.url
        if self.kind == ProbeKind.TCP:
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"{host}:{self.port}"
        return self.host


class ProbeResult(models.Model):
    """One raw check (kept ``TONGBAN_NETMON_RAW_DAYS`` days)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    probe = models.ForeignKey(Probe, on_delete=models.CASCADE, related_name="results")
    at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    latency_ms = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["site", "at"], name="netmon_result_site_at"),
            models.Index(fields=["probe", "at"], name="netmon_result_probe_at"),
        ]

    def __str__(self) -> str:
        return f"{self.probe_id}@{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else 'fail'}"


class Rollup(models.Model):
    """Checks of a site in one hour (``hourly``) or one day (``daily``, local time): uptime =
    ok / checks. Updated as results are recorded, so uptime never reads raw results."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    hourly = models.BooleanField()
    start = models.DateTimeField()
    checks = models.PositiveIntegerField(default=0)
    ok = models.PositiveIntegerField(default=0)
    latency_sum = models.FloatField(default=0.0)
    latency_count = models.PositiveIntegerField(default=0)
    latency_max = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "hourly", "start"], name="netmon_rollup_unique"),
        ]
        indexes = [models.Index(fields=["hourly", "start"], name="netmon_rollup_start")]

    def __str__(self) -> str:
        return f"{self.site_id}@{self.start:%Y-%m-%d %H:%M} {self.ok}/{self.checks}"


class SiteEvent(models.Model):
    """A status transition of a site (the log the incidents and notifications come from)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    old = models.CharField(max_length=16, choices=Status.choices)
    new = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["site", "at"], name="netmon_event_site_at")]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.old} → {self.new}"


class Incident(models.Model):
    """A period a site was down: opened on the transition to down, closed when it leaves down."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="incidents")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    cause = models.CharField(max_length=300, blank=True)
    notified = models.BooleanField(default=False)  # the down was reported, so the recovery is too

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site"], condition=Q(ended_at__isnull=True), name="netmon_one_open_incident"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id}: {self.started_at:%Y-%m-%d %H:%M}–{self.ended_at or ''}"
