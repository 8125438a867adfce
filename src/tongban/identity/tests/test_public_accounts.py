"""Public accounts: the identity numbers' check characters, registration with an SMS code, the
code's limits, login throttling, password change and reset."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from tongban.core.errors import TongbanError
from tongban.identity import public_rules as rules
from tongban.identity import public_services as svc
from tongban.identity.models import PublicAccount, PublicPhoneCode

STRONG = "Qingshan#2026"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, phone: str, text: str) -> str:
        self.sent.append((phone, text))
        return "id"

    def code(self) -> str:
        return re.search(r"验证码为(\d{6})", self.sent[-1][1]).group(1)  # type: ignore[union-attr]


# --- rules ------------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["11010519491231002X", "320106199507150016", "33010219800101123X"])
def test_valid_id_numbers(number):
    assert rules.id_number_valid(number)
    assert rules.id_number_valid(number.lower())


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check character (should be X)
        "330102198001011234",  # wrong check character
        "11010519491331002X",  # month 13
        "1101051949123100",  # too short
        "11010529491231002X",  # born in the future
        "440524188001010014",  # valid check character but born before 1900
        "",
    ],
)
def test_invalid_id_numbers(number):
    assert not rules.id_number_valid(number)


@pytest.mark.parametrize("code", ["91331100MA2A1B2C37", "91350100M000100Y43", "91350100m000100y43"])
def test_valid_credit_codes(code):
    assert rules.credit_code_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "91331100MA2A1B2C38",  # wrong check character
        "911100001000013443",  # wrong check character (J)
        "91331100MA2A1B2CI7",  # I is not in the code set
        "9133110",  # short
        "Z1331100MA2A1B2C37",  # unknown registration department
    ],
)
def test_invalid_credit_codes(code):
    assert not rules.credit_code_valid(code)


def test_check_characters_computed():
    assert rules.id_check_char("11010519491231002") == "X"
    assert rules.uscc_check_char("91331100MA2A1B2C3") == "7"


def test_phone_rules():
    assert rules.phone_valid("138 0000 0001")
    assert not rules.phone_valid("12800000001")
    assert rules.mask_phone("13800000001") == "138****0001"


# --- codes ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_code_is_stored_hashed_and_sent_once_a_minute():
    box = Outbox()
    row = svc.phone_code_send(phone="13900001111", purpose="register", send=box)
    code = box.code()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert "10分钟" in box.sent[0][1]
    with pytest.raises(TongbanError) as exc:
        svc.phone_code_send(phone="13900001111", purpose="register", send=box)
    assert exc.value.code == "identity.public_code_too_soon"
    assert len(box.sent) == 1
    PublicPhoneCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    svc.phone_code_send(phone="13900001111", purpose="register", send=box)
    assert len(box.sent) == 2


@pytest.mark.django_db
def test_code_expires_after_ten_minutes():
    box = Outbox()
    svc.phone_code_send(phone="13900001111", purpose="register", send=box)
    PublicPhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(TongbanError) as exc:
        svc.phone_code_verify(phone="13900001111", purpose="register", code=box.code())
    assert exc.value.code == "identity.public_code_expired"


@pytest.mark.django_db
def test_code_allows_five_attempts():
    box = Outbox()
    svc.phone_code_send(phone="13900001111", purpose="register", send=box)
    for _ in range(5):
        with pytest.raises(TongbanError) as exc:
            svc.phone_code_verify(phone="13900001111", purpose="register", code="000000x")
        assert exc.value.code == "identity.public_code_wrong"
    with pytest.raises(TongbanError) as exc:
        svc.phone_code_verify(phone="13900001111", purpose="register", code=box.code())
    assert exc.value.code == "identity.public_code_expired"


@pytest.mark.django_db
def test_failed_send_leaves_no_code():
    def broken(phone: str, text: str) -> Any:
        raise OSError("down")

    with pytest.raises(TongbanError):
        svc.phone_code_send(phone="13900001111", purpose="register", send=broken)
    assert not PublicPhoneCode.objects.exists()


# --- registration -----------------------------------------------------------------------------
def _register_person(box: Outbox, **over: Any) -> PublicAccount:
    svc.phone_code_send(phone=over.get("phone", "13900001111"), purpose="register", send=box)
    args = {
        "phone": "13900001111",
        "code": box.code(),
        "password": STRONG,
        "name": "李四",
        "id_number": "11010519491231002X",
    }
    args.update(over)
    return svc.account_register_person(**args)


@pytest.mark.django_db
def test_person_registers_and_logs_in_by_phone():
    box = Outbox()
    account = _register_person(box)
    assert account.kind == "person" and account.phone_verified_at is not None
    assert account.password != STRONG
    assert svc.account_authenticate(login="13900001111", password=STRONG) == account


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"id_number": "110105194912310021"}, "identity.public_id_invalid"),
        ({"password": "short"}, "identity.public_password_weak"),
        ({"name": "  "}, "identity.public_name_invalid"),
        ({"code": "123"}, "identity.public_code_wrong"),
    ],
)
def test_person_registration_refused(over, code):
    box = Outbox()
    with pytest.raises(TongbanError) as exc:
        _register_person(box, **over)
    assert exc.value.code == code
    assert not PublicAccount.objects.exists()


@pytest.mark.django_db
def test_phone_registered_once():
    box = Outbox()
    _register_person(box)
    PublicPhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    with pytest.raises(TongbanError) as exc:
        _register_person(box)
    assert exc.value.code == "identity.public_phone_taken"
    assert PublicAccount.objects.count() == 1


@pytest.mark.django_db
def test_enterprise_registers_and_logs_in_by_credit_code():
    box = Outbox()
    svc.phone_code_send(phone="13900003333", purpose="register", send=box)
    account = svc.account_register_enterprise(
        credit_code="91350100m000100y43", name="某某科技有限公司", contact_name="赵六",
        phone="13900003333", code=box.code(), password=STRONG,
    )  # fmt: skip
    assert account.credit_code == "91350100M000100Y43" and account.kind == "enterprise"
    assert svc.account_authenticate(login="91350100M000100Y43", password=STRONG) == account


@pytest.mark.django_db
def test_enterprise_with_bad_credit_code_refused():
    box = Outbox()
    svc.phone_code_send(phone="13900003333", purpose="register", send=box)
    with pytest.raises(TongbanError) as exc:
        svc.account_register_enterprise(
            credit_code="91350100M000100Y44", name="某某科技有限公司", contact_name="赵六",
            phone="13900003333", code=box.code(), password=STRONG,
        )  # fmt: skip
    assert exc.value.field == "credit_code"
    assert not PublicAccount.objects.exists()
    # the code was not used up by the refused attempt
    assert PublicPhoneCode.objects.get().used_at is None


# --- login throttling -------------------------------------------------------------------------
@pytest.mark.django_db
def test_five_failures_lock_the_login_for_fifteen_minutes(monkeypatch):
    box = Outbox()
    _register_person(box)
    for _ in range(4):
        with pytest.raises(TongbanError) as exc:
            svc.account_authenticate(login="13900001111", password="wrong")
        assert exc.value.code == "identity.public_login_failed"
    with pytest.raises(TongbanError) as exc:
        svc.account_authenticate(login="13900001111", password="wrong")
    assert exc.value.code == "identity.public_locked"
    # even the right password is refused while locked
    with pytest.raises(TongbanError) as exc:
        svc.account_authenticate(login="13900001111", password=STRONG)
    assert exc.value.code == "identity.public_locked" and "15 分钟" in str(exc.value)
    # 15 minutes later it works again
    import time as real_time

    later = real_time.time() + 15 * 60 + 1
    monkeypatch.setattr(svc.time, "time", lambda: later)
    cache.delete(svc._login_key("13900001111") + ":lock")  # locmem expiry uses the real clock
    assert svc.account_authenticate(login="13900001111", password=STRONG).phone == "13900001111"


@pytest.mark.django_db
def test_unknown_login_fails_the_same_way():
    with pytest.raises(TongbanError) as exc:
        svc.account_authenticate(login="13999999999", password="x")
    assert exc.value.code == "identity.public_login_failed"


# --- passwords --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_password_change_needs_the_old_one():
    box = Outbox()
    account = _register_person(box)
    with pytest.raises(TongbanError) as exc:
        svc.account_password_change(account=account, old_password="nope", new_password="Another#2026x")
    assert exc.value.field == "old_password"
    svc.account_password_change(account=account, old_password=STRONG, new_password="Another#2026x")
    assert svc.account_authenticate(login="13900001111", password="Another#2026x")


@pytest.mark.django_db
def test_password_reset_by_sms_code_and_unlocks():
    box = Outbox()
    _register_person(box)
    for _ in range(5):
        with pytest.raises(TongbanError):
            svc.account_authenticate(login="13900001111", password="wrong")
    svc.reset_code_send(login="13900001111", send=box)
    with pytest.raises(TongbanError):
        svc.account_password_reset(login="13900001111", code="999999", new_password="Reset#2026abc")
    svc.account_password_reset(login="13900001111", code=box.code(), new_password="Reset#2026abc")
    assert svc.account_authenticate(login="13900001111", password="Reset#2026abc")


@pytest.mark.django_db
def test_reset_code_for_unknown_login_sends_nothing_and_says_nothing():
    box = Outbox()
    svc.reset_code_send(login="13977777777", send=box)
    assert box.sent == []


@pytest.mark.django_db
def test_enterprise_reset_code_goes_to_the_contact_mobile():
    box = Outbox()
    svc.phone_code_send(phone="13900003333", purpose="register", send=box)
    svc.account_register_enterprise(
        credit_code="91331100MA2A1B2C37", name="青山县好味餐饮有限公司", contact_name="刘经理",
        phone="13900003333", code=box.code(), password=STRONG,
    )  # fmt: skip
    svc.reset_code_send(login="91331100ma2a1b2c37", send=box)
    assert box.sent[-1][0] == "13900003333"
