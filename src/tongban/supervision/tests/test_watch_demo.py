"""The watch demo: one sweep over the demo cases and two 整改通知; running it again changes nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tongban.approvals import testing
from tongban.approvals.models import EventKind
from tongban.core.clock import moved_to
from tongban.core.demo import DemoContext
from tongban.supervision import demo_watch
from tongban.supervision.models import LightChange, Rectification, RectificationKind, RectificationStatus

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    w = testing.build_world()
    zj = testing.published_item(w, code="ZJ-1", unit="zjj", name="建设工程规划许可")
    for item in (w.item, w.item, zj):
        with moved_to(date(2026, 11, 2)):
            c = testing.new_case(w, item=item, received_at=datetime(2026, 11, 2, 9))
            testing.event(c, EventKind.ACCEPTED, datetime(2026, 11, 2, 10))
    with moved_to(date(2026, 11, 10)):
        line = demo_watch.seed(DemoContext(usernames=[]))
        assert "2 份整改通知" in line
        assert LightChange.objects.count() == 3
        notices = Rectification.objects.filter(kind=RectificationKind.NOTICE)
        assert notices.count() == 2
        assert notices.filter(status=RectificationStatus.REPLIED).count() == 1
        assert Rectification.objects.filter(kind=RectificationKind.YELLOW).count() == 3
        demo_watch.seed(DemoContext(usernames=[]))
    assert LightChange.objects.count() == 3 and Rectification.objects.count() == 5
