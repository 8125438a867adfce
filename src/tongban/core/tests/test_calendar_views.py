"""/calendar/: everyone logged in looks; only system administrators change overrides."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tongban.core import calendar as workcal
from tongban.core.models import AuditRecord, CalendarOverride

pytestmark = pytest.mark.django_db
SET = reverse("core:calendar_override_set")
REMOVE = reverse("core:calendar_override_remove")


@pytest.fixture
def november_2026(monkeypatch):
    monkeypatch.setattr(workcal.timezone, "localdate", lambda: date(2026, 11, 28))


def test_anonymous_goes_to_login_and_changes_nothing(client):
    r = client.get(reverse("core:calendar"))
    assert r.status_code == 302 and reverse("identity:login") in r["Location"]
    r = client.post(SET, {"date": "2025-10-13", "kind": "holiday", "reason": "x"})
    assert r.status_code == 302 and reverse("identity:login") in r["Location"]
    assert not CalendarOverride.objects.exists()


def test_staff_sees_year_view_without_edit_controls(client, staff, november_2026):
    client.force_login(staff)
    r = client.get(reverse("core:calendar"), {"year": 2026})
    assert r.status_code == 200
    html = r.content.decode()
    assert "2026 年工作日历" in html
    assert 'data-date="2026-02-14" data-kind="adjusted_workday"' in html
    assert 'data-date="2026-10-01" data-kind="holiday"' in html
    assert SET not in html
    assert "请录入" not in html  # the warning is for administrators


@pytest.mark.parametrize("role", ["staff", "security_admin", "audit_admin"])
def test_non_system_admins_cannot_change_overrides(client, role, request, system_admin):
    from tongban.core import services

    services.calendar_override_set(actor=system_admin, day=date(2025, 10, 13), kind="holiday", reason="原因")
    before = AuditRecord.objects.count()
    client.force_login(request.getfixturevalue(role))
    assert client.post(SET, {"date": "2025-10-14", "kind": "holiday", "reason": "x"}).status_code == 403
    assert client.post(REMOVE, {"date": "2025-10-13"}).status_code == 403
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [date(2025, 10, 13)]
    assert AuditRecord.objects.count() == before


def test_system_admin_adds_and_removes_override(client, system_admin, november_2026):
    client.force_login(system_admin)
    page = client.get(reverse("core:calendar"), {"year": 2025}).content.decode()
    assert "请录入 2027 年节假日安排" in page
    r = client.post(SET, {"date": "2025-10-13", "kind": "holiday", "reason": "防汛"})
    assert r.status_code == 302 and r["Location"].endswith("?year=2025")
    assert CalendarOverride.objects.get(date=date(2025, 10, 13)).kind == "holiday"
    assert not workcal.is_workday(date(2025, 10, 13))
    page = client.get(reverse("core:calendar"), {"year": 2025}).content.decode()
    assert 'data-date="2025-10-13" data-kind="override_holiday"' in page
    assert "防汛" in page
    rec = AuditRecord.objects.get(event="calendar.override_set")
    assert rec.actor_id == system_admin.pk and rec.new["reason"] == "防汛"

    r = client.post(REMOVE, {"date": "2025-10-13"})
    assert r.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert workcal.is_workday(date(2025, 10, 13))
    assert AuditRecord.objects.filter(event="calendar.override_removed").count() == 1


def test_entering_next_year_removes_the_warning(client, system_admin, november_2026):
    client.force_login(system_admin)
    client.post(SET, {"date": "2027-01-01", "kind": "holiday", "reason": "元旦"})
    assert "请录入" not in client.get(reverse("core:calendar")).content.decode()


def test_bad_form_input_changes_nothing(client, system_admin):
    client.force_login(system_admin)
    r = client.post(SET, {"date": "2025-13-40", "kind": "holiday"}, follow=True)
    assert "请填写正确的日期" in r.content.decode()
    r = client.post(SET, {"date": "2025-10-13", "kind": "sometimes"}, follow=True)
    assert r.status_code == 200
    assert not CalendarOverride.objects.exists()
    assert not AuditRecord.objects.filter(event__startswith="calendar.").exists()


def test_user_text_is_escaped(client, system_admin):
    client.force_login(system_admin)
    client.post(SET, {"date": "2025-10-13", "kind": "holiday", "reason": "<script>alert(1)</script>"})
    html = client.get(reverse("core:calendar"), {"year": 2025}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_nav_shows_calendar_to_everyone_and_audit_only_to_audit_admin(client, staff, audit_admin):
    client.force_login(staff)
    html = client.get(reverse("core:home")).content.decode()
    assert "工作日历" in html and reverse("core:audit_log") not in html
    client.force_login(audit_admin)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("core:audit_log") in html and "工作日历" in html
