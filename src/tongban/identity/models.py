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
