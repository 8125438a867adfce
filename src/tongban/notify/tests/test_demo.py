"""seed_demo runs the notify demo hook: welcome and key reminders for every demo account, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from tongban.notify.models import Delivery, Notification
from tongban.orgs.demo import DEMO_ACCOUNTS

DEMO_EVENTS = ["notify.welcome", "identity.security"]  # other domains' demo data notify too

pytestmark = pytest.mark.django_db


def test_seed_demo_sends_demo_messages_once(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--staff", "60", stdout=out)
    assert f"演示消息：新增 {2 * len(DEMO_ACCOUNTS)} 条" in out.getvalue()  # every demo account × 2 messages
    clerk_titles = set(
        Notification.objects.filter(user__username="clerk", event__in=DEMO_EVENTS).values_list(
            "title", flat=True
        )
    )
    assert clerk_titles == {"欢迎使用通办县电子政务平台", "请登记您的电子钥匙"}
    # the key reminder goes out by SMS too (the account-security event's default channels)
    assert Delivery.objects.filter(
        channel="sms", notification__user__username="clerk", notification__event="identity.security"
    ).exists()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--staff", "60", stdout=out)
    assert "演示消息：新增 0 条" in out.getvalue()
    assert Notification.objects.filter(event__in=DEMO_EVENTS).count() == 2 * len(DEMO_ACCOUNTS)
