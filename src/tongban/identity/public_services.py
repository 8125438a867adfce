"""Public accounts (网上办事账户) of citizens and enterprises: registration with an SMS code, login
with throttling, password change and reset. Kept apart from staff accounts (see
:mod:`tongban.identity.public`).

Rules:
- A person registers with a mobile number, the SMS code sent to it, a password, the real name and
  the 公民身份号码 (GB 11643 check character); an enterprise with its 统一社会信用代码
  (GB 32100-2015 check character), name, contact person and the contact's mobile + SMS code.
- SMS codes (:class:`PublicPhoneCode`): only an HMAC of the code is kept; a code lives 10 minutes,
  allows 5 attempts, and a phone gets at most one code per purpose every 60 seconds.
- Login (person by mobile number, enterprise by credit code): 5 failures within 15 minutes lock
  the login name for 15 minutes (GB/T 22239-2019 8.1.4.1 b, the staff side's rule, here kept in
  the cache).
- Passwords follow the platform's password policy (tongban.identity.passwords and Django's
  validators), hashed by Django's hashers.

This domain sits below notify, so the SMS is sent by a ``send(phone, text)`` callable the caller
passes in (the public hall passes ``tongban.notify.sms.get_backend().send``)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.core.errors import TongbanError
from tongban.identity import public_rules as rules
from tongban.identity.models import PublicAccount, PublicAccountKind, PublicPhoneCode

CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODE_INTERVAL = timedelta(seconds=60)
PURPOSE_REGISTER = "register"
PURPOSE_RESET = "reset"
PURPOSES = (PURPOSE_REGISTER, PURPOSE_RESET)

LOGIN_FAILURES = 5
LOGIN_WINDOW = 15 * 60  # seconds
LOGIN_LOCK = 15 * 60  # seconds

Sender = Callable[[str, str], Any]


def _err(code: str, message: str, field: str | None = None) -> TongbanError:
    return TongbanError(f"identity.public_{code}", message, field=field)


# --- SMS codes --------------------------------------------------------------------------------
def _code_hash(phone: str, purpose: str, code: str) -> str:
    msg = f"{phone}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).hexdigest()


def _clean_phone(phone: str, field: str = "phone") -> str:
    phone = rules.normalize_phone(phone)
    if not rules.phone_valid(phone):
        raise _err("phone_invalid", _("请填写正确的 11 位手机号码。"), field)
    return phone


def phone_code_send(*, phone: str, purpose: str, send: Sender) -> PublicPhoneCode:
    """Send a 6-digit code to ``phone`` for ``purpose`` (register | reset). At most one code per
    phone and purpose every 60 seconds; the code expires in 10 minutes."""
    if purpose not in PURPOSES:
        raise _err("code_purpose", _("验证码用途不正确。"))
    phone = _clean_phone(phone)
    now = timezone.now()
    recent = PublicPhoneCode.objects.filter(
        phone=phone, purpose=purpose, created_at__gt=now - CODE_INTERVAL
    ).exists()
    if recent:
        raise _err("code_too_soon", _("验证码已发送，请 60 秒后再试。"), "phone")
    code = f"{secrets.randbelow(10**6):06d}"
    row = PublicPhoneCode.objects.create(
        phone=phone, purpose=purpose, code_hash=_code_hash(phone, purpose, code), expires_at=now + CODE_TTL
    )
    text = _("【%(sign)s】您的验证码为%(code)s，10分钟内有效。如非本人操作，请忽略本短信。") % {
        "sign": getattr(settings, "TONGBAN_SMS_SIGNATURE", "通办"),
        "code": code,
    }
    try:
        send(phone, text)
    except Exception as exc:
        row.delete()
        raise _err("code_send_failed", _("短信发送失败，请稍后重试。"), "phone") from exc
    return row


def phone_code_verify(*, phone: str, purpose: str, code: str, field: str = "code") -> None:
    """Check ``code`` against the newest live code of ``phone``; mark it used when right. A wrong
    code uses one of the 5 attempts (stored even though the caller's operation is refused)."""
    phone = rules.normalize_phone(phone)
    code = (code or "").strip()
    now = timezone.now()
    wrong = False
    with transaction.atomic():
        row = (
            PublicPhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.attempts >= CODE_ATTEMPTS:
            raise _err("code_expired", _("验证码已失效，请重新获取。"), field)
        if hmac.compare_digest(row.code_hash, _code_hash(phone, purpose, code)):
            row.used_at = now
            row.save(update_fields=["used_at"])
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            wrong = True
    if wrong:
        raise _err("code_wrong", _("验证码不正确。"), field)


# --- registration -----------------------------------------------------------------------------
def _check_password(password: str, field: str = "password") -> None:
    try:
        validate_password(password)
    except ValidationError as exc:
        raise _err("password_weak", " ".join(exc.messages), field) from exc


def _clean_name(name: str, field: str, message: str, limit: int = 128) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > limit:
        raise _err(f"{field}_invalid", message, field)
    return name


def account_register_person(
    *, phone: str, code: str, password: str, name: str, id_number: str
) -> PublicAccount:
    """Register a person: mobile number (verified by the SMS code), real name, 公民身份号码."""
    phone = _clean_phone(phone)
    name = _clean_name(name, "name", _("请填写真实姓名。"), 64)
    id_number = rules.normalize_id_number(id_number)
    if not rules.id_number_valid(id_number):
        raise _err("id_invalid", _("身份证号码不正确，请核对（含末位校验码）。"), "id_number")
    _check_password(password)
    if PublicAccount.objects.filter(kind=PublicAccountKind.PERSON, phone=phone).exists():
        raise _err("phone_taken", _("该手机号码已注册，请直接登录或找回密码。"), "phone")
    phone_code_verify(phone=phone, purpose=PURPOSE_REGISTER, code=code)
    return _create(
        kind=PublicAccountKind.PERSON, phone=phone, name=name, id_number=id_number, password=password
    )


def account_register_enterprise(
    *, credit_code: str, name: str, contact_name: str, phone: str, code: str, password: str
) -> PublicAccount:
    """Register an enterprise: 统一社会信用代码, name, contact person and the contact's mobile number
    (verified by the SMS code)."""
    credit_code = rules.normalize_credit_code(credit_code)
    if not rules.credit_code_valid(credit_code):
        raise _err(
            "credit_code_invalid", _("统一社会信用代码不正确，请核对（含末位校验码）。"), "credit_code"
        )
    name = _clean_name(name, "name", _("请填写单位名称。"))
    contact_name = _clean_name(contact_name, "contact_name", _("请填写联系人姓名。"), 64)
    phone = _clean_phone(phone)
    _check_password(password)
    if PublicAccount.objects.filter(kind=PublicAccountKind.ENTERPRISE, credit_code=credit_code).exists():
        raise _err("credit_code_taken", _("该统一社会信用代码已注册，请直接登录或找回密码。"), "credit_code")
    phone_code_verify(phone=phone, purpose=PURPOSE_REGISTER, code=code)
    return _create(
        kind=PublicAccountKind.ENTERPRISE,
        phone=phone,
        name=name,
        credit_code=credit_code,
        contact_name=contact_name,
        password=password,
    )


def _create(*, password: str, **fields: Any) -> PublicAccount:
    try:
        with transaction.atomic():
            account = PublicAccount.objects.create(
                password=make_password(password), phone_verified_at=timezone.now(), **fields
            )
            audit.record(
                "identity.public_registered",
                actor_name=f"public:{account.login_name}"[:150],
                obj=account,
                new={"kind": account.kind, "login": account.login_name},
            )
    except IntegrityError as exc:
        raise _err("taken", _("该账户已注册，请直接登录。"), "phone") from exc
    return account


# --- login ------------------------------------------------------------------------------------
def _login_key(login: str) -> str:
    return "ban:login:" + hashlib.sha256(login.encode()).hexdigest()[:32]


def login_locked_for(login: str) -> int:
    """Seconds the login name is still locked (0 when it is not)."""
    until = cache.get(_login_key(login) + ":lock")
    return max(0, int(until - time.time())) if until else 0


def _locked_error(seconds: int) -> TongbanError:
    minutes = max(1, (seconds + 59) // 60)
    return _err(
        "locked",
        _("连续登录失败次数过多，账户已锁定，请 %(n)d 分钟后再试，或通过短信验证码找回密码。")
        % {"n": minutes},
        "login",
    )


def _record_failure(login: str) -> None:
    key = _login_key(login)
    now = time.time()
    stamps = [t for t in (cache.get(key + ":fails") or []) if t > now - LOGIN_WINDOW]
    stamps.append(now)
    if len(stamps) >= LOGIN_FAILURES:
        cache.set(key + ":lock", now + LOGIN_LOCK, LOGIN_LOCK)
        cache.delete(key + ":fails")
        audit.record(
            "identity.public_locked_out",
            actor_name=f"public:{login}"[:150],
            object_type="identity.publicaccount",
            object_repr=login[:255],
            message=f"办事账户锁定 {LOGIN_LOCK // 60} 分钟",
            success=False,
        )
        raise _locked_error(LOGIN_LOCK)
    cache.set(key + ":fails", stamps, LOGIN_WINDOW)


def find_account(login: str) -> PublicAccount | None:
    """A person by mobile number, an enterprise by credit code."""
    login = (login or "").strip().upper()
    if rules.phone_valid(login):
        return PublicAccount.objects.filter(
            kind=PublicAccountKind.PERSON, phone=rules.normalize_phone(login)
        ).first()
    return PublicAccount.objects.filter(kind=PublicAccountKind.ENTERPRISE, credit_code=login).first()


def account_authenticate(*, login: str, password: str) -> PublicAccount:
    """The account of ``login`` (mobile number or credit code) if ``password`` is right.
    5 failures within 15 minutes lock the login name for 15 minutes."""
    login = (login or "").strip().upper()
    if not login:
        raise _err("login_required", _("请填写手机号码或统一社会信用代码。"), "login")
    if seconds := login_locked_for(login):
        raise _locked_error(seconds)
    account = find_account(login)
    if account is None or not account.is_active or not check_password(password or "", account.password):
        if account is None:
            make_password(password or "")  # same time whether or not the account exists
        _record_failure(login)
        raise _err("login_failed", _("账户或密码不正确。"), "password")
    cache.delete(_login_key(login) + ":fails")
    return account


# --- passwords --------------------------------------------------------------------------------
@transaction.atomic
def account_password_change(*, account: PublicAccount, old_password: str, new_password: str) -> PublicAccount:
    """Change the password (the old one is required). Other sessions end (identity.public)."""
    account = PublicAccount.objects.select_for_update().get(pk=account.pk)
    if not check_password(old_password or "", account.password):
        raise _err("old_password_wrong", _("原密码不正确。"), "old_password")
    _check_password(new_password, "new_password")
    account.password = make_password(new_password)
    account.save(update_fields=["password"])
    audit.record(
        "identity.public_password_changed", actor_name=f"public:{account.login_name}"[:150], obj=account
    )
    return account


def reset_code_send(*, login: str, send: Sender) -> None:
    """Send a password-reset code to the mobile number of the account of ``login``. The answer is
    the same whether or not the account exists (no account enumeration)."""
    account = find_account(login)
    if account is None or not account.is_active:
        return
    phone_code_send(phone=account.phone, purpose=PURPOSE_RESET, send=send)


def account_password_reset(*, login: str, code: str, new_password: str) -> PublicAccount:
    """Reset a forgotten password with the SMS code sent to the account's mobile number
    (a person's login number, an enterprise's contact mobile). Unlocks the login."""
    account = find_account(login)
    if account is None or not account.is_active:
        raise _err("code_expired", _("验证码已失效，请重新获取。"), "code")
    _check_password(new_password, "new_password")
    phone_code_verify(phone=account.phone, purpose=PURPOSE_RESET, code=code)
    with transaction.atomic():
        account = PublicAccount.objects.select_for_update().get(pk=account.pk)
        account.password = make_password(new_password)
        account.save(update_fields=["password"])
        audit.record(
            "identity.public_password_reset", actor_name=f"public:{account.login_name}"[:150], obj=account
        )
    cache.delete(_login_key(account.login_name) + ":lock")
    cache.delete(_login_key(account.login_name) + ":fails")
    return account
