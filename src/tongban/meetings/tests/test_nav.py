"""The 会议 navigation: one query per page for every entry and the badge, and the same answers as
the selectors the pages use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongban.identity.models import User
from tongban.meetings import schedules_selectors, selectors
from tongban.meetings.testing import build_world, make_meeting
from tongban.meetings.views_video import is_venue_terminal

pytestmark = pytest.mark.django_db


def test_nav_facts_match_the_selectors_in_one_query() -> None:
    w = build_world()
    now = timezone.now()
    make_meeting(w, title="今天的会", starts_at=now + timedelta(hours=1))  # today, notified
    make_meeting(w, title="下周的会", starts_at=now + timedelta(days=7), venues=("hall2",), people=())
    for key in (
        "organiser",
        "scheduler",
        "county_head",
        "deputy",
        "secretary",
        "scj_clerk",
        "qs_terminal",
        "outsider",
    ):
        user = User.objects.get(username=key)
        with CaptureQueriesContext(connection) as ctx:
            facts = selectors.nav_facts(user)
            again = selectors.nav_facts(user)
        assert len(ctx.captured_queries) == 1, key
        assert again is facts
        fresh = User.objects.get(pk=user.pk)
        assert facts.badge == selectors.nav_badge(fresh), key
        assert facts.organiser == selectors.is_organiser(fresh), key
        assert facts.schedules == schedules_selectors.uses_schedules(fresh), key
        assert facts.terminal == is_venue_terminal(fresh), key
    scj_clerk = User.objects.get(username="scj_clerk")
    assert selectors.nav_facts(scj_clerk).badge == 2  # two units' 回执 owed (scj invited twice)
    deputy = User.objects.get(username="deputy")
    assert selectors.nav_facts(deputy).badge == 1  # today's meeting
    assert selectors.nav_facts(User.objects.get(username="organiser")).organiser is True
    assert selectors.nav_facts(User.objects.get(username="outsider")).badge == 0
