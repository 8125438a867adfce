"""Rectification services (整改通知): issue with a working-day deadline, the unit's reply, the
supervisor's close; permissions, bad input, audit and notification."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.approvals import testing
from tongban.core.clock import moved_to
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.notify.models import Notification
from tongban.orgs.models import RoleGrant
from tongban.supervision import rectify
from tongban.supervision import selectors_watch as sel
from tongban.supervision.models import Rectification, RectificationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def _issue(w, **kw) -> Rectification:
    args = {
        "actor": w.users["supervisor"], "county": w.county, "unit": w.units["scj"],
        "text": "请规范一次性告知。", "deadline_days": 5,
    }  # fmt: skip
    args.update(kw)
    return rectify.rectification_issue(**args)


def test_issue_deadline_in_working_days_and_numbered(w):
    # Friday 25 Sep 2026: 5 working days cross the National Day holiday (1–7 Oct; 27 Sep and
    # 10 Oct are working Sundays/Saturdays in the 2026 schedule).
    with moved_to(date(2026, 9, 25)):
        from tongban.core.calendar import add_workdays

        r = _issue(w)
        assert r.deadline == add_workdays(date(2026, 9, 25), 5)
        assert r.deadline > date(2026, 10, 2)
        r2 = _issue(w, unit=w.units["zjj"])
    assert r.number == "青山监改〔2026〕1号" and r2.number == "青山监改〔2026〕2号"
    assert r.status == RectificationStatus.ISSUED and r.issued_by == w.users["supervisor"]
    note = Notification.objects.get(event="supervision.rectification", user=w.users["scj_leader"])
    assert r.number in note.title
    assert AuditRecord.objects.filter(event="supervision.rectification_issued").count() == 2


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"text": " "}, "supervision.text_required"),
        ({"deadline_days": 0}, "supervision.bad_deadline"),
        ({"deadline_days": 61}, "supervision.bad_deadline"),
    ],
)
def test_issue_bad_input_changes_nothing(w, kw, code):
    with pytest.raises(TongbanError) as exc:
        _issue(w, **kw)
    assert exc.value.code == code
    assert (
        not Rectification.objects.exists()
        and not AuditRecord.objects.filter(event__startswith="supervision").exists()
    )


def test_issue_about_another_units_case_refused(w):
    case = testing.new_case(w)
    with pytest.raises(TongbanError) as exc:
        _issue(w, unit=w.units["zjj"], case=case)
    assert exc.value.field == "case"
    r = _issue(w, case=case)
    assert r.case == case


def test_reply_by_unit_heads_only_then_close(w):
    r = _issue(w)
    for who in ("handler", "zj_leader", "supervisor", "outsider"):
        with pytest.raises(PermissionDenied):
            rectify.rectification_reply(actor=w.users[who], rectification=r, reply="x")
    r.refresh_from_db()
    assert r.status == RectificationStatus.ISSUED and r.reply == ""
    with pytest.raises(TongbanError):
        rectify.rectification_reply(actor=w.users["scj_leader"], rectification=r, reply=" ")
    # An office head (办公室主任) of the unit may reply too.
    RoleGrant.objects.create(
        county=w.county, user=w.users["scj_staff"], unit=w.units["scj"], role="office_head"
    )
    r = rectify.rectification_reply(actor=w.users["scj_staff"], rectification=r, reply="已整改完毕。")
    assert r.status == RectificationStatus.REPLIED and r.replied_by == w.users["scj_staff"]
    assert (
        Notification.objects.filter(event="supervision.rectification", user=w.users["supervisor"]).count()
        == 1
    )
    r = rectify.rectification_close(actor=w.users["supervisor"], rectification=r, note="")
    assert r.status == RectificationStatus.CLOSED
    with pytest.raises(TongbanError):
        rectify.rectification_reply(actor=w.users["scj_leader"], rectification=r, reply="再补充")
    with pytest.raises(TongbanError):
        rectify.rectification_close(actor=w.users["supervisor"], rectification=r, note="x")
    events = sorted(
        AuditRecord.objects.filter(object_id=str(r.pk), event__startswith="supervision.").values_list(
            "event", flat=True
        )
    )
    assert events == [
        "supervision.rectification_closed",
        "supervision.rectification_issued",
        "supervision.rectification_replied",
    ]


def test_closing_unanswered_notice_needs_a_note(w):
    r = _issue(w)
    with pytest.raises(TongbanError) as exc:
        rectify.rectification_close(actor=w.users["supervisor"], rectification=r, note="")
    assert exc.value.field == "note"
    assert (
        rectify.rectification_close(actor=w.users["supervisor"], rectification=r, note="已电话督办").status
        == "closed"
    )


def test_visibility(w):
    r = _issue(w)
    other = _issue(w, unit=w.units["zjj"])
    assert set(sel.rectifications_for(w.users["supervisor"])) == {r, other}
    assert list(sel.rectifications_for(w.users["scj_leader"])) == [r]
    assert sel.access_rectification(r.pk, w.users["scj_leader"]) == r
    with pytest.raises(PermissionDenied):
        sel.access_rectification(other.pk, w.users["scj_leader"])
    for who in ("handler", "outsider"):
        with pytest.raises(PermissionDenied):
            sel.rectifications_for(w.users[who])
        with pytest.raises(PermissionDenied):
            sel.access_rectification(r.pk, w.users[who])
    assert sel.open_rectifications_for_unit_head(w.users["scj_leader"]) == 1
