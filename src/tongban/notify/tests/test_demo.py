"""seed_demo runs the notify demo hook: welcome and key reminders for every demo account, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from tongban.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def test_seed_demo_sends_demo_messages_once(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--staff", "60", stdout=out)
    assert "演示消息：新增 16 条" in out.getvalue()  # 8 demo accounts × 2 messages
    clerk_titles = set(Notification.objects.filter(user__username="clerk").values_list("title", flat=True))
    assert clerk_titles == {"欢迎使用通办县电子政务平台", "请登记您的电子钥匙"}
    # the key reminder goes out by SMS too (the account-security event's default channels)
    assert Delivery.objects.filter(channel="sms", notification__user__username="clerk").exists()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--staff", "60", stdout=out)
    assert "演示消息：新增 0 条" in out.getvalue()
    assert Notification.objects.count() == 16
