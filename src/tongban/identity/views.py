"""Identity views: login (password + electronic key), the account page, and the security and
system administrators' pages. Thin: parse, load, call one service, render."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import TongbanError
from tongban.core.permissions import admin_role_required
from tongban.identity import selectors, services, webauthn_rp
from tongban.identity.forms import LoginForm, PolicyForm
from tongban.identity.lockout import lockout_response
from tongban.identity.models import AdminRole, ApiToken, User, WebAuthnCredential

PENDING_KEY = "tb_pending_login"
PENDING_SECONDS = 5 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- helpers --------------------------------------------------------------------------------


def _auth_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def login_required_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.content_type == "application/json":
                return JsonResponse({"ok": False, "error": _("请先登录。")}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


role_required = admin_role_required


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _json_error(exc: TongbanError, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "code": exc.code, "error": str(exc.message)}, status=status)


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


# --- login ----------------------------------------------------------------------------------


def _set_pending(request: HttpRequest, user: User, stage: str, next_url: str, **extra: Any) -> None:
    request.session[PENDING_KEY] = {
        "uid": user.pk,
        "username": user.username,
        "at": time.time(),
        "stage": stage,
        "next": next_url,
        **extra,
    }


def _pending_state(request: HttpRequest, *stages: str) -> dict[str, Any] | None:
    """The pending login's session state if it is fresh (5 minutes) and at one of these stages."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at", 0)) > PENDING_SECONDS or data.get("stage") not in stages:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


def _pending(request: HttpRequest, *stages: str) -> tuple[User, dict[str, Any]] | None:
    """The half-logged-in user (password checked) if the pending state is fresh (5 minutes)."""
    data = _pending_state(request, *stages)
    if data is None:
        return None
    user = User.objects.filter(pk=data.get("uid"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, data


def _complete_login(request: HttpRequest, user: User, method: str, next_url: str) -> str:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(webauthn_rp.CHALLENGE_KEY, None)
    login(request, user, backend=MODEL_BACKEND)
    services.login_event("identity.login_succeeded", request=request, user=user, success=True, message=method)
    return _safe_next(request, next_url)


def _key_failed(request: HttpRequest, user: User, reason: str) -> None:
    """A failed key (or enrolment code) counts as a failed login for django-axes."""
    request.tb_login_username = user.username  # type: ignore[attr-defined]
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    services.login_event(
        "identity.login_failed", request=request, username=user.username, success=False, message=reason
    )


def _locked(request: HttpRequest, user: User) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return bool(AxesProxyHandler.is_locked(request, {"username": user.username}))


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            # axes has counted the failure (user_login_failed); on the limit its middleware answers
            # with identity.lockout.lockout_response, which tells how long and whom to contact.
            if not getattr(request, "axes_locked_out", False):
                services.login_event(
                    "identity.login_failed",
                    request=request,
                    username=username,
                    success=False,
                    message="password",
                )
            error = _("登录名或密码不正确。")
        else:
            assert isinstance(user, User)
            policy = selectors.security_policy()
            if selectors.user_has_keys(user):
                _set_pending(request, user, "key", next_url)
                return redirect("identity:login_key")
            if policy.require_key:
                if selectors.live_enrolment_codes(user).exists():
                    _set_pending(request, user, "enrol", next_url)
                    return redirect("identity:login_enrol")
                services.login_event(
                    "identity.login_failed", request=request, user=user, success=False, message="key required"
                )
                error = _("须使用电子钥匙登录，请联系安全管理员登记电子钥匙。")
            else:
                return redirect(_complete_login(request, user, "password", next_url))
    elif request.method == "POST":
        error = _("请填写登录名和密码。")
    return render(request, "identity/login.html", {"form": form, "error": error, "next": next_url})


def login_key(request: HttpRequest) -> HttpResponse:
    pending = _pending(request, "key")
    if pending is None:
        messages.warning(request, _("登录已超时，请重新输入密码。"))
        return redirect("identity:login")
    user, _data = pending
    return render(request, "identity/login_key.html", {"pending_user": user})


@require_POST
def login_key_options(request: HttpRequest) -> HttpResponse:
    data = _pending_state(request, "key")
    # The pending user's keys, on condition that the user is still active: one query for the two
    # that loading the user and then the keys took. No key: the user alone decides (restart or not).
    keys = list(WebAuthnCredential.objects.filter(user_id=data["uid"], user__is_active=True)) if data else []
    if data is None or (not keys and _pending(request, "key") is None):
        return JsonResponse(
            {"ok": False, "error": _("登录已超时，请重新输入密码。"), "restart": True}, status=400
        )
    try:
        options = webauthn_rp.authentication_options(request, user_id=int(data["uid"]), keys=keys)
    except TongbanError as exc:
        return _json_error(exc)
    return JsonResponse({"ok": True, "options": options})


@require_POST
def login_key_verify(request: HttpRequest) -> HttpResponse:
    data = _pending_state(request, "key")
    credential = _json_body(request).get("credential")
    cred_id = str(credential.get("id") or "") if isinstance(credential, dict) else ""
    # The presented key together with its owner, if active: one query for the two that loading
    # the pending user and then the key took. Without such a key, the user alone is loaded.
    key = None
    if data is not None and cred_id:
        key = (
            WebAuthnCredential.objects.select_related("user")
            .filter(user_id=data["uid"], user__is_active=True, credential_id=cred_id)
            .first()
        )
    pending = (key.user, data) if key is not None and data is not None else _pending(request, "key")
    if pending is None:
        return JsonResponse(
            {"ok": False, "error": _("登录已超时，请重新输入密码。"), "restart": True}, status=400
        )
    user, data = pending
    if _locked(request, user):
        return lockout_response(request, credentials={"username": user.username})
    try:
        if not isinstance(credential, dict):
            raise TongbanError("identity.key_assertion_failed", _("电子钥匙验证未通过。"))
        key, sign_count = webauthn_rp.verify_login_assertion(request, user, credential, key=key)
    except TongbanError as exc:
        _key_failed(request, user, exc.code)
        return _json_error(exc)
    # One transaction for the sign count, the new session, last_login and the audit record:
    # one commit instead of five (a login is the busiest write of the morning).
    with transaction.atomic():
        services.key_used(key=key, sign_count=sign_count)
        target = _complete_login(request, user, "password+key", str(data.get("next") or ""))
    return JsonResponse({"ok": True, "redirect": target})


def login_enrol(request: HttpRequest) -> HttpResponse:
    """Keys are required and the user has none, but holds a one-time enrolment code."""
    pending = _pending(request, "enrol", "enrol_ok")
    if pending is None:
        messages.warning(request, _("登录已超时，请重新输入密码。"))
        return redirect("identity:login")
    user, data = pending
    error = ""
    if data["stage"] == "enrol" and request.method == "POST":
        if _locked(request, user):
            return lockout_response(request, credentials={"username": user.username})
        code = services.enrolment_code_check(user=user, code=request.POST.get("code", ""))
        if code is None:
            _key_failed(request, user, "bad enrolment code")
            error = _("登记码无效或已过期，请联系安全管理员。")
        else:
            data.update(stage="enrol_ok", code_id=code.pk)
            request.session[PENDING_KEY] = data
    return render(
        request, "identity/login_enrol.html", {"pending_user": user, "stage": data["stage"], "error": error}
    )


@require_POST
def login_enrol_options(request: HttpRequest) -> HttpResponse:
    pending = _pending(request, "enrol_ok")
    if pending is None:
        return JsonResponse(
            {"ok": False, "error": _("登录已超时，请重新输入密码。"), "restart": True}, status=400
        )
    user, _data = pending
    try:
        return JsonResponse({"ok": True, "options": webauthn_rp.registration_options(request, user)})
    except TongbanError as exc:
        return _json_error(exc)


@require_POST
def login_enrol_verify(request: HttpRequest) -> HttpResponse:
    pending = _pending(request, "enrol_ok")
    if pending is None:
        return JsonResponse(
            {"ok": False, "error": _("登录已超时，请重新输入密码。"), "restart": True}, status=400
        )
    user, data = pending
    body = _json_body(request)
    credential = body.get("credential")
    try:
        if not isinstance(credential, dict):
            raise TongbanError("identity.key_register_failed", _("电子钥匙登记未通过验证，请重试。"))
        verified = webauthn_rp.verify_registration(request, user, credential)
        services.key_enrol(
            user=user,
            enrolment_id=int(data.get("code_id") or 0),
            name=str(body.get("name") or ""),
            credential=verified,
            request=request,
        )
    except TongbanError as exc:
        return _json_error(exc)
    target = _complete_login(request, user, "enrolment+key", str(data.get("next") or ""))
    return JsonResponse({"ok": True, "redirect": target})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.login_event("identity.logout", request=request, user=_auth_user(request), success=True)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- the account page: keys and password ----------------------------------------------------


@login_required_json
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = _auth_user(request)
    return render(
        request,
        "identity/account.html",
        {"keys": selectors.user_keys(user), "policy": selectors.security_policy()},
    )


@login_required_json
@require_POST
def key_options(request: HttpRequest) -> HttpResponse:
    try:
        return JsonResponse(
            {"ok": True, "options": webauthn_rp.registration_options(request, _auth_user(request))}
        )
    except TongbanError as exc:
        return _json_error(exc)


@login_required_json
@require_POST
def key_verify(request: HttpRequest) -> HttpResponse:
    user = _auth_user(request)
    body = _json_body(request)
    credential = body.get("credential")
    try:
        if not isinstance(credential, dict):
            raise TongbanError("identity.key_register_failed", _("电子钥匙登记未通过验证，请重试。"))
        verified = webauthn_rp.verify_registration(request, user, credential)
        key = services.key_add(
            actor=user, user=user, name=str(body.get("name") or ""), credential=verified, request=request
        )
    except TongbanError as exc:
        return _json_error(exc)
    messages.success(request, _("电子钥匙“%(name)s”已登记。") % {"name": key.name})
    return JsonResponse({"ok": True, "redirect": reverse("identity:account")})


@login_required_json
@require_POST
def key_rename(request: HttpRequest, key_id: int) -> HttpResponse:
    user = _auth_user(request)
    try:
        key = services.access_key(key_id=key_id, user=user)
        services.key_rename(actor=user, key=key, name=request.POST.get("name", ""), request=request)
        messages.success(request, _("已改名。"))
    except TongbanError as exc:
        if exc.status == 404:
            raise DjangoPermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
    return redirect("identity:account")


@login_required_json
def key_remove(request: HttpRequest, key_id: int) -> HttpResponse:
    user = _auth_user(request)
    try:
        key = services.access_key(key_id=key_id, user=user)
    except TongbanError as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("请确认移除。"))
            return redirect("identity:key_remove", key_id=key.pk)
        try:
            services.key_remove(actor=user, key=key, request=request)
            messages.success(request, _("电子钥匙“%(name)s”已移除。") % {"name": key.name})
        except TongbanError as exc:
            messages.error(request, str(exc))
        return redirect("identity:account")
    return render(request, "identity/key_remove.html", {"key": key})


@login_required_json
def password_change(request: HttpRequest) -> HttpResponse:
    user = _auth_user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=user, user=user, new_password=form.cleaned_data["new_password1"], request=request
            )
        except TongbanError as exc:
            form.add_error("new_password1", str(exc))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("identity:account")
    return render(request, "identity/password_change.html", {"form": form})


# --- security administrator -----------------------------------------------------------------


@role_required(AdminRole.SECURITY)
def security_policy(request: HttpRequest) -> HttpResponse:
    row = selectors.policy_row()
    form = PolicyForm(
        request.POST or None,
        initial={"version": row.version, **{f: getattr(row, f) for f in services.POLICY_FIELDS}},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.policy_update(
                actor=_auth_user(request), expected_version=version, request=request, **data
            )
        except TongbanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("安全策略已保存。"))
            return redirect("identity:security_policy")
    return render(request, "identity/security_policy.html", {"form": form, "row": row})


@role_required(AdminRole.SECURITY)
def security_locked(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        if username:
            services.account_unlock(actor=_auth_user(request), username=username, request=request)
            messages.success(request, _("账号“%(username)s”已解锁。") % {"username": username})
        return redirect("identity:security_locked")
    return render(request, "identity/security_locked.html", {"locked": selectors.locked_attempts()})


@role_required(AdminRole.SECURITY)
def security_keys(request: HttpRequest) -> HttpResponse:
    issued: dict[str, Any] | None = None
    if request.method == "POST":
        target = get_object_or_404(User, pk=request.POST.get("user_id") or 0)
        removed, code = services.key_reset(actor=_auth_user(request), user=target, request=request)
        issued = {
            "user": target,
            "removed": removed,
            "code": code,
            "hours": selectors.security_policy().enrolment_code_hours,
        }
    query = request.GET.get("q", "")
    users = selectors.user_search(query).annotate(key_count=Count("webauthn_credentials"))
    page = Paginator(users, 30).get_page(request.GET.get("page"))
    return render(request, "identity/security_keys.html", {"page": page, "q": query, "issued": issued})


@role_required(AdminRole.SECURITY)
def security_admins(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/security_admins.html", {"admins": selectors.administrators()})


@role_required(AdminRole.SECURITY)
def security_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        token = get_object_or_404(ApiToken, pk=request.POST.get("token_id") or 0)
        services.api_token_revoke(actor=_auth_user(request), token=token, request=request)
        messages.success(request, _("令牌 %(prefix)s… 已吊销。") % {"prefix": token.prefix})
        return redirect("identity:security_tokens")
    return render(request, "identity/security_tokens.html", {"tokens": selectors.api_tokens()})


# --- system administrator -------------------------------------------------------------------


@role_required(AdminRole.SYSTEM)
def users(request: HttpRequest) -> HttpResponse:
    temporary: dict[str, Any] | None = None
    if request.method == "POST":
        target = get_object_or_404(User, pk=request.POST.get("user_id") or 0)
        action = request.POST.get("action")
        actor = _auth_user(request)
        try:
            if action == "enable":
                services.user_set_active(actor=actor, user=target, active=True, request=request)
                messages.success(request, _("账号“%(name)s”已启用。") % {"name": target})
            elif action == "disable":
                services.user_set_active(actor=actor, user=target, active=False, request=request)
                messages.success(request, _("账号“%(name)s”已停用。") % {"name": target})
            elif action == "reset_password":
                password = services.password_reset_temporary(actor=actor, user=target, request=request)
                temporary = {"user": target, "password": password}
        except TongbanError as exc:
            messages.error(request, str(exc))
        if temporary is None:
            return redirect(request.get_full_path())
    query = request.GET.get("q", "")
    page = Paginator(selectors.user_search(query), 30).get_page(request.GET.get("page"))
    return render(request, "identity/users.html", {"page": page, "q": query, "temporary": temporary})
