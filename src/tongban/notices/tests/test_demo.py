from __future__ import annotations

import pytest

from tongban.core.demo import DemoContext
from tongban.notices import demo
from tongban.notices.models import Notice, NoticeReceipt, NoticeStatus
from tongban.orgs.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def test_demo_notices_are_published_read_and_idempotent(accounts):
    ctx = DemoContext(usernames=[a[1] for a in DEMO_ACCOUNTS])
    assert "3" in demo.seed(ctx)
    notices = Notice.objects.all()
    assert notices.count() == 3 and set(notices.values_list("status", flat=True)) == {NoticeStatus.PUBLISHED}
    assert notices.filter(whole_county=True).count() == 2
    assert notices.filter(unit__short_name="政府办").count() == 3
    ul = accounts["unitleader"]
    assert NoticeReceipt.objects.filter(user=ul, read_at__isnull=False).exists()
    assert NoticeReceipt.objects.filter(user=ul, confirmed_at__isnull=False).count() == 1
    assert NoticeReceipt.objects.filter(read_at__isnull=True).exists()  # some unread
    assert "0" in demo.seed(ctx)
    assert Notice.objects.count() == 3
