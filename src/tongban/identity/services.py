"""Identity services: the only writers of accounts, keys, policy and tokens.

Every function is atomic, takes a keyword-only ``actor`` and writes an audit record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from pypinyin import Style, lazy_pinyin

from tongban.core import audit
from tongban.core.errors import TongbanError
from tongban.identity.models import User


def name_pinyin(full_name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三; Latin letters are kept, other characters dropped."""
    syllables = [s.lower() for s in lazy_pinyin(full_name, style=Style.NORMAL, errors="ignore")]
    full = "".join(s for s in syllables if s.isalnum())
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum())
    return full, initials


def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    mobile: str = "",
    email: str = "",
    password: str | None = None,
    is_active: bool = True,
    audit_event: str = "identity.user_created",
) -> User:
    """Create a staff account. Without a password the account cannot log in until one is set."""
    username = username.strip()
    full_name = full_name.strip()
    if not username:
        raise TongbanError("identity.username_required", "请填写登录名。", field="username")
    if not full_name:
        raise TongbanError("identity.name_required", "请填写姓名。", field="full_name")
    if User.objects.filter(username=username).exists():
        raise TongbanError("identity.username_taken", f"登录名“{username}”已被使用。", field="username")
    user = User(username=username, full_name=full_name, mobile=mobile.strip(), email=email.strip(), is_active=is_active)
    user.pinyin, user.pinyin_initials = name_pinyin(full_name)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise TongbanError("identity.weak_password", " ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit.record(audit_event, actor=actor, obj=user, new=_user_snapshot(user))
    return user


def user_update(*, actor: User | None, user: User, audit_event: str = "identity.user_updated", **changes: Any) -> User:
    """Change a staff account's ``full_name``, ``mobile``, ``email`` or ``is_active``.
    Returns the user unchanged (and writes nothing) when nothing differs."""
    allowed = {"full_name", "mobile", "email", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TongbanError("identity.bad_field", f"不能修改字段：{', '.join(sorted(unknown))}")
    old = _user_snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    if "full_name" in changes:
        if not user.full_name:
            raise TongbanError("identity.name_required", "请填写姓名。", field="full_name")
        user.pinyin, user.pinyin_initials = name_pinyin(user.full_name)
    new = _user_snapshot(user)
    if new == old:
        return user
    with transaction.atomic():
        user.save(update_fields=[*changes.keys(), "pinyin", "pinyin_initials"])
        audit.record(audit_event, actor=actor, obj=user, old=old, new=new)
    return user


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "mobile": user.mobile,
        "email": user.email,
        "is_active": user.is_active,
        "admin_role": user.admin_role,
    }
