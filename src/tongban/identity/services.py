"""Identity services: the only writers of accounts, keys, policy and tokens.

Every function is atomic, takes a keyword-only ``actor`` and writes an audit record."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from tongban.core import audit
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.identity import selectors
from tongban.identity.models import (
    AdminRole,
    ApiToken,
    EnrolmentCode,
    SecurityPolicy,
    User,
    WebAuthnCredential,
)


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
        raise TongbanError("identity.username_required", _("请填写登录名。"), field="username")
    if not full_name:
        raise TongbanError("identity.name_required", _("请填写姓名。"), field="full_name")
    if User.objects.filter(username=username).exists():
        raise TongbanError(
            "identity.username_taken",
            _("登录名“%(username)s”已被使用。") % {"username": username},
            field="username",
        )
    user = User(
        username=username,
        full_name=full_name,
        mobile=mobile.strip(),
        email=email.strip(),
        is_active=is_active,
    )
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


def user_update(
    *, actor: User | None, user: User, audit_event: str = "identity.user_updated", **changes: Any
) -> User:
    """Change a staff account's ``full_name``, ``mobile``, ``email`` or ``is_active``.
    Returns the user unchanged (and writes nothing) when nothing differs."""
    allowed = {"full_name", "mobile", "email", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TongbanError(
            "identity.bad_field", _("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    old = _user_snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    if "full_name" in changes:
        if not user.full_name:
            raise TongbanError("identity.name_required", _("请填写姓名。"), field="full_name")
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


# --- authorization helpers ------------------------------------------------------------------


def _refuse_administrator_target(actor: User | None, user: User) -> None:
    """三员分立: the three administrators' accounts are managed only by the installer on the server
    (grant_admin_role, changepassword), never by one another through the web — otherwise the system
    administrator could reset the audit administrator's password and read the audit log."""
    if actor is not None and user.admin_role:
        raise PermissionDenied(
            "identity.admin_account_protected",
            _("三员账号只能由安装人员在服务器上管理（manage.py changepassword / grant_admin_role）。"),
        )


def _require_role(actor: User | None, role: str) -> None:
    """三员分立 (GB/T 22239-2019 8.1.4.2 / 8.1.4.4): each administration task belongs to one role.
    ``actor=None`` is the installer at the command line (manage.py), nobody through the web."""
    if actor is None:
        return
    if not actor.is_active or actor.admin_role != role:
        raise PermissionDenied("identity.forbidden", _("您没有执行此操作的权限。"))


# --- security policy ------------------------------------------------------------------------

POLICY_FIELDS = (
    "require_key",
    "idle_minutes",
    "lockout_minutes",
    "password_min_length",
    "password_min_classes",
    "enrolment_code_hours",
)
_POLICY_LIMITS: dict[str, tuple[int, int]] = {
    "idle_minutes": (5, 240),
    "lockout_minutes": (1, 1440),
    "password_min_length": (8, 64),
    "password_min_classes": (1, 4),
    "enrolment_code_hours": (1, 168),
}


def policy_update(
    *,
    actor: User | None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> SecurityPolicy:
    """Change the security policy (security administrator only); audited with old and new values."""
    _require_role(actor, AdminRole.SECURITY)
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise TongbanError(
            "identity.bad_field", _("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, (low, high) in _POLICY_LIMITS.items():
        if name in changes:
            value = int(changes[name])
            if not low <= value <= high:
                raise TongbanError(
                    "identity.policy_out_of_range",
                    _("取值应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high},
                    field=name,
                )
            changes[name] = value
    if "require_key" in changes:
        changes["require_key"] = bool(changes["require_key"])
    with transaction.atomic():
        selectors.policy_row()
        row = SecurityPolicy.objects.select_for_update().get(id=1)
        if expected_version is not None and row.version != expected_version:
            raise TongbanError("identity.policy_stale", _("安全策略已被他人修改，请刷新页面后重试。"))
        old = {f: getattr(row, f) for f in POLICY_FIELDS}
        new = {**old, **changes}
        if new == old:
            return row
        for field_name, value in changes.items():
            setattr(row, field_name, value)
        row.version += 1
        row.updated_by = actor
        row.save()
        audit.record("identity.policy_changed", actor=actor, request=request, obj=row, old=old, new=new)
        transaction.on_commit(selectors.policy_cache_clear)
    selectors.policy_cache_clear()
    return row


# --- passwords ------------------------------------------------------------------------------


def password_change(
    *, actor: User, user: User, new_password: str, request: HttpRequest | None = None
) -> User:
    """A user changes their own password (checked against the policy)."""
    if actor.pk != user.pk:
        raise PermissionDenied("identity.forbidden", _("只能修改自己的密码。"))
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise TongbanError("identity.weak_password", " ".join(exc.messages), field="new_password1") from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record("identity.password_changed", actor=actor, request=request, obj=user)
    return user


def _temporary_password(length: int) -> str:
    alphabet = [
        "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "abcdefghijkmnpqrstuvwxyz",
        "23456789",
        "#%+=-@",
    ]
    chars = [secrets.choice(a) for a in alphabet]
    pool = "".join(alphabet[:3])
    chars += [secrets.choice(pool) for _ in range(max(length, 12) - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_reset_temporary(*, actor: User | None, user: User, request: HttpRequest | None = None) -> str:
    """System administrator: give a user a one-time temporary password, to be changed at next login.
    Returns the password (shown once, never stored in clear)."""
    _require_role(actor, AdminRole.SYSTEM)
    _refuse_administrator_target(actor, user)
    password = _temporary_password(selectors.security_policy().password_min_length)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record("identity.password_reset", actor=actor, request=request, obj=user)
    return password


def user_set_active(
    *, actor: User | None, user: User, active: bool, request: HttpRequest | None = None
) -> User:
    """System administrator: enable or disable an account (a disabled account cannot log in)."""
    _require_role(actor, AdminRole.SYSTEM)
    if actor is not None and actor.pk == user.pk and not active:
        raise TongbanError("identity.disable_self", _("不能停用自己的账号。"))
    _refuse_administrator_target(actor, user)
    return user_update(
        actor=actor,
        user=user,
        is_active=active,
        audit_event="identity.user_enabled" if active else "identity.user_disabled",
    )


# --- 三员 -----------------------------------------------------------------------------------


def admin_role_grant(
    *, actor: User | None, user: User, role: str, request: HttpRequest | None = None
) -> User:
    """Give (or take away, role "") one of the three administrator roles. One field, so an account
    can never hold two of them (GB/T 22239-2019 8.1.4.2); the superuser is for installation only."""
    if actor is not None:
        raise PermissionDenied("identity.forbidden", _("管理员角色只能由安装人员在服务器上设置。"))
    if role not in AdminRole.values:
        raise TongbanError("identity.bad_role", _("未知的管理员角色：%(role)s") % {"role": role})
    if user.is_superuser:
        raise TongbanError(
            "identity.superuser_role", _("超级用户仅用于安装，不能担任三员。请为管理员另建普通账号。")
        )
    old = user.admin_role
    if old == role:
        return user
    with transaction.atomic():
        user.admin_role = role
        user.save(update_fields=["admin_role"])
        audit.record(
            "identity.admin_role_changed",
            actor=actor,
            request=request,
            obj=user,
            old={"admin_role": old},
            new={"admin_role": role},
        )
    return user


# --- electronic keys ------------------------------------------------------------------------


def key_add(
    *,
    actor: User,
    user: User,
    name: str,
    credential: dict[str, Any],
    request: HttpRequest | None = None,
    via: str = "account",
) -> WebAuthnCredential:
    """Save a verified key (``credential`` from webauthn_rp.verify_registration) for ``user``."""
    if actor.pk != user.pk:
        raise PermissionDenied("identity.forbidden", _("只能为自己的账号登记电子钥匙。"))
    name = (name or "").strip()[:64] or _("电子钥匙")
    if WebAuthnCredential.objects.filter(credential_id=credential["credential_id"]).exists():
        raise TongbanError("identity.key_exists", _("这把电子钥匙已经登记过了。"))
    with transaction.atomic():
        key = WebAuthnCredential.objects.create(
            user=user,
            name=name,
            credential_id=credential["credential_id"],
            public_key=credential["public_key"],
            sign_count=credential.get("sign_count", 0),
            aaguid=credential.get("aaguid", ""),
            transports=credential.get("transports", []),
        )
        audit.record(
            "identity.key_added",
            actor=actor,
            request=request,
            obj=key,
            new={"user": user.username, "name": name, "aaguid": key.aaguid, "via": via},
        )
    return key


def access_key(*, key_id: int, user: User) -> WebAuthnCredential:
    """A key of the user's own; another person's key is 'not found'."""
    key = WebAuthnCredential.objects.filter(pk=key_id, user=user).first()
    if key is None:
        raise NotFound("identity.key_not_found", _("电子钥匙不存在。"))
    return key


def key_rename(
    *, actor: User, key: WebAuthnCredential, name: str, request: HttpRequest | None = None
) -> WebAuthnCredential:
    if key.user_id != actor.pk:
        raise PermissionDenied("identity.forbidden", _("只能管理自己的电子钥匙。"))
    name = name.strip()[:64]
    if not name:
        raise TongbanError("identity.key_name_required", _("请填写电子钥匙的名称。"), field="name")
    if name == key.name:
        return key
    with transaction.atomic():
        old = key.name
        key.name = name
        key.save(update_fields=["name"])
        audit.record(
            "identity.key_renamed",
            actor=actor,
            request=request,
            obj=key,
            old={"name": old},
            new={"name": name},
        )
    return key


def key_remove(*, actor: User, key: WebAuthnCredential, request: HttpRequest | None = None) -> None:
    if key.user_id != actor.pk:
        raise PermissionDenied("identity.forbidden", _("只能管理自己的电子钥匙。"))
    with transaction.atomic():
        remaining = WebAuthnCredential.objects.select_for_update().filter(user_id=key.user_id).count()
        if remaining <= 1 and selectors.security_policy().require_key:
            raise TongbanError(
                "identity.last_key",
                _("安全策略要求使用电子钥匙登录，不能移除最后一把钥匙。请先登记新钥匙，或联系安全管理员。"),
            )
        snapshot = {"user": actor.username, "name": key.name, "credential_id": key.credential_id[:16]}
        audit.record(
            "identity.key_removed", actor=actor, request=request, obj=key, old=snapshot, object_id=str(key.pk)
        )
        key.delete()


def key_used(*, key: WebAuthnCredential, sign_count: int) -> None:
    """After a verified assertion: remember the counter (clone detection) and the time."""
    key.sign_count = sign_count
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])


def _code_hash(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return salted_hmac("tongban.identity.enrolment_code", normalized).hexdigest()


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def key_reset(*, actor: User | None, user: User, request: HttpRequest | None = None) -> tuple[int, str]:
    """Security administrator: a key was lost. Remove all the user's keys and issue a one-time
    enrolment code (shown once) with which the user registers a new key at login.
    Returns (keys removed, the code)."""
    _require_role(actor, AdminRole.SECURITY)
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    hours = selectors.security_policy().enrolment_code_hours
    with transaction.atomic():
        keys = list(WebAuthnCredential.objects.select_for_update().filter(user=user))
        removed = [{"name": k.name, "credential_id": k.credential_id[:16]} for k in keys]
        WebAuthnCredential.objects.filter(pk__in=[k.pk for k in keys]).delete()
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=timezone.now())
        EnrolmentCode.objects.create(
            user=user,
            code_hash=_code_hash(code),
            created_by=actor,
            expires_at=timezone.now() + timedelta(hours=hours),
        )
        audit.record(
            "identity.key_reset",
            actor=actor,
            request=request,
            obj=user,
            old={"keys": removed},
            new={"enrolment_code_hours": hours},
        )
    return len(keys), code


def enrolment_code_check(*, user: User, code: str) -> EnrolmentCode | None:
    """The live (unused, unexpired) enrolment code of ``user`` matching ``code``, or None."""
    if not code.strip():
        return None
    return selectors.live_enrolment_codes(user).filter(code_hash=_code_hash(code)).first()


def key_enrol(
    *,
    user: User,
    enrolment_id: int,
    name: str,
    credential: dict[str, Any],
    request: HttpRequest | None = None,
) -> WebAuthnCredential:
    """Register a key during login with a one-time enrolment code (checked earlier by
    ``enrolment_code_check``); the code is used up in the same transaction."""
    with transaction.atomic():
        enrolment = selectors.live_enrolment_codes(user).select_for_update().filter(pk=enrolment_id).first()
        if enrolment is None:
            raise TongbanError("identity.bad_enrolment_code", _("登记码无效或已过期，请联系安全管理员。"))
        enrolment.used_at = timezone.now()
        enrolment.save(update_fields=["used_at"])
        return key_add(
            actor=user, user=user, name=name, credential=credential, request=request, via="enrolment"
        )


# --- lockout --------------------------------------------------------------------------------


def account_unlock(*, actor: User | None, username: str, request: HttpRequest | None = None) -> int:
    """Security administrator: clear django-axes failures for ``username``."""
    from axes.utils import reset

    _require_role(actor, AdminRole.SECURITY)
    with transaction.atomic():
        count = int(reset(username=username))
        audit.record(
            "identity.unlocked",
            actor=actor,
            request=request,
            object_type="identity.user",
            object_id=str(User.objects.filter(username=username).values_list("pk", flat=True).first() or ""),
            object_repr=username,
            new={"attempts_cleared": count},
        )
    return count


def login_event(
    event: str,
    *,
    request: HttpRequest,
    user: User | None = None,
    username: str = "",
    success: bool,
    message: str = "",
) -> None:
    """Audit a login step (GB/T 22239-2019 8.1.4.3 a): success, failure, logout — with the IP."""
    audit.record(
        event,
        actor=user,
        request=request,
        actor_name=(username or (user.username if user else ""))[:150],
        obj=user,
        object_type="identity.user",
        object_repr=(str(user) if user else username)[:255],
        message=message,
        success=success,
    )


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "tb_"  # noqa: S105 - a fixed marker, not a secret


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(*, actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token for an integration; returns the token text, shown once."""
    _require_role(actor, AdminRole.SECURITY)
    if not user.is_active:
        raise TongbanError("identity.user_inactive", _("该账号已停用，不能创建令牌。"))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:64], prefix=raw[:8], token_hash=token_hash(raw), created_by=actor
        )
        audit.record(
            "identity.token_created",
            actor=actor,
            obj=token,
            new={"user": user.username, "name": token.name, "prefix": token.prefix},
        )
    return token, raw


def api_token_revoke(*, actor: User | None, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    _require_role(actor, AdminRole.SECURITY)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            "identity.token_revoked",
            actor=actor,
            request=request,
            obj=token,
            old={"revoked": False},
            new={"revoked": True, "prefix": token.prefix},
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a live token belongs to, or None. ``last_used_at`` moves at most once a minute."""
    token = api_token_lookup(raw)
    return token.user if token is not None else None


# --- scoped integration tokens (data exchange) -----------------------------------------------

MAX_TOKEN_RATE = 100_000


def api_token_lookup(raw: str) -> ApiToken | None:
    """The live token (with its active user) of ``raw``, or None; like :func:`api_token_authenticate`
    but returns the token row so callers can read its scopes and rate."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def clean_scopes(scopes: list[str]) -> list[str]:
    """Sorted, de-duplicated scope names; unknown ones are refused (see identity.api_auth)."""
    from tongban.identity import api_auth

    known = set(api_auth.known_scopes())
    cleaned = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in cleaned if s not in known]
    if unknown:
        raise TongbanError(
            "identity.scope_unknown",
            _("未知的授权范围：%(scopes)s") % {"scopes": "、".join(unknown)},
            field="scopes",
        )
    return cleaned


def api_token_issue(
    *,
    actor: User | None,
    user: User,
    name: str,
    scopes: list[str],
    rate_per_minute: int = 0,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Issue a scoped (read-only, per module) token for an integration account — the system
    administrator's 数据交换 › 集成客户端 page, or the installer (``actor=None``). Administrators'
    accounts get no token. Returns the token text, shown once."""
    _require_role(actor, AdminRole.SYSTEM)
    if not user.is_active:
        raise TongbanError("identity.user_inactive", _("该账号已停用，不能创建令牌。"))
    if user.admin_role:
        raise PermissionDenied("identity.admin_account_protected", _("不能为三员账号签发接口令牌。"))
    cleaned = clean_scopes(scopes)
    if not cleaned:
        raise TongbanError("identity.scope_required", _("请至少选择一个授权范围。"), field="scopes")
    if not 0 <= rate_per_minute <= MAX_TOKEN_RATE:
        raise TongbanError(
            "identity.rate_invalid",
            _("每分钟请求上限应在 0 到 %(max)s 之间（0 表示采用系统默认值）。") % {"max": MAX_TOKEN_RATE},
            field="rate_per_minute",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:64],
            prefix=raw[:8],
            token_hash=token_hash(raw),
            created_by=actor,
            scopes=cleaned,
            rate_per_minute=rate_per_minute,
        )
        audit.record(
            "identity.token_created",
            actor=actor,
            request=request,
            obj=token,
            new={
                "user": user.username,
                "name": token.name,
                "prefix": token.prefix,
                "scopes": cleaned,
                "rate_per_minute": rate_per_minute,
            },
        )
    return token, raw


def api_token_withdraw(
    *, actor: User | None, token: ApiToken, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke a scoped integration token (the system administrator's page; full tokens stay with
    the security administrator's :func:`api_token_revoke`)."""
    _require_role(actor, AdminRole.SYSTEM)
    if not token.scopes:
        raise PermissionDenied("identity.forbidden", _("您没有执行此操作的权限。"))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            "identity.token_revoked",
            actor=actor,
            request=request,
            obj=token,
            old={"revoked": False},
            new={"revoked": True, "prefix": token.prefix, "scopes": token.scopes},
        )
    return token
