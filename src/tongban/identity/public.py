"""The public side's session: a citizen or enterprise logged in with a :class:`PublicAccount`.

It is kept apart from the staff login: its own session key, ``request.public_account`` instead
of ``request.user`` (which stays anonymous), so no staff page — all of which require a staff
``request.user`` — can ever be reached with it. Logging in cycles the session key (fixation).
The session also keeps a hash of the password hash, so changing the password ends other sessions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from tongban.identity.models import PublicAccount

SESSION_KEY = "tb_public_account"
SESSION_HASH = "tb_public_hash"


def _hash(account: PublicAccount) -> str:
    return hashlib.sha256(("tongban-public:" + account.password).encode()).hexdigest()


def login(request: HttpRequest, account: PublicAccount) -> None:
    """Start a public session for ``account`` (the password was checked by the caller)."""
    if hasattr(request, "session"):
        request.session.cycle_key()
        request.session[SESSION_KEY] = account.pk
        request.session[SESSION_HASH] = _hash(account)
    PublicAccount.objects.filter(pk=account.pk).update(last_login=timezone.now())
    request.public_account = account  # type: ignore[attr-defined]


def logout(request: HttpRequest) -> None:
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
        request.session.pop(SESSION_HASH, None)
        request.session.cycle_key()
    request.public_account = None  # type: ignore[attr-defined]


def account_of(request: HttpRequest) -> PublicAccount | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    pk = session.get(SESSION_KEY)
    if not pk:
        return None
    account = PublicAccount.objects.filter(pk=pk, is_active=True).first()
    if account is None or session.get(SESSION_HASH) != _hash(account):
        return None
    return account


class PublicAccountMiddleware:
    """Sets ``request.public_account`` (lazily: no query unless a view asks)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "public_account" not in request.__dict__:
            request.__dict__["public_account"] = _LazyValue(request)
        return self.get_response(request)


class _LazyValue:
    """A stand-in that resolves to the account on first use; falsy when nobody is logged in."""

    def __init__(self, request: HttpRequest):
        self._request = request
        self._resolved = False
        self._value: PublicAccount | None = None

    def _get(self) -> PublicAccount | None:
        if not self._resolved:
            self._value = account_of(self._request)
            self._resolved = True
        return self._value

    def __bool__(self) -> bool:
        return self._get() is not None

    def __getattr__(self, name: str) -> Any:
        value = self._get()
        if value is None:
            raise AttributeError(name)
        return getattr(value, name)


def current(request: HttpRequest) -> PublicAccount | None:
    """The logged-in public account, or None. Use this (not the attribute) in services' callers."""
    value = getattr(request, "public_account", None)
    if isinstance(value, _LazyValue):
        return value._get()
    return value


def public_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page for a logged-in applicant; others go to the public login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current(request) is None:
            return redirect(reverse("ban:login") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, *args, **kwargs)

    return wrapped


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``public_account`` on the public side's pages (/ban/, /portal/)."""
    if not request.path.startswith(("/ban/", "/portal/")):
        return {}
    return {"public_account": current(request)}
