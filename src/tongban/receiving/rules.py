"""Pure rules of incoming documents: register number format, who may do what, reminder windows."""

from __future__ import annotations

from datetime import date

from django.conf import settings

SUBJECT_TYPE = "receiving.incoming"
PROCESS_KEY = "receiving.incoming"

# The incoming register number, e.g. 收文〔2026〕15号 (full year, 〔〕, no leading zeros, no 第 —
# as for 发文字号, GB/T 9704 7.2.4). Placeholders: {year}, {serial}, {unit} (short name), {code}.
DEFAULT_REGISTER_FORMAT = "收文〔{year}〕{serial}号"

# Steps of receiving/processes/incoming.bpmn, in order (第二十四条).
STEPS: list[tuple[str, str]] = [
    ("sign", "签收"),
    ("register", "登记"),
    ("review", "初审"),
    ("propose", "拟办"),
    ("instruct", "领导批示"),
    ("handle", "承办"),
    ("circulate", "传阅"),
    ("finish", "办结"),
    ("archive", "归档"),
]
STEP_NAMES = dict(STEPS)

# Roles that see a unit's whole incoming register (its 收文 list).
UNIT_ROLES = ("clerk", "office_head", "unit_leader")

# Reminders for 承办: this many working days before the due date, and on every
# OVERDUE_REPEAT-th working day after it (first on the first overdue day).
REMIND_BEFORE_WORKDAYS = 1
OVERDUE_REPEAT_WORKDAYS = 3

MAX_DEADLINE_WORKDAYS = 120


def register_format() -> str:
    return str(getattr(settings, "TONGBAN_INCOMING_REGISTER_FORMAT", DEFAULT_REGISTER_FORMAT))


def format_register_no(*, year: int, serial: int, unit_short: str = "", unit_code: str = "") -> str:
    return register_format().format(year=year, serial=serial, unit=unit_short, code=unit_code)


def format_date(d: date | None) -> str:
    """``2026年7月1日``: no leading zeros (GB/T 9704 7.3.5.1)."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"
