"""The organisation: county → leading bodies / units / townships → offices (科室), posts, leaders'
responsibilities (分管) and business roles per unit.

Every row carries its county: one database serves a whole province (ARCHITECTURE.md, tenancy)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    name = models.CharField(_("县名"), max_length=64)
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)

    class Meta:
        verbose_name = _("县")
        verbose_name_plural = _("县")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    LEADING_BODY = "leading_body", _("四大家")
    PARTY_DEPT = "party_dept", _("党委部门")
    GOV_DEPT = "gov_dept", _("政府工作部门")
    CONGRESS_CPPCC_ORG = "congress_cppcc_org", _("人大政协机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    VERTICAL_AGENCY = "vertical_agency", _("垂直管理")
    PEOPLE_ORG = "people_org", _("群团组织")
    TOWNSHIP = "township", _("乡镇")


class Unit(models.Model):
    """A unit (单位). ``unit_code`` identifies it within the county (import/export key);
    ``code`` is its 机关代字 used in document numbers (e.g. 政 in 青政发〔2026〕1号)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="units", verbose_name=_("县"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    unit_code = models.CharField(_("单位代码"), max_length=32)
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    code = models.CharField(_("机关代字"), max_length=16, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=UnitKind.choices)
    sort = models.IntegerField(_("排序"), default=0)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "unit_code"], name="orgs_unit_code_unique_in_county"),
            models.UniqueConstraint(
                fields=["county", "code"],
                condition=Q(is_active=True) & ~Q(code=""),
                name="orgs_unit_agency_code_unique_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Office(models.Model):
    """An internal office (科室/股室) of a unit."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="offices", verbose_name=_("单位"))
    name = models.CharField(_("科室名称"), max_length=64)
    sort = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        ordering = ["unit_id", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="orgs_office_name_unique_in_unit")
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A post held by a staff member; exactly one is the primary post (主职), others are concurrent (兼职)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts", verbose_name=_("人员")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("单位"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="posts", verbose_name=_("科室")
    )
    title = models.CharField(_("职务"), max_length=64, blank=True)
    is_primary = models.BooleanField(_("主职"), default=True)
    sort = models.IntegerField(_("排序"), default=0)
    office_phone = models.CharField(_("办公电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["unit_id", "sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_primary=True), name="orgs_post_one_primary_per_user"
            )
        ]
        indexes = [models.Index(fields=["county", "unit", "sort"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.title}"


class LeaderDuty(models.Model):
    """分管: a county leader in charge of a unit."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="leader_duties",
        verbose_name=_("领导"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="leader_duties", verbose_name=_("分管单位")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分管")
        verbose_name_plural = _("分管")
        constraints = [models.UniqueConstraint(fields=["leader", "unit"], name="orgs_leaderduty_unique")]

    def __str__(self) -> str:
        return f"{self.leader} → {self.unit}"


class BusinessRole(models.TextChoices):
    CLERK = "clerk", _("文书")
    OFFICE_HEAD = "office_head", _("办公室主任")
    UNIT_LEADER = "unit_leader", _("单位领导")
    COUNTY_LEADER = "county_leader", _("县领导")
    SUPERVISOR = "supervisor", _("监察员")
    CASE_HANDLER = "case_handler", _("审批人员")
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    CATALOGUE_ADMIN = "catalogue_admin", _("事项管理员")
    PORTAL_ADMIN = "portal_admin", _("网站管理员")
    PORTAL_EDITOR = "portal_editor", _("网站编辑")
    PORTAL_REVIEWER = "portal_reviewer", _("网站审核")
    MAILBOX_OFFICE = "mailbox_office", _("信箱办理员")
    LETTER_HANDLER = "letter_handler", _("信件承办人")
    DISCLOSURE_OFFICER = "disclosure_officer", _("依申请公开办理员")
    INTERVIEW_HOST = "interview_host", _("访谈征集管理员")
    MEETING_ORGANISER = "meeting_organiser", _("会务管理员")
    SCHEDULE_CLERK = "schedule_clerk", _("领导日程管理员")
    VENUE_TERMINAL = "venue_terminal", _("会场终端")
    ASSESSMENT_ADMIN = "assessment_admin", _("考核管理员")
    NETWORK_ADMIN = "network_admin", _("网络管理员")
    RESOURCE_ADMIN = "resource_admin", _("资源管理员")


class RoleGrant(models.Model):
    """A business role held in a unit; granted and revoked only by the security administrator."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("人员")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("单位")
    )
    role = models.CharField(_("业务角色"), max_length=24, choices=BusinessRole.choices)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授予人"),
    )

    class Meta:
        verbose_name = _("业务角色")
        verbose_name_plural = _("业务角色")
        ordering = ["unit_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="orgs_rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.unit}"
