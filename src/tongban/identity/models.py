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

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="integration_tokens")
    name = models.CharField(_("用途"), max_length=64, blank=True)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # Scopes of an integration client, e.g. ["approvals:read", "interaction:read"]: read-only and per
    # module (tongban.exchange.scopes). An empty list is a full token acting with its account's rights.
    scopes = models.JSONField(_("授权范围"), default=list, blank=True)
    # Requests per minute (0: the default TONGBAN_API_RATE_PER_MINUTE).
    rate_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=0)
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


class PublicAccountKind(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("法人（企业）")


class PublicAccount(models.Model):
    """A citizen's or an enterprise's account on the public side (网上办事): separate from staff
    accounts (:class:`User`) — it has its own table, its own session key and never a ``request.user``,
    so it cannot reach a staff page.

    A person logs in by mobile number; an enterprise by its unified social credit code
    (统一社会信用代码, GB 32100-2015) with the mobile number of its contact person. The password is
    hashed by Django's hashers (argon2)."""

    kind = models.CharField(_("账户类型"), max_length=16, choices=PublicAccountKind.choices)
    phone = models.CharField(_("手机号码"), max_length=20, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    name = models.CharField(_("姓名或单位名称"), max_length=128)
    id_number = models.CharField(_("身份证件号码"), max_length=32, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    password = models.CharField(_("密码"), max_length=128)
    is_active = models.BooleanField(_("有效"), default=True)
    phone_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    last_login = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("办事账户")
        verbose_name_plural = _("办事账户")
        ordering = ["id"]
        constraints = [
            # A person: one account per mobile number. An enterprise: one per credit code.
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(kind="person"),
                name="identity_publicaccount_person_phone",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=models.Q(kind="enterprise"),
                name="identity_publicaccount_enterprise_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def login_name(self) -> str:
        return self.credit_code if self.kind == PublicAccountKind.ENTERPRISE else self.phone


class PublicPhoneCode(models.Model):
    """A one-time SMS verification code for registering or resetting a public account's password.
    Only its hash is kept; it expires after 10 minutes and allows 5 attempts."""

    phone = models.CharField(_("手机号码"), max_length=20, db_index=True)
    purpose = models.CharField(_("用途"), max_length=16)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
