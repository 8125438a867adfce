"""Deadlines of requests for government information with exact dates across real holidays (2026
中秋 09-25, 国庆 10-01..10-07 with 09-20 and 10-10 worked, 春节 02-15..02-23 with 02-14 and 02-28
worked, 劳动节 05-01..05-05 with 05-09 worked), and the fee tables of 国办函〔2020〕109号."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tongban.core.clock import moved_to
from tongban.core.errors import TongbanError
from tongban.interaction import disclosure as svc
from tongban.interaction import disclosure_clock as dclock
from tongban.interaction.disclosure_fees import fee_for
from tongban.interaction.models import DisclosureRequest
from tongban.interaction.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "count", "fee"),
    [
        ("request", 1, "0"), ("request", 10, "0"), ("request", 11, "100"), ("request", 30, "100"),
        ("request", 31, "200"), ("request", 40, "200"), ("request", 41, "300"), ("request", 50, "300"),
        ("request", 51, "400"), ("page", 1, "0"), ("page", 30, "0"), ("page", 31, "10"),
        ("page", 100, "700"), ("page", 101, "720"), ("page", 200, "2700"), ("page", 201, "2740"),
        ("page", 250, "4700"),
    ],
)  # fmt: skip
def test_fee_table(method, count, fee):
    assert fee_for(method, count) == Decimal(fee)


@pytest.mark.parametrize(("method", "count"), [("weight", 3), ("page", 0), ("request", -1), ("page", True)])
def test_fee_bad_input(method, count):
    with pytest.raises(TongbanError):
        fee_for(method, count)


@pytest.fixture
def w():
    return build_world()


def _submit(w, **kw) -> DisclosureRequest:
    data = dict(
        county=w.county, organ_id=w.units["scj"].pk, applicant_type="person", name="张明",
        id_number="33010219800101123X", phone="13800000001", description="2025年食品抽检结果",
    )  # fmt: skip
    data.update(kw)
    return svc.submit(**data)


def _fresh(req):
    return DisclosureRequest.objects.get(pk=req.pk)


def test_received_on_a_holiday_counts_from_the_next_working_day(w):
    with moved_to(date(2026, 9, 25)):  # 中秋, a Friday
        req = _submit(w)
    req = _fresh(req)
    assert req.received_on == date(2026, 9, 25)
    assert req.supplement_due_on == date(2026, 10, 12)  # 7 working days: 09-28..09-30, 10-08..10-10, 10-12
    assert req.due_on == date(2026, 10, 29)
    assert req.status == "received"


def test_supplement_restarts_the_clock_and_only_once(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 9, 25)):
        req = _submit(w)
    with moved_to(date(2026, 10, 12)):  # the last day for a 补正 notice
        svc.ask_supplement(req, actor=officer, text="请写明文件名称和年份")
    req = _fresh(req)
    assert req.status == "supplement" and req.due_on is None
    st = dclock.compute(req, req.events.all(), date(2026, 10, 12))
    assert st.supplement_reply_due == date(2026, 11, 2)
    with moved_to(date(2026, 10, 16)):
        svc.supplement(req, text="2025年第三季度食品安全抽检公告")
    req = _fresh(req)
    assert req.clock_start_on == date(2026, 10, 16)
    assert req.due_on == date(2026, 11, 13)
    with moved_to(date(2026, 10, 19)), pytest.raises(TongbanError) as exc:
        svc.ask_supplement(req, actor=officer, text="再补充")
    assert exc.value.code in (
        "interaction.disclosure_supplement_once",
        "interaction.disclosure_supplement_late",
    )
    assert req.events.filter(kind="supplement_asked").count() == 1


def test_supplement_notice_later_than_7_working_days_is_refused(w):
    with moved_to(date(2026, 9, 25)):
        req = _submit(w)
    with moved_to(date(2026, 10, 13)), pytest.raises(TongbanError) as exc:
        svc.ask_supplement(req, actor=w.users["scj_disclosure"], text="请写明文件名称")
    assert exc.value.code == "interaction.disclosure_supplement_late"
    req = _fresh(req)
    assert req.status == "received" and not req.events.filter(kind="supplement_asked").exists()


def test_second_supplement_notice_refused_even_within_7_days(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 9, 28)):
        req = _submit(w)
        svc.ask_supplement(req, actor=officer, text="请写明文件名称")
        svc.supplement(_fresh(req), text="补正")
        with pytest.raises(TongbanError) as exc:
            svc.ask_supplement(_fresh(req), actor=officer, text="again")
    assert exc.value.code == "interaction.disclosure_supplement_once"


def test_no_supplement_in_time_closes_as_other_no_supplement(w):
    with moved_to(date(2026, 9, 25)):
        req = _submit(w)
    with moved_to(date(2026, 10, 12)):
        svc.ask_supplement(req, actor=w.users["scj_disclosure"], text="请写明文件名称")
    assert svc.lapse_due(date(2026, 11, 2)) == (0, 0)  # the last day of the period
    assert svc.lapse_due(date(2026, 11, 3)) == (1, 0)
    req = _fresh(req)
    assert (req.status, req.outcome, req.outcome_reason, req.answered_on) == (
        "closed",
        "other",
        "no_supplement",
        date(2026, 11, 3),
    )
    with moved_to(date(2026, 11, 3)), pytest.raises(TongbanError):
        svc.supplement(req, text="晚了")


def test_consultation_is_not_counted(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 9, 18)):
        req = _submit(w)
        svc.confirm(req, actor=officer)
    assert _fresh(req).due_on == date(2026, 10, 22)
    with moved_to(date(2026, 9, 29)):
        svc.start_consult(_fresh(req), actor=officer, third_party="青山县好味餐饮有限公司")
    req = _fresh(req)
    assert req.status == "consulting" and req.due_on is None
    st = dclock.compute(req, req.events.all(), date(2026, 9, 29))
    assert st.consult_due == date(2026, 10, 26)
    with moved_to(date(2026, 10, 14)):
        svc.end_consult(req, actor=officer, note="第三方不同意公开其商业秘密部分")
    req = _fresh(req)
    # 7 working days excluded: 09-30, 10-08, 10-09, 10-10, 10-12, 10-13, 10-14
    assert req.due_on == date(2026, 11, 2)


def test_extension_once_up_to_20_across_spring_festival(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 2, 6)):
        req = _submit(w)
        svc.confirm(req, actor=officer)
    assert _fresh(req).due_on == date(2026, 3, 12)  # 02-14 and 02-28 worked, 02-16..02-23 off
    with moved_to(date(2026, 3, 10)):
        with pytest.raises(TongbanError) as exc:
            svc.extend(_fresh(req), actor=officer, days=21, reason="需要调取档案")
        assert exc.value.code == "interaction.disclosure_extend_days"
        with pytest.raises(TongbanError):
            svc.extend(_fresh(req), actor=officer, days=20, reason="")
        svc.extend(_fresh(req), actor=officer, days=20, reason="需要调取档案")
        with pytest.raises(TongbanError) as exc:
            svc.extend(_fresh(req), actor=officer, days=5, reason="再延")
        assert exc.value.code == "interaction.disclosure_extend_once"
    req = _fresh(req)
    assert req.extended and req.due_on == date(2026, 4, 10)  # 04-06 清明 off
    with moved_to(date(2026, 4, 10)):
        svc.answer(req, actor=officer, outcome="disclosed", text="见附件")
    req = _fresh(req)
    assert req.on_time is True and req.answered_on == date(2026, 4, 10)


def test_extension_after_the_due_date_refused_and_late_answer_not_on_time(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 2, 6)):
        req = _submit(w)
    with moved_to(date(2026, 3, 13)):
        with pytest.raises(TongbanError) as exc:
            svc.extend(_fresh(req), actor=officer, days=10, reason="来不及")
        assert exc.value.code == "interaction.disclosure_extend_late"
        svc.answer(_fresh(req), actor=officer, outcome="unavailable", reason="not_held", text="本机关不掌握")
    assert _fresh(req).on_time is False


def test_fee_notice_pauses_the_clock_until_paid(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 4, 27)):
        req = _submit(w)
        svc.confirm(req, actor=officer)
    assert _fresh(req).due_on == date(2026, 5, 27)
    with moved_to(date(2026, 5, 6)):
        with pytest.raises(TongbanError) as exc:
            svc.fee_notice(_fresh(req), actor=officer, method="page", count=30)
        assert exc.value.code == "interaction.disclosure_fee_free"
        svc.fee_notice(_fresh(req), actor=officer, method="page", count=120)
    req = _fresh(req)
    assert req.status == "fee_pending" and req.fee_amount == Decimal("1100.00") and req.due_on is None
    with moved_to(date(2026, 5, 12)):
        svc.fee_paid(req, actor=officer)
    # 5 working days excluded: 05-07, 05-08, 05-09 (worked Saturday), 05-11, 05-12
    assert _fresh(req).due_on == date(2026, 6, 3)


def test_fee_unpaid_in_20_working_days_closes_as_other_fee_unpaid(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 4, 27)):
        req = _submit(w)
        svc.confirm(req, actor=officer)
    with moved_to(date(2026, 5, 6)):
        svc.fee_notice(_fresh(req), actor=officer, method="page", count=40)
    assert svc.lapse_due(date(2026, 6, 2)) == (0, 0)
    assert svc.lapse_due(date(2026, 6, 3)) == (0, 1)
    req = _fresh(req)
    assert (req.status, req.outcome, req.outcome_reason) == ("closed", "other", "fee_unpaid")


def test_fee_per_request_uses_the_applicants_month_ordinal(w):
    officer = w.users["scj_disclosure"]
    with moved_to(date(2026, 6, 1)):
        reqs = [_submit(w, description=f"第{i}件") for i in range(11)]
        for r in reqs:
            svc.confirm(r, actor=officer)
        with pytest.raises(TongbanError):
            svc.fee_notice(_fresh(reqs[9]), actor=officer, method="request")
        svc.fee_notice(_fresh(reqs[10]), actor=officer, method="request")
    assert _fresh(reqs[10]).fee_amount == Decimal("100.00")
