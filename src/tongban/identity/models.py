"""Staff identity: the user, their electronic keys, the security policy, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminRole(models.TextChoices):
    """三员分立 (GB/T 22239-2019 8.1.4.2): one field, so no account can hold two of them."""

    NONE = "", _("无")
    SYSTEM = "system", _("系统管理员")
    SECURITY = "security", _("安全管理员")
    AUDIT = "audit", _("审计管理员")


class User(AbstractUser):
    """A staff account. ``username`` is the login name; the real name is ``full_name``.

    ``pinyin`` / ``pinyin_initials`` are derived from ``full_name`` by the identity services and
    serve the address-book search ("zs" finds 张三)."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("姓名"), max_length=64)
    pinyin = models.CharField(_("姓名拼音"), max_length=128, blank=True, db_index=True)
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=32, blank=True, db_index=True)
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True, db_index=True)
    admin_role = models.CharField(
        _("管理员角色"), max_length=16, choices=AdminRole.choices, default=AdminRole.NONE, blank=True
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["pinyin", "id"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def is_system_admin(self) -> bool:
        return self.admin_role == AdminRole.SYSTEM

    @property
    def is_security_admin(self) -> bool:
        return self.admin_role == AdminRole.SECURITY

    @property
    def is_audit_admin(self) -> bool:
        return self.admin_role == AdminRole.AUDIT


class SecurityPolicy(models.Model):
    """The security administrator's policy (GB/T 22239-2019 8.1.4.1): one row, id 1.

    Read through ``tongban.identity.selectors.security_policy()`` (cached); written only by
    ``services.policy_update`` which bumps ``version`` so stale edits and stale caches are caught."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    # 8.1.4.1 d: two kinds of authentication (password + electronic key) for staff.
    require_key = models.BooleanField(_("登录须使用电子钥匙"), default=False)
    # 8.1.4.1 b: session timeout.
    idle_minutes = models.PositiveIntegerField(_("空闲超时（分钟）"), default=30)
    # 8.1.4.1 b: lockout after repeated failures.
    lockout_minutes = models.PositiveIntegerField(_("锁定时长（分钟）"), default=30)
    # 8.1.4.1 a: password complexity.
    password_min_length = models.PositiveIntegerField(_("密码最短长度"), default=10)
    password_min_classes = models.PositiveIntegerField(_("密码最少字符类别"), default=3)
    enrolment_code_hours = models.PositiveIntegerField(_("登记码有效期（小时）"), default=24)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return f"security policy v{self.version}"


class WebAuthnCredential(models.Model):
    """A FIDO2/WebAuthn security key — the county's 电子钥匙."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="webauthn_credentials")
    name = models.CharField(_("名称"), max_length=64)
    credential_id = models.CharField(max_length=1024, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("电子钥匙")
        verbose_name_plural = _("电子钥匙")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class EnrolmentCode(models.Model):
    """A one-time code the security administrator issues so a user without a key can register one
    while keys are required. Only a keyed hash of the code is stored."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"enrolment code for {self.user_id}"


class ApiToken(models.Model):
    """A bearer token for an integration. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=64, blank=True)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
