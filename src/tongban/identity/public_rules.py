"""Pure rules of the public accounts: identity numbers, mobile numbers and SMS code throttling.

- 公民身份号码 (GB 11643-1999): 17 digits (address code, birth date, sequence) and a check
  character, ISO 7064 MOD 11-2: Σ aᵢ·Wᵢ with Wᵢ = 2^(17−i) mod 11, the remainder mapped through
  ``10X98765432``.
- 统一社会信用代码 (GB 32100-2015): 18 characters from the 31 of ``0123456789ABCDEFGHJKLMNPQRTUWXY``
  (no I, O, Z, S, V); the 9th to 17th are the organisation code; the 18th is the check character
  C18 = 31 − (Σ Cᵢ·Wᵢ mod 31), Wᵢ = 3^(i−1) mod 31, with 31 written as 0.
- Mobile numbers of the mainland: 11 digits starting with 1 and 3–9."""

from __future__ import annotations

import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100-2015 表 1: 登记管理部门代码 (1 机构编制, 5 民政, 9 工商, Y 其他, and the ones added since).
USCC_DEPARTMENTS = set("123456789ANY")

_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_number_valid(value: str) -> bool:
    """A valid 18-character 公民身份号码: format, a real birth date not in the future, check character."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():
        return False
    return id_check_char(value[:17]) == value[17]


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    r = 31 - total % 31
    return USCC_CHARSET[0 if r == 31 else r]


def credit_code_valid(value: str) -> bool:
    """A valid 统一社会信用代码: 18 characters of the code set, a known registration department,
    a 6-digit administrative division code (positions 3–8) and the right check character."""
    value = normalize_credit_code(value)
    if len(value) != 18 or any(c not in USCC_CHARSET for c in value):
        return False
    if value[0] not in USCC_DEPARTMENTS or not value[2:8].isdigit():
        return False
    return uscc_check_char(value[:17]) == value[17]


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def phone_valid(value: str) -> bool:
    return bool(_PHONE_RE.match(normalize_phone(value)))


def mask_phone(value: str) -> str:
    """138****0001: enough for the owner to recognise, nothing for anyone else."""
    value = normalize_phone(value)
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
