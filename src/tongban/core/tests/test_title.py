"""Browser tabs and screen readers read the page title: “<page> · <site>”."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_page_title_is_page_then_site(client: Any) -> None:
    html = client.get(reverse("identity:login")).content.decode()
    assert f"<title>登录 · {settings.TONGBAN_SITE_NAME}</title>" in html
    user = get_user_model().objects.create_user(username="t1", full_name="张三", password="x")
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    assert f"<title>工作台 · {settings.TONGBAN_SITE_NAME}</title>" in html
