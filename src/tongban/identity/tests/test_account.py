from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.identity import services
from tongban.identity.models import WebAuthnCredential
from tongban.identity.testing import SoftAuthenticator

from .conftest import PASSWORD, events, json_post, register_key

pytestmark = pytest.mark.django_db


def test_account_page_requires_login(lclient):
    response = lclient.get(reverse("identity:account"))
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]
    assert json_post(lclient, reverse("identity:key_options")).status_code == 401


def test_register_list_rename_remove_key(lclient, staff):
    lclient.force_login(staff)
    result = register_key(lclient, SoftAuthenticator(), name="办公室钥匙")
    assert result.json() == {"ok": True, "redirect": reverse("identity:account")}
    key = WebAuthnCredential.objects.get(user=staff)
    assert key.transports == ["usb"] and key.sign_count == 0
    page = lclient.get(reverse("identity:account")).content.decode()
    assert "办公室钥匙" in page and "未使用" in page
    assert events("identity.key_added")[-1].new["name"] == "办公室钥匙"

    lclient.post(reverse("identity:key_rename", args=[key.pk]), {"name": "备用钥匙"})
    key.refresh_from_db()
    assert key.name == "备用钥匙"

    # GET shows a confirmation page and changes nothing; POST without confirm changes nothing.
    assert lclient.get(reverse("identity:key_remove", args=[key.pk])).status_code == 200
    lclient.post(reverse("identity:key_remove", args=[key.pk]))
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    lclient.post(reverse("identity:key_remove", args=[key.pk]), {"confirm": "yes"})
    assert not WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert events("identity.key_removed")[-1].old["name"] == "备用钥匙"


def test_same_key_cannot_be_registered_twice(lclient, staff):
    lclient.force_login(staff)
    auth = SoftAuthenticator()
    assert register_key(lclient, auth).json()["ok"]
    again = register_key(lclient, auth)
    assert again.status_code == 400 and "已经登记" in again.json()["error"]


def test_registration_with_wrong_challenge_refused(lclient, staff):
    lclient.force_login(staff)
    json_post(lclient, reverse("identity:key_options"))
    forged = SoftAuthenticator().register({"challenge": "AAAA"})
    response = json_post(lclient, reverse("identity:key_verify"), {"name": "x", "credential": forged})
    assert response.status_code == 400
    assert not WebAuthnCredential.objects.filter(user=staff).exists()


def test_last_key_cannot_be_removed_when_keys_are_required(lclient, staff, security_admin):
    lclient.force_login(staff)
    register_key(lclient, SoftAuthenticator())
    services.policy_update(actor=security_admin, require_key=True)
    key = WebAuthnCredential.objects.get(user=staff)
    lclient.post(reverse("identity:key_remove", args=[key.pk]), {"confirm": "yes"})
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert not events("identity.key_removed")


def test_someone_elses_key_cannot_be_renamed_or_removed(lclient, staff, make_user):
    other = make_user("other")
    lclient.force_login(other)
    register_key(lclient, SoftAuthenticator(), name="他的钥匙")
    key = WebAuthnCredential.objects.get(user=other)
    lclient.force_login(staff)
    assert lclient.post(reverse("identity:key_rename", args=[key.pk]), {"name": "x"}).status_code == 403
    assert lclient.get(reverse("identity:key_remove", args=[key.pk])).status_code == 403
    assert lclient.post(reverse("identity:key_remove", args=[key.pk]), {"confirm": "yes"}).status_code == 403
    key.refresh_from_db()
    assert key.name == "他的钥匙"
    assert not events("identity.key_removed") and not events("identity.key_renamed")


def test_change_password_checks_policy(lclient, staff):
    lclient.force_login(staff)
    weak = lclient.post(
        reverse("identity:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 200 and "密码至少" in weak.content.decode()
    ok = lclient.post(
        reverse("identity:password_change"),
        {"old_password": PASSWORD, "new_password1": "N3w-Secret-99", "new_password2": "N3w-Secret-99"},
    )
    assert ok.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("N3w-Secret-99")
    assert events("identity.password_changed")[-1].actor_id == staff.pk
    # The session survives the change.
    assert lclient.get(reverse("identity:account")).status_code == 200


def test_temporary_password_forces_a_change(lclient, staff, system_admin):
    temporary = services.password_reset_temporary(actor=system_admin, user=staff)
    response = lclient.post(reverse("identity:login"), {"username": "staff", "password": temporary})
    assert response.status_code == 302
    home = lclient.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"] == reverse("identity:password_change")
    lclient.post(
        reverse("identity:password_change"),
        {"old_password": temporary, "new_password1": "N3w-Secret-99", "new_password2": "N3w-Secret-99"},
    )
    staff.refresh_from_db()
    assert not staff.must_change_password
    assert lclient.get(reverse("core:home")).status_code == 200


def test_shell_has_account_url(lclient, staff):
    lclient.force_login(staff)
    response = lclient.get(reverse("core:home"))
    assert response.context["account_url"] == reverse("identity:account")
