"""Shared fixtures and helpers of the feedback tests (complaints, follow-ups, performance)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tongban.approvals import hooks
from tongban.approvals.models import Case, CaseRating, CaseStatus
from tongban.approvals.testing import ApprovalWorld, build_world, new_case
from tongban.core import calendar as workcal
from tongban.identity import public
from tongban.identity.models import PublicAccount

# Who is asked in the authorization matrices: anonymous, a handler, the head of another unit, a
# citizen's public session and the supervisor (plus the unit head of the unit concerned).
ROLES = ("anonymous", "handler", "other_head", "citizen", "supervisor", "unit_head")


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    cache.clear()
    workcal.invalidate()
    yield
    cache.clear()
    workcal.invalidate()


@pytest.fixture
def w(db: Any) -> ApprovalWorld:
    return build_world()


def citizen_client(account: PublicAccount) -> Client:
    c = Client()
    session = c.session
    session[public.SESSION_KEY] = account.pk
    session[public.SESSION_HASH] = public._hash(account)
    session.save()
    c.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    return c


def client_for(w: ApprovalWorld, role: str) -> Client:
    """A client logged in as ``role`` (see ROLES)."""
    if role == "anonymous":
        return Client()
    if role == "citizen":
        assert w.citizen is not None
        return citizen_client(w.citizen)
    username = {
        "handler": "handler",
        "other_head": "zj_leader",
        "supervisor": "supervisor",
        "unit_head": "scj_leader",
    }[role]
    c = Client()
    c.force_login(w.users[username])
    return c


def finished_case(w: ApprovalWorld, **fields: Any) -> Case:
    case = new_case(w)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED, is_open=False, **fields)
    case.refresh_from_db()
    return case


def rate(case: Case, level: int, *, named: bool = True, comment: str = "") -> CaseRating:
    """Store a rating the way applying.case_rate does: in one transaction with the listeners."""
    with transaction.atomic():
        rating = CaseRating.objects.create(
            case=case,
            level=level,
            efficiency=level,
            guide_accuracy=level,
            convenience=level,
            operability=level,
            comment=comment,
            named=named,
            unit=case.unit,
        )
        hooks.rating_created(rating)
    return rating
