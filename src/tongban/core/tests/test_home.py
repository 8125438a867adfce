"""The workbench: panels registered by the domains, and the calendar warning for administrators."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tongban.core import home

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(username="home_user", full_name="王五", password="x")


def test_workbench_shows_registered_panels(client, staff):
    client.force_login(staff)
    body = client.get(reverse("core:home")).content.decode()
    assert 'id="panel-notify"' in body and "最新消息" in body
    assert 'id="panel-orgs"' in body and "我的单位与职务" in body


def test_a_panel_whose_context_is_none_is_hidden(client, staff):
    home.register(home.HomePanel(key="zz_hidden", template="notify/_home_panel.html", context=lambda r: None))
    try:
        client.force_login(staff)
        assert 'id="panel-zz_hidden"' not in client.get(reverse("core:home")).content.decode()
    finally:
        home._PANELS.pop("zz_hidden")


def test_missing_calendar_year_is_shown_to_system_admin_only(client, staff, monkeypatch):
    from tongban.core import calendar as workcal

    monkeypatch.setattr(workcal, "years_missing_schedule", lambda today=None: [2031])
    client.force_login(staff)
    assert "2031" not in client.get(reverse("core:home")).content.decode()
    admin = get_user_model().objects.create_user(
        username="sys", full_name="系统", password="x", admin_role="system"
    )
    client.force_login(admin)
    assert "请录入 2031 年节假日安排" in client.get(reverse("core:home")).content.decode()
