"""The electronic key in a real Chromium: a CDP virtual authenticator stands in for the USB key."""

from __future__ import annotations

import re

import pytest

from tongban.core.models import AuditRecord
from tongban.identity import services

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _virtual_key(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, result["authenticatorId"]


def _password_step(page, base, username):
    page.goto(base + "/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")


def _logout(page, base):
    page.goto(base + "/account/")
    page.click(".tb-user")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r".*/account/login/.*"))


def test_register_key_then_login_with_password_and_key(live_server, page, make_user):
    base = live_server.url
    assert "localhost" in base
    make_user("keyuser", full_name="赵六")
    cdp, authenticator_id = _virtual_key(page)

    # Password only while the user has no key and keys are not required.
    _password_step(page, base, "keyuser")
    page.wait_for_url(base + "/")

    # Register a key from the account page.
    page.goto(base + "/account/")
    page.fill("#tb-key-name", "办公室钥匙")
    page.click("#tb-webauthn-go")
    page.wait_for_selector("#tb-keys input[value='办公室钥匙']")
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    # Log out, log in again: password, then the key (started automatically), then the home page.
    _logout(page, base)
    _password_step(page, base, "keyuser")
    page.wait_for_url(base + "/")
    assert page.locator(".tb-user").inner_text().strip() == "赵六"
    page.goto(base + "/account/")
    assert page.locator("#tb-keys").inner_text().count("未使用") == 0  # last use is recorded

    # The key is gone from the browser: password + (no key) does not get in.
    _logout(page, base)
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})
    # Another (empty) key is plugged in, so the browser answers at once instead of waiting out the timeout.
    _virtual_key(page)
    _password_step(page, base, "keyuser")
    page.wait_for_url(re.compile(r".*/account/login/key/$"))
    status = page.locator("#tb-webauthn-status")
    status.wait_for(state="visible", timeout=90_000)
    page.wait_for_function(
        "document.getElementById('tb-webauthn-status').classList.contains('alert-danger')", timeout=90_000
    )
    page.goto(base + "/")
    assert "/account/login/" in page.url
    assert AuditRecord.objects.filter(event="identity.login_succeeded", actor_name="keyuser").count() == 2


def test_password_alone_refused_when_keys_required(live_server, page, make_user, security_admin):
    base = live_server.url
    make_user("nokey", full_name="钱七")
    services.policy_update(actor=security_admin, require_key=True)
    _password_step(page, base, "nokey")
    page.wait_for_selector("#tb-login-error")
    assert "须使用电子钥匙登录，请联系安全管理员登记电子钥匙" in page.locator("#tb-login-error").inner_text()
    page.goto(base + "/")
    assert "/account/login/" in page.url
