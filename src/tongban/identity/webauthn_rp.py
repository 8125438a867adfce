"""The WebAuthn relying party: ceremony options and verification with py_webauthn.

Challenges live in the caller's session; this module only builds options and checks responses.
GB/T 22239-2019 8.1.4.1 d: the electronic key is the second authentication factor."""

from __future__ import annotations

import json
from typing import Any

import webauthn
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tongban.core.errors import TongbanError
from tongban.identity.models import User, WebAuthnCredential

CHALLENGE_KEY = "tb_webauthn_challenge"


def rp_id() -> str:
    return str(settings.WEBAUTHN_RP_ID)


def expected_origins(request: HttpRequest) -> list[str]:
    """The configured origins, or else the request's own origin when its host belongs to the RP ID."""
    configured = list(settings.WEBAUTHN_ORIGINS)
    if configured:
        return configured
    host = request.get_host()
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    hostname = hostname.strip("[]").lower()
    rp = rp_id().lower()
    if hostname == rp or hostname.endswith("." + rp):
        return [f"{request.scheme}://{host}"]
    return []


def _require_origin(request: HttpRequest) -> list[str]:
    origins = expected_origins(request)
    if not origins:
        raise TongbanError(
            "identity.key_wrong_host",
            _("电子钥匙只能在 %(host)s 网址下使用，请使用该网址访问本平台。") % {"host": rp_id()},
        )
    return origins


def _descriptor(cred: WebAuthnCredential) -> PublicKeyCredentialDescriptor:
    transports = []
    for t in cred.transports or []:
        try:
            transports.append(AuthenticatorTransport(t))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(cred.credential_id), transports=transports or None
    )


def registration_options(request: HttpRequest, user: User) -> dict[str, Any]:
    _require_origin(request)
    options = webauthn.generate_registration_options(
        rp_id=rp_id(),
        rp_name=str(settings.WEBAUTHN_RP_NAME),
        user_name=user.username,
        user_id=f"tongban-user-{user.pk}".encode(),
        user_display_name=user.full_name or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(c) for c in WebAuthnCredential.objects.filter(user=user)],
    )
    request.session[CHALLENGE_KEY] = {
        "purpose": "register",
        "uid": user.pk,
        "c": bytes_to_base64url(options.challenge),
    }
    return dict(json.loads(webauthn.options_to_json(options)))


def _pop_challenge(request: HttpRequest, purpose: str, user: User) -> bytes:
    data = request.session.pop(CHALLENGE_KEY, None)
    if not isinstance(data, dict) or data.get("purpose") != purpose or data.get("uid") != user.pk:
        raise TongbanError("identity.key_no_challenge", _("电子钥匙验证已过期，请重新操作。"))
    return base64url_to_bytes(str(data["c"]))


def verify_registration(request: HttpRequest, user: User, credential: dict[str, Any]) -> dict[str, Any]:
    """Check a registration response; return the fields of the new key (not yet saved)."""
    challenge = _pop_challenge(request, "register", user)
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=_require_origin(request),
        )
    except (WebAuthnException, KeyError, ValueError, TypeError) as exc:
        raise TongbanError("identity.key_register_failed", _("电子钥匙登记未通过验证，请重试。")) from exc
    response = credential.get("response") or {}
    transports = [str(t) for t in response.get("transports") or [] if isinstance(t, str)][:8]
    return {
        "credential_id": bytes_to_base64url(verified.credential_id),
        "public_key": bytes(verified.credential_public_key),
        "sign_count": int(verified.sign_count),
        "aaguid": str(verified.aaguid)[:36],
        "transports": transports,
    }


def authentication_options(
    request: HttpRequest, *, user_id: int, keys: list[WebAuthnCredential]
) -> dict[str, Any]:
    """Options for signing in with one of ``keys`` (the user's registered keys)."""
    _require_origin(request)
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=[_descriptor(c) for c in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[CHALLENGE_KEY] = {
        "purpose": "login",
        "uid": user_id,
        "c": bytes_to_base64url(options.challenge),
    }
    return dict(json.loads(webauthn.options_to_json(options)))


def verify_assertion(
    *,
    credential: dict[str, Any],
    user: User,
    challenge: bytes,
    origins: list[str],
    key: WebAuthnCredential | None = None,
) -> tuple[WebAuthnCredential, int]:
    """Check an assertion against the user's registered keys; return the key and its new sign count.
    ``key``: the user's key with the credential's id, when the caller has loaded it already."""
    cred_id = str(credential.get("id") or "")
    if key is None or key.user_id != user.pk or key.credential_id != cred_id:
        key = WebAuthnCredential.objects.filter(user=user, credential_id=cred_id).first()
    if key is None:
        raise TongbanError("identity.key_unknown", _("这把电子钥匙未登记在您的账号下。"))
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origins,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, KeyError, ValueError, TypeError) as exc:
        raise TongbanError("identity.key_assertion_failed", _("电子钥匙验证未通过。")) from exc
    return key, int(verified.new_sign_count)


def verify_login_assertion(
    request: HttpRequest, user: User, credential: dict[str, Any], *, key: WebAuthnCredential | None = None
) -> tuple[WebAuthnCredential, int]:
    challenge = _pop_challenge(request, "login", user)
    return verify_assertion(
        credential=credential, user=user, challenge=challenge, origins=_require_origin(request), key=key
    )
