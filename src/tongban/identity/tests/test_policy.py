from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.identity import selectors, services
from tongban.identity.hashers import TongbanArgon2PasswordHasher
from tongban.identity.models import SecurityPolicy

from .conftest import events

pytestmark = pytest.mark.django_db


def test_defaults():
    policy = selectors.security_policy()
    assert (policy.require_key, policy.idle_minutes, policy.lockout_minutes) == (False, 30, 30)
    assert (policy.password_min_length, policy.password_min_classes, policy.enrolment_code_hours) == (
        10,
        3,
        24,
    )


def test_update_is_audited_with_old_and_new_and_bumps_version(security_admin):
    before = selectors.security_policy()
    row = services.policy_update(actor=security_admin, expected_version=before.version, idle_minutes=15)
    assert row.version == before.version + 1
    assert selectors.security_policy().idle_minutes == 15  # the cache was invalidated
    rec = events("identity.policy_changed")[-1]
    assert (
        rec.old["idle_minutes"] == 30 and rec.new["idle_minutes"] == 15 and rec.actor_id == security_admin.pk
    )


def test_stale_version_refused(security_admin):
    services.policy_update(actor=security_admin, idle_minutes=20)
    with pytest.raises(TongbanError) as exc:
        services.policy_update(actor=security_admin, expected_version=1, idle_minutes=40)
    assert exc.value.code == "identity.policy_stale"
    assert SecurityPolicy.objects.get().idle_minutes == 20


def test_out_of_range_refused(security_admin):
    with pytest.raises(TongbanError):
        services.policy_update(actor=security_admin, idle_minutes=0)
    assert not events("identity.policy_changed")


@pytest.mark.parametrize("role", ["", "system", "audit"])
def test_only_security_admin_may_change_policy(make_user, role):
    actor = make_user("someone", role=role)
    with pytest.raises(PermissionDenied):
        services.policy_update(actor=actor, require_key=True)
    assert not selectors.security_policy().require_key
    assert not events("identity.policy_changed")


def test_password_validator_follows_policy(security_admin):
    validate_password("Abcdefgh12")  # 10 chars, 3 classes
    services.policy_update(actor=security_admin, password_min_length=12)
    with pytest.raises(ValidationError) as exc:
        validate_password("Abcdefgh12")
    assert "12" in exc.value.messages[0]
    services.policy_update(actor=security_admin, password_min_classes=4, password_min_length=10)
    with pytest.raises(ValidationError):
        validate_password("Abcdefgh12")
    validate_password("Abcdefg#12")


def test_argon2_hasher_parameters():
    assert settings.PASSWORD_HASHERS[-2:] == [
        "tongban.identity.hashers.TongbanArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    encoded = make_password("Passw0rd!2024", hasher="argon2")
    assert encoded.startswith("argon2$argon2id$v=19$m=12288,t=3,p=2$")
    assert isinstance(identify_hasher(encoded), TongbanArgon2PasswordHasher)
    assert check_password("Passw0rd!2024", encoded)
    assert not get_hasher("argon2").must_update(encoded)
    # A hash made with Django's default argon2 parameters still verifies and is marked for upgrade.
    from django.contrib.auth.hashers import Argon2PasswordHasher

    old = Argon2PasswordHasher().encode("Passw0rd!2024", Argon2PasswordHasher().salt())
    assert check_password("Passw0rd!2024", old)
    assert get_hasher("argon2").must_update(old)


def _idle_left(client) -> float:
    import time

    from tongban.identity.middleware import IDLE_KEY

    return client.session[IDLE_KEY] - time.time()


def test_idle_timeout_from_policy(client, staff, security_admin):
    client.force_login(staff)
    response = client.get(reverse("identity:account"))
    assert 30 * 60 - 5 <= _idle_left(client) <= 30 * 60
    # a browser-session cookie: closing the browser on a shared PC ends the session too
    assert response.cookies.get("sessionid") is None or not response.cookies["sessionid"]["max-age"]
    services.policy_update(actor=security_admin, idle_minutes=10)
    client.get(reverse("identity:account"))
    assert 10 * 60 - 5 <= _idle_left(client) <= 10 * 60


def test_idle_deadline_is_rewritten_only_when_it_moves_a_minute(client, staff):
    from django.contrib.sessions.models import Session

    from tongban.identity.middleware import IDLE_KEY

    client.force_login(staff)
    client.get(reverse("identity:account"))
    key = client.session.session_key
    first = Session.objects.get(session_key=key).session_data
    client.get(reverse("identity:account"))  # within the minute: the session is not rewritten
    assert Session.objects.get(session_key=key).session_data == first
    # A minute later (the stored deadline a minute older) the next request moves it on.
    session = client.session
    session[IDLE_KEY] -= 61
    session.save()
    client.get(reverse("identity:account"))
    assert 30 * 60 - 5 <= _idle_left(client) <= 30 * 60


def test_an_idle_session_past_its_deadline_is_logged_out_and_audited(client, staff):
    import time

    from tongban.identity.middleware import IDLE_KEY

    client.force_login(staff)
    client.get(reverse("identity:account"))
    session = client.session
    session[IDLE_KEY] = time.time() - 1
    session.save()
    response = client.get(reverse("identity:account"))
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]
    assert client.get(reverse("identity:account")).status_code == 302  # logged out, not just redirected
    assert events("identity.session_expired", actor_id=staff.pk)
    assert client.get("/api/v1/me").status_code == 401
