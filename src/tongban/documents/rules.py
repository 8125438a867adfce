"""Pure rules of the documents domain: the 发文字号 format, 成文日期, step names, transitions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

# 条例 第九条 (发文字号: 机关代字 + 年份 + 发文顺序号) and GB/T 9704-2012 7.2.3: the year in full in
# 六角括号 〔〕, the serial without leading zeros and without 第, followed by 号 — e.g. 青政发〔2026〕12号.
NUMBER_RE = re.compile(r"^(?P<prefix>[^〔〕\s]+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


def format_number(prefix: str, year: int, serial: int) -> str:
    """``format_number("青政发", 2026, 12) == "青政发〔2026〕12号"`` (第九条; GB/T 9704 7.2.3)."""
    prefix = prefix.strip()
    if not prefix or "〔" in prefix or "〕" in prefix:
        raise ValueError("bad prefix")
    if not 1000 <= int(year) <= 9999:
        raise ValueError("year must have four digits")
    if int(serial) < 1:
        raise ValueError("serial starts at 1")
    return f"{prefix}〔{int(year)}〕{int(serial)}号"


def parse_number(text: str) -> tuple[str, int, int] | None:
    m = NUMBER_RE.match(text.strip())
    if m is None:
        return None
    return m["prefix"], int(m["year"]), int(m["serial"])


def written_date(signoff_dates: Iterable[dt.date]) -> dt.date | None:
    """成文日期 is the sign-off date; for a joint document the LAST signer's date
    (条例 第九条 (十二), 第二十二条)."""
    dates = list(signoff_dates)
    return max(dates) if dates else None


def chinese_date(d: dt.date | None) -> str:
    """``2026年7月1日`` — full year, no leading zeros (GB/T 9704 7.3.5.1)."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


# --- steps of the default outgoing process (documents/processes/outgoing.bpmn) ------------------
STEP_DRAFT = "draft"
STEP_DEPT_REVIEW = "dept_review"
STEP_OFFICE_REVIEW = "office_review"
STEP_COUNTERSIGN = "countersign"
STEP_SIGN = "sign"
STEP_RECHECK = "recheck"
STEP_REGISTER = "register"
STEP_SEAL = "seal"
STEP_ISSUE = "issue"

STEP_NAMES = {
    STEP_DRAFT: _("拟稿"),
    STEP_DEPT_REVIEW: _("部门负责人审核"),
    STEP_OFFICE_REVIEW: _("办公室核稿"),
    STEP_COUNTERSIGN: _("会签"),
    STEP_SIGN: _("领导签发"),
    STEP_RECHECK: _("复核"),
    STEP_REGISTER: _("编号登记"),
    STEP_SEAL: _("用印"),
    STEP_ISSUE: _("核发"),
}

# The step's form (BPMN property ``form``), used when the engine does not report it.
STEP_FORMS = {
    STEP_DRAFT: "documents.draft",
    STEP_DEPT_REVIEW: "documents.review",
    STEP_OFFICE_REVIEW: "documents.office_review",
    STEP_COUNTERSIGN: "documents.countersign",
    STEP_SIGN: "documents.sign",
    STEP_RECHECK: "documents.recheck",
    STEP_REGISTER: "documents.number",
    STEP_SEAL: "documents.seal",
    STEP_ISSUE: "documents.issue",
}

# Steps whose handler may edit the body and elements (before sign-off, and at 复核 which sends a
# substantive change back to the signer — 第二十五条).
EDIT_STEPS = frozenset({STEP_DRAFT, STEP_DEPT_REVIEW, STEP_OFFICE_REVIEW, STEP_RECHECK})

# Which status a document may be in for each operation (the state machine; services do the rest).
FROZEN_STATUSES = frozenset({"numbered", "sealed", "issued", "withdrawn", "archived"})


def can_edit_status(status: str) -> bool:
    return status not in FROZEN_STATUSES


def can_number(status: str) -> bool:
    return status == "signed"


def can_seal(status: str) -> bool:
    return status == "numbered"


def can_issue(status: str) -> bool:
    return status == "sealed"


def can_withdraw(status: str) -> bool:
    return status not in {"issued", "withdrawn", "archived"}


def can_archive(status: str) -> bool:
    return status == "issued"
