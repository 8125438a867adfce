"""Anti-spam for the public forms (letters, disclosure requests, interview questions, surveys,
error reports): a rate limit per client address and a simple challenge that works offline.

- ``rate_limit(request, scope, limit=…, window=…)`` counts submissions per client address in the
  cache and raises :class:`TongbanError` (``interaction.rate_limited``) once ``limit`` is reached
  within ``window`` seconds. Call it only when a submission is about to be accepted.
- The challenge is a small sum (``3 + 4 = ?``) whose answer travels signed in a hidden field
  (:func:`new_challenge` / :func:`check_challenge`): no image, no third-party service, no session
  state; a token is good for 30 minutes and once (its hash is remembered until it expires).
- :class:`ChallengeFormMixin` adds both fields to a Django form and checks them in ``clean()``."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.audit import client_ip
from tongban.core.errors import TongbanError

CHALLENGE_SALT = "tongban.interaction.challenge"
CHALLENGE_MAX_AGE = 30 * 60


def client_key(request: HttpRequest | None) -> str:
    """A stable, non-reversible key of the client's address (stored instead of the address)."""
    ip = client_ip(request) or "unknown"
    return hashlib.sha256(f"tongban:{ip}".encode()).hexdigest()[:32]


def rate_limit(request: HttpRequest | None, scope: str, *, limit: int = 5, window: int = 3600) -> None:
    """Refuse the ``limit``-th + 1 submission of ``scope`` from one address within ``window`` s."""
    key = f"antispam:{scope}:{client_key(request)}"
    added = cache.add(key, 1, timeout=window)
    if added:
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return
    if count > limit:
        raise TongbanError(
            "interaction.rate_limited",
            _("提交过于频繁，请稍后再试。"),
        )


@dataclass(frozen=True)
class Challenge:
    question: str  # "3 + 4 = ?"
    token: str  # signed answer, for the hidden field


def new_challenge() -> Challenge:
    a = secrets.randbelow(9) + 1
    b = secrets.randbelow(9) + 1
    token = signing.dumps({"a": a + b, "n": secrets.token_hex(6)}, salt=CHALLENGE_SALT)
    return Challenge(question=f"{a} + {b} = ?", token=token)


def check_challenge(token: str, answer: Any) -> None:
    """Raise ``interaction.challenge`` unless ``answer`` solves the signed ``token``."""
    message = _("验证题答案不正确，请重新计算后提交。")
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        raise TongbanError(
            "interaction.challenge", _("验证题已过期，请刷新页面后重试。"), field="challenge"
        ) from None
    try:
        given = int(str(answer).strip())
    except (TypeError, ValueError):
        raise TongbanError("interaction.challenge", message, field="challenge") from None
    if given != data.get("a"):
        raise TongbanError("interaction.challenge", message, field="challenge")
    used = "antispam:used:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    if not cache.add(used, 1, timeout=CHALLENGE_MAX_AGE):
        raise TongbanError("interaction.challenge", _("验证题已使用，请刷新页面后重试。"), field="challenge")


class ChallengeFormMixin(forms.Form):
    """Adds the challenge: render ``form.challenge_question`` beside the ``challenge`` field."""

    challenge = forms.CharField(label=gettext_lazy("验证题"), max_length=4)
    challenge_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fresh = new_challenge()
        self.challenge_question = fresh.question
        if not self.is_bound:
            self.initial["challenge_token"] = fresh.token
        else:
            # a refused form is shown again with a new question
            self._fresh = fresh

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "challenge" in data and "challenge_token" in data:
            try:
                check_challenge(data["challenge_token"], data["challenge"])
            except TongbanError as exc:
                self.add_error("challenge", str(exc.message))
        if self.errors and hasattr(self, "_fresh"):
            # show a new question; the old token is spent or wrong
            data_copy = self.data.copy()  # type: ignore[attr-defined]
            data_copy["challenge_token"] = self._fresh.token
            data_copy["challenge"] = ""
            self.data = data_copy
            self.challenge_question = self._fresh.question
        return data
