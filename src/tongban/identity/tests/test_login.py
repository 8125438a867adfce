from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tongban.identity import services
from tongban.identity.models import WebAuthnCredential
from tongban.identity.testing import SoftAuthenticator

from .conftest import PASSWORD, events, json_post, register_key

pytestmark = pytest.mark.django_db


def _password(client, username, password=PASSWORD):
    return client.post(reverse("identity:login"), {"username": username, "password": password})


def _user_with_key(client, user):
    auth = SoftAuthenticator()
    client.force_login(user)
    assert register_key(client, auth).json()["ok"]
    client.logout()
    return auth


def _key_step(client, auth):
    options = json_post(client, reverse("identity:login_key_options")).json()["options"]
    return json_post(client, reverse("identity:login_key_verify"), {"credential": auth.assert_(options)})


def test_password_only_login_when_no_key_and_not_required(lclient, staff):
    response = _password(lclient, "staff")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert lclient.session.get("_auth_user_id") == str(staff.pk)
    rec = events("identity.login_succeeded")[-1]
    assert rec.actor_id == staff.pk and rec.ip == "127.0.0.1" and rec.success


def test_wrong_password_refused_and_audited(lclient, staff):
    response = _password(lclient, "staff", "wrong-password")
    assert response.status_code == 200
    assert "登录名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in lclient.session
    rec = events("identity.login_failed")[-1]
    assert rec.actor_name == "staff" and not rec.success and rec.ip == "127.0.0.1"


def test_user_with_key_must_pass_the_key_step(lclient, staff):
    auth = _user_with_key(lclient, staff)
    response = _password(lclient, "staff")
    assert response.status_code == 302 and response["Location"] == reverse("identity:login_key")
    assert "_auth_user_id" not in lclient.session  # password alone does not log in
    page = lclient.get(reverse("identity:login_key"))
    assert "SimpleWebAuthnBrowser" not in page.content.decode() or page.status_code == 200
    result = _key_step(lclient, auth)
    assert result.status_code == 200 and result.json()["ok"], result.content
    assert lclient.session.get("_auth_user_id") == str(staff.pk)
    key = WebAuthnCredential.objects.get(user=staff)
    assert key.sign_count == 1 and key.last_used_at is not None
    assert events("identity.login_succeeded")[-1].message == "password+key"


def test_wrong_key_refused_and_counted_by_axes(lclient, staff):
    _user_with_key(lclient, staff)
    _password(lclient, "staff")
    result = _key_step(lclient, SoftAuthenticator())  # a key that is not registered
    assert result.status_code == 400 and not result.json()["ok"]
    assert "_auth_user_id" not in lclient.session
    assert AccessAttempt.objects.get(username="staff").failures_since_start == 1
    assert events("identity.login_failed")[-1].actor_name == "staff"


def test_successful_key_login_resets_earlier_failures(lclient, staff):
    """AXES_RESET_ON_SUCCESS still holds with tongban's axes handler (which skips the reset only
    when the lock check of the same request counted no failures)."""
    auth = _user_with_key(lclient, staff)
    assert _password(lclient, "staff", "bad").status_code == 200
    _password(lclient, "staff")
    assert _key_step(lclient, SoftAuthenticator()).status_code == 400  # wrong key: a 2nd failure
    assert AccessAttempt.objects.get(username="staff").failures_since_start == 2
    _password(lclient, "staff")
    assert _key_step(lclient, auth).json()["ok"]
    assert not AccessAttempt.objects.filter(username="staff").exists()


def test_forged_signature_refused(lclient, staff):
    auth = _user_with_key(lclient, staff)
    _password(lclient, "staff")
    options = json_post(lclient, reverse("identity:login_key_options")).json()["options"]
    credential = auth.assert_(options)
    credential["response"]["signature"] = SoftAuthenticator().assert_(options)["response"]["signature"]
    result = json_post(lclient, reverse("identity:login_key_verify"), {"credential": credential})
    assert result.status_code == 400
    assert "_auth_user_id" not in lclient.session


def test_replayed_challenge_refused(lclient, staff):
    auth = _user_with_key(lclient, staff)
    _password(lclient, "staff")
    options = json_post(lclient, reverse("identity:login_key_options")).json()["options"]
    credential = auth.assert_(options)
    lclient.session  # noqa: B018
    good = json_post(lclient, reverse("identity:login_key_verify"), {"credential": credential})
    assert good.json()["ok"]
    lclient.post(reverse("identity:logout"))
    _password(lclient, "staff")
    again = json_post(lclient, reverse("identity:login_key_verify"), {"credential": credential})
    assert again.status_code == 400
    assert "_auth_user_id" not in lclient.session


def test_pending_login_expires_after_five_minutes(lclient, staff):
    auth = _user_with_key(lclient, staff)
    _password(lclient, "staff")
    session = lclient.session
    session["tb_pending_login"]["at"] = time.time() - 301
    session.save()
    response = json_post(lclient, reverse("identity:login_key_options"))
    assert response.status_code == 400 and response.json()["restart"]
    assert lclient.get(reverse("identity:login_key")).status_code == 302
    assert auth.sign_count == 0


def test_user_deactivated_during_the_key_step_must_start_again(lclient, staff):
    auth = _user_with_key(lclient, staff)
    _password(lclient, "staff")
    options = json_post(lclient, reverse("identity:login_key_options")).json()["options"]
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    result = json_post(lclient, reverse("identity:login_key_verify"), {"credential": auth.assert_(options)})
    assert result.status_code == 400 and result.json()["restart"]
    assert "_auth_user_id" not in lclient.session
    assert WebAuthnCredential.objects.get(user=staff).sign_count == 0
    assert not AccessAttempt.objects.filter(username="staff").exists()  # not a failed key
    type(staff).objects.filter(pk=staff.pk).update(is_active=True)
    _password(lclient, "staff")
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    response = json_post(lclient, reverse("identity:login_key_options"))
    assert response.status_code == 400 and response.json()["restart"]


def test_wrong_origin_host_refused(staff):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    response = json_post(client, "/account/keys/options/")
    assert response.status_code == 400
    assert "localhost" in response.json()["error"]


def test_require_key_refuses_password_only(lclient, staff, security_admin):
    services.policy_update(actor=security_admin, require_key=True)
    response = _password(lclient, "staff")
    assert response.status_code == 200
    assert "须使用电子钥匙登录，请联系安全管理员登记电子钥匙" in response.content.decode()
    assert "_auth_user_id" not in lclient.session
    assert events("identity.login_failed")[-1].message == "key required"


def test_superuser_obeys_the_same_policy(lclient, security_admin, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password=PASSWORD, full_name="安装")
    services.policy_update(actor=security_admin, require_key=True)
    _password(lclient, "root")
    assert "_auth_user_id" not in lclient.session
    assert root.is_superuser


def test_enrolment_code_lets_a_keyless_user_register_then_login(lclient, staff, security_admin):
    services.policy_update(actor=security_admin, require_key=True)
    removed, code = services.key_reset(actor=security_admin, user=staff)
    assert removed == 0
    response = _password(lclient, "staff")
    assert response["Location"] == reverse("identity:login_enrol")
    bad = lclient.post(reverse("identity:login_enrol"), {"code": "AAAA-BBBB-CCCC"})
    assert "登记码无效" in bad.content.decode()
    assert AccessAttempt.objects.get(username="staff").failures_since_start == 1
    ok = lclient.post(reverse("identity:login_enrol"), {"code": code.lower()})
    assert ok.status_code == 200 and "登记并登录" in ok.content.decode()
    auth = SoftAuthenticator()
    options = json_post(lclient, reverse("identity:login_enrol_options")).json()["options"]
    result = json_post(
        lclient,
        reverse("identity:login_enrol_verify"),
        {"name": "新钥匙", "credential": auth.register(options)},
    )
    assert result.json()["ok"], result.content
    assert lclient.session.get("_auth_user_id") == str(staff.pk)
    assert WebAuthnCredential.objects.get(user=staff).name == "新钥匙"
    assert events("identity.key_added")[-1].new["via"] == "enrolment"
    # The code is used up: a second enrolment with it is refused.
    assert services.enrolment_code_check(user=staff, code=code) is None


def test_enrolment_code_expires(lclient, staff, security_admin):
    from datetime import timedelta

    from django.utils import timezone

    from tongban.identity.models import EnrolmentCode

    services.policy_update(actor=security_admin, require_key=True)
    _, code = services.key_reset(actor=security_admin, user=staff)
    EnrolmentCode.objects.filter(user=staff).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _password(lclient, "staff")
    assert "须使用电子钥匙登录" in response.content.decode()
    assert services.enrolment_code_check(user=staff, code=code) is None


def test_five_failures_lock_the_account_with_a_clear_message(lclient, staff, security_admin):
    services.policy_update(actor=security_admin, lockout_minutes=45)
    for _ in range(4):
        assert _password(lclient, "staff", "bad").status_code == 200
    locked = _password(lclient, "staff", "bad")
    assert locked.status_code == 403
    text = locked.content.decode()
    assert "45 分钟" in text and "安全管理员" in text
    # Even the right password is refused while locked.
    again = _password(lclient, "staff")
    assert again.status_code == 403
    assert "_auth_user_id" not in lclient.session
    assert events("identity.locked_out")
    assert events("identity.locked_out")[-1].ip == "127.0.0.1"


def test_key_failures_also_lock(lclient, staff):
    _user_with_key(lclient, staff)
    _password(lclient, "staff")
    statuses = [_key_step(lclient, SoftAuthenticator()).status_code for _ in range(5)]
    assert statuses[-1] == 403
    assert "锁定" in _key_step(lclient, SoftAuthenticator()).json()["error"]


def test_lockout_cooloff_follows_policy(security_admin):
    from tongban.identity.lockout import cooloff_time

    assert cooloff_time().total_seconds() == 30 * 60
    services.policy_update(actor=security_admin, lockout_minutes=10)
    assert cooloff_time().total_seconds() == 10 * 60


def test_logout_is_audited(lclient, staff):
    lclient.force_login(staff)
    response = lclient.post(reverse("identity:logout"))
    assert response.status_code == 302
    assert events("identity.logout")[-1].actor_id == staff.pk
    assert "_auth_user_id" not in lclient.session


def test_disabled_account_cannot_log_in(lclient, staff, system_admin):
    services.user_set_active(actor=system_admin, user=staff, active=False)
    _password(lclient, "staff")
    assert "_auth_user_id" not in lclient.session


def test_next_parameter_is_kept_and_offsite_refused(lclient, staff):
    response = lclient.post(
        reverse("identity:login"), {"username": "staff", "password": PASSWORD, "next": "/account/"}
    )
    assert response["Location"] == "/account/"
    lclient.logout()
    response = lclient.post(
        reverse("identity:login"),
        {"username": "staff", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("core:home")
