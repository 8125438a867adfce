"""The working-day calendar across the 2025 and 2026 holiday schedules, overrides and unknown years."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tongban.core import calendar as workcal
from tongban.core import services
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord, CalendarOverride

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def test_brief_examples_national_day_2025():
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are adjusted working days; 10-01..10-08 off.
    assert workcal.add_workdays(D("2025-09-26"), 5) == D("2025-10-10")
    assert workcal.workdays_between(D("2025-09-26"), D("2025-10-10")) == 5
    assert workcal.add_workdays(D("2025-09-26"), 1) == D("2025-09-28")
    assert workcal.add_workdays(D("2025-09-26"), 6) == D("2025-10-11")
    assert workcal.add_workdays(D("2025-09-30"), 1) == D("2025-10-09")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-01-01", False),  # 元旦
        ("2025-01-26", True),  # Sunday, adjusted workday before 春节
        ("2025-01-28", False),
        ("2025-02-04", False),
        ("2025-02-05", True),
        ("2025-02-08", True),  # Saturday, adjusted
        ("2025-04-27", True),  # Sunday, adjusted before 劳动节
        ("2025-05-05", False),
        ("2025-09-28", True),
        ("2025-10-08", False),
        ("2025-10-11", True),
        ("2025-10-12", False),  # plain Sunday
        ("2026-01-02", False),
        ("2026-01-04", True),  # Sunday, adjusted after 元旦
        ("2026-02-14", True),  # Saturday, adjusted before 春节
        ("2026-02-15", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday, adjusted after 春节
        ("2026-09-20", True),  # Sunday, adjusted before 国庆
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday, adjusted after 国庆
        ("2026-10-11", False),
    ],
)
def test_is_workday_2025_2026(day, expected):
    assert workcal.is_workday(D(day)) is expected


def test_spring_festival_2026():
    # Friday 2026-02-13: next working days are Sat 02-14 (adjusted), then 02-24 after the holiday.
    assert workcal.add_workdays(D("2026-02-13"), 1) == D("2026-02-14")
    assert workcal.add_workdays(D("2026-02-13"), 2) == D("2026-02-24")
    assert workcal.add_workdays(D("2026-02-13"), 5) == D("2026-02-27")
    assert workcal.add_workdays(D("2026-02-13"), 6) == D("2026-02-28")
    assert workcal.workdays_between(D("2026-02-13"), D("2026-03-02")) == 7


def test_national_day_2026_and_20_working_days():
    # 2026-09-18 (Friday): Sun 09-20 is worked, 09-25..27 中秋, 10-01..07 国庆, Sat 10-10 worked.
    assert workcal.add_workdays(D("2026-09-18"), 1) == D("2026-09-20")
    assert workcal.add_workdays(D("2026-09-24"), 1) == D("2026-09-28")
    assert workcal.add_workdays(D("2026-09-30"), 1) == D("2026-10-08")
    assert workcal.add_workdays(D("2026-10-09"), 1) == D("2026-10-10")
    # 行政许可法 Art. 42: 20 working days from acceptance on 2026-09-18
    # 09-20..24 (5), 09-28..30 (8), 10-08..10 (11), 10-12..16 (16), 10-19..22 (20)
    assert workcal.add_workdays(D("2026-09-18"), 20) == D("2026-10-22")


def test_start_on_non_working_day_counts_from_next_working_day():
    # Saturday 2025-03-08: day 1 is Monday 03-10.
    assert workcal.add_workdays(D("2025-03-08"), 1) == D("2025-03-10")
    assert workcal.add_workdays(D("2025-03-09"), 1) == D("2025-03-10")
    # Received during the 2025 National Day holiday: day 1 is 10-09.
    assert workcal.add_workdays(D("2025-10-03"), 1) == D("2025-10-09")
    assert workcal.workdays_between(D("2025-10-03"), D("2025-10-09")) == 1


def test_zero_and_negative_n():
    assert workcal.add_workdays(D("2025-10-04"), 0) == D("2025-10-04")
    assert workcal.add_workdays(D("2025-10-10"), -1) == D("2025-10-09")
    assert workcal.add_workdays(D("2025-10-09"), -1) == D("2025-09-30")
    assert workcal.add_workdays(D("2025-10-09"), -4) == D("2025-09-26")
    assert workcal.add_workdays(D("2025-10-05"), -1) == D("2025-09-30")  # from a holiday
    assert workcal.workdays_between(D("2025-10-10"), D("2025-09-26")) == -5
    assert workcal.workdays_between(D("2025-10-10"), D("2025-10-10")) == 0


def test_add_and_between_agree_on_random_dates():
    rng = random.Random(7)
    start = D("2025-01-01")
    for _ in range(500):
        d = start + timedelta(days=rng.randrange(680))  # stays inside 2025-2026 (known years)
        n = rng.randint(1, 30)
        end = workcal.add_workdays(d, n)
        assert workcal.workdays_between(d, end) == n
        assert workcal.is_workday(end)
        if workcal.is_workday(d):
            assert workcal.add_workdays(end, -n) == d


def test_unknown_year_falls_back_to_weekends_and_warns():
    assert not workcal.year_is_known(2031)
    assert workcal.year_is_known(2026)
    with pytest.warns(workcal.CalendarFallbackWarning, match="2031"):
        assert workcal.add_workdays(D("2031-10-03"), 1) == D("2031-10-06")  # Fri -> Mon, no 国庆 data
    with pytest.warns(workcal.CalendarFallbackWarning):
        assert workcal.is_workday(D("2031-10-01"))  # a Wednesday, unknown holiday
    with pytest.warns(workcal.CalendarFallbackWarning):
        assert workcal.workdays_between(D("2031-01-03"), D("2031-01-10")) == 5


def test_years_missing_schedule():
    assert workcal.years_missing_schedule(D("2026-11-28")) == [2027]
    assert workcal.years_missing_schedule(D("2025-06-01")) == []
    assert workcal.years_missing_schedule(D("2030-06-01")) == [2030, 2031]


def test_out_of_range_is_refused_clearly():
    with pytest.raises(TongbanError) as exc:
        workcal.add_workdays(D("1999-12-31"), 1)
    assert "超出工作日历范围" in str(exc.value)


def test_overrides_change_counting_and_are_audited(system_admin):
    # An extra holiday on Monday 2025-10-13 (e.g. a local emergency) and a worked Sunday 10-19.
    assert workcal.add_workdays(D("2025-10-10"), 2) == D("2025-10-13")
    services.calendar_override_set(actor=system_admin, day=D("2025-10-13"), kind="holiday", reason="防汛停工")
    assert not workcal.is_workday(D("2025-10-13"))
    assert workcal.add_workdays(D("2025-10-10"), 2) == D("2025-10-14")
    services.calendar_override_set(actor=system_admin, day=D("2025-10-19"), kind="workday", reason="补班")
    assert workcal.is_workday(D("2025-10-19"))
    assert workcal.workdays_between(D("2025-10-17"), D("2025-10-20")) == 2
    rec = AuditRecord.objects.filter(event="calendar.override_set").order_by("seq").first()
    assert rec.old is None and rec.new["kind"] == "holiday" and rec.actor_name == "sysadmin"

    # Changing the kind records old and new; removing restores chinesecalendar's answer.
    services.calendar_override_set(actor=system_admin, day=D("2025-10-13"), kind="workday", reason="改为上班")
    rec = AuditRecord.objects.filter(event="calendar.override_set").order_by("-seq").first()
    assert rec.old["kind"] == "holiday" and rec.new["kind"] == "workday"
    services.calendar_override_remove(actor=system_admin, day=D("2025-10-19"))
    assert not workcal.is_workday(D("2025-10-19"))
    rec = AuditRecord.objects.get(event="calendar.override_removed")
    assert rec.old["date"] == "2025-10-19" and rec.new is None


def test_override_can_make_a_statutory_holiday_a_workday(system_admin):
    services.calendar_override_set(actor=system_admin, day=D("2025-10-08"), kind="workday")
    assert workcal.add_workdays(D("2025-09-30"), 1) == D("2025-10-08")


def test_overrides_for_an_unknown_year_make_it_known(system_admin):
    assert workcal.years_missing_schedule(D("2026-11-28")) == [2027]
    services.calendar_override_set(actor=system_admin, day=D("2027-01-01"), kind="holiday", reason="元旦")
    assert workcal.year_is_known(2027)
    assert workcal.years_missing_schedule(D("2026-11-28")) == []
    assert not workcal.is_workday(D("2027-01-01"))


def test_other_processes_see_changes_through_the_version_stamp(system_admin, settings):
    settings.TONGBAN_CALENDAR_RECHECK_SECONDS = 0
    assert workcal.is_workday(D("2025-11-03"))
    # Another process writes an override and bumps the stamp; this process only sees the database.
    from django.db.models import F

    from tongban.core.models import CalendarStamp

    CalendarOverride.objects.create(date=D("2025-11-03"), kind="holiday", reason="x")
    CalendarStamp.objects.get_or_create(id=1)
    CalendarStamp.objects.filter(id=1).update(version=F("version") + 1)
    assert not workcal.is_workday(D("2025-11-03"))


def test_only_system_admins_edit_overrides(staff, security_admin, audit_admin):
    for actor in (None, staff, security_admin, audit_admin):
        with pytest.raises(PermissionDenied):
            services.calendar_override_set(actor=actor, day=D("2025-10-13"), kind="holiday")
    assert not CalendarOverride.objects.exists()
    assert not AuditRecord.objects.filter(event__startswith="calendar.").exists()


def test_bad_override_input_refused(system_admin):
    with pytest.raises(TongbanError):
        services.calendar_override_set(actor=system_admin, day=D("2025-10-13"), kind="maybe")
    with pytest.raises(TongbanError):
        services.calendar_override_remove(actor=system_admin, day=D("2025-10-13"))
    assert not CalendarOverride.objects.exists()


def test_year_days_kinds(system_admin):
    services.calendar_override_set(actor=system_admin, day=D("2026-03-02"), kind="holiday", reason="测试")
    days = {d.date: d for d in workcal.year_days(2026)}
    assert len(days) == 365
    assert days[D("2026-02-14")].kind == "adjusted_workday" and days[D("2026-02-14")].name == "春节"
    assert days[D("2026-10-01")].kind == "holiday" and days[D("2026-10-01")].name == "国庆节"
    assert days[D("2026-03-02")].kind == "override_holiday" and not days[D("2026-03-02")].workday
    assert days[D("2026-03-07")].kind == "weekend"
    assert days[D("2026-03-03")].kind == "workday"
