"""Template tag of a leader's profile page: the leader's public entries of the latest published
领导周活动安排 (:func:`tongban.portal.leader_schedule.leader_week`)."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.portal import leader_schedule

register = template.Library()


@register.simple_tag
def leader_week(page: Any) -> leader_schedule.LeaderWeek | None:
    return leader_schedule.leader_week(page)
