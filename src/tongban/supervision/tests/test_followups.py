"""Bad-rating follow-ups (差评整改): opened only for 不满意/非常不满意 and exactly once, due in
ClockPolicy.rating_followup_days working days, closed by the unit head with a record; the
follow-up rate; pages and API with their authorization matrix and query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tongban.approvals.models import ClockPolicy
from tongban.core import clock as tclock
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.notify.models import Notification
from tongban.supervision import followups
from tongban.supervision import selectors_feedback as sel
from tongban.supervision.models import FollowUpStatus, RatingFollowUp
from tongban.supervision.tests import test_complaint_support as support
from tongban.supervision.tests.test_complaint_support import client_for, finished_case, rate

pytestmark = pytest.mark.django_db
w, _fresh = support.w, support._fresh  # the shared fixtures

# Tuesday 30 September 2025, before the National Day holiday (1–8 October; Saturday 11 October works).
TUESDAY = date(2025, 9, 30)


@pytest.mark.parametrize(("level", "opened"), [(5, False), (4, False), (3, False), (2, True), (1, True)])
def test_opened_only_for_bad_ratings(w, level, opened):
    rating = rate(finished_case(w), level)
    assert RatingFollowUp.objects.filter(rating=rating).exists() is opened


def test_opened_once_due_in_five_working_days_and_head_told(w, django_capture_on_commit_callbacks):
    with tclock.moved_to(TUESDAY), django_capture_on_commit_callbacks(execute=True):
        rating = rate(finished_case(w), 1, comment="太慢")
    fu = RatingFollowUp.objects.get()
    # 9, 10, 11 (Sat, workday), 13, 14 October
    assert fu.due_on == date(2025, 10, 14)
    assert fu.unit == w.units["scj"] and fu.status == FollowUpStatus.OPEN
    assert followups.followup_open(rating=rating) == fu  # a second call: the same one
    assert RatingFollowUp.objects.count() == 1
    assert (
        Notification.objects.filter(user=w.users["scj_leader"], event="supervision.followup_opened").count()
        == 1
    )
    assert AuditRecord.objects.filter(event="supervision.followup_opened").count() == 1


def test_due_days_are_a_setting(w):
    ClockPolicy.objects.update_or_create(id=1, defaults={"rating_followup_days": 2})
    with tclock.moved_to(TUESDAY):
        rate(finished_case(w), 2)
    assert RatingFollowUp.objects.get().due_on == date(2025, 10, 10)


def test_closing_rules(w):
    with tclock.moved_to(TUESDAY):
        rate(finished_case(w), 2)
    fu = RatingFollowUp.objects.get()
    head = w.users["scj_leader"]
    for name in ("supervisor", "zj_leader", "handler", "outsider"):
        with pytest.raises(PermissionDenied):
            followups.followup_close(followup=fu, actor=w.users[name], fixed="x", contact="y")
    with pytest.raises(TongbanError) as e:
        followups.followup_close(followup=fu, actor=head, fixed=" ", contact="y")
    assert e.value.field == "fixed"
    with pytest.raises(TongbanError) as e:
        followups.followup_close(followup=fu, actor=head, fixed="x", contact="")
    assert e.value.field == "contact"
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.OPEN and (fu.fixed, fu.contact) == ("", "")
    with tclock.moved_to(date(2025, 10, 15)):
        assert sel.followup_overdue(fu)
        fu = followups.followup_close(followup=fu, actor=head, fixed="已优化流程", contact="已电话致歉")
    assert fu.status == FollowUpStatus.CLOSED and fu.closed_by == head
    fu.refresh_from_db()
    assert (fu.fixed, fu.contact) == ("已优化流程", "已电话致歉")
    assert fu.record == ""  # the old combined text is no longer written
    rec = AuditRecord.objects.get(event="supervision.followup_closed")
    assert rec.new["late"] is True
    with pytest.raises(TongbanError) as e:
        followups.followup_close(followup=fu, actor=head, fixed="再次", contact="再次")
    assert e.value.code == "supervision.followup_closed"


def test_follow_up_rate_counts_named_bad_ratings(w):
    head = w.users["scj_leader"]
    a = rate(finished_case(w), 1)
    rate(finished_case(w), 2)
    rate(finished_case(w), 2, named=False)
    rate(finished_case(w), 5)
    sup = w.users["supervisor"]
    r = sel.followup_rate(sup)
    assert (r.named_bad, r.followed, r.rate) == (2, 0, 0.0)
    followups.followup_close(followup=a.followup, actor=head, fixed="x", contact="y")
    r = sel.followup_rate(sup)
    assert (r.named_bad, r.followed, r.rate) == (2, 1, 50.0)
    assert sel.followup_rate(w.users["zj_leader"]).rate is None


@pytest.mark.parametrize(
    ("role", "listed", "detail", "close"),
    [
        ("anonymous", 302, 302, 302),
        ("citizen", 302, 302, 302),
        ("handler", 403, 403, 403),
        ("other_head", 200, 404, 404),
        ("supervisor", 200, 200, 403),
        ("unit_head", 200, 200, 302),
    ],
)
def test_pages_matrix(w, role, listed, detail, close):
    rating = rate(finished_case(w), 2)
    fu = rating.followup
    client = client_for(w, role)
    r = client.get(reverse("supervision:followups"))
    assert r.status_code == listed
    if listed == 200:
        assert (f'data-followup="{fu.pk}"' in r.content.decode()) is (role != "other_head")
    assert client.get(reverse("supervision:followup", args=[fu.pk])).status_code == detail
    r = client.post(reverse("supervision:followup", args=[fu.pk]), {"fixed": "已整改", "contact": "已回访"})
    assert r.status_code == close
    fu.refresh_from_db()
    assert (fu.status == FollowUpStatus.CLOSED) is (role == "unit_head")


def test_detail_page_shows_fixed_and_contact(w):
    fu = rate(finished_case(w), 2).followup
    r = client_for(w, "unit_head").post(
        reverse("supervision:followup", args=[fu.pk]), {"fixed": "已优化<流程>", "contact": "已电话回访"}
    )
    assert r.status_code == 302
    fu.refresh_from_db()
    assert (fu.fixed, fu.contact, fu.record) == ("已优化<流程>", "已电话回访", "")
    html = client_for(w, "supervisor").get(reverse("supervision:followup", args=[fu.pk])).content.decode()
    assert '<p class="text-break" style="white-space: pre-wrap" id="fu-fixed">已优化&lt;流程&gt;</p>' in html
    assert "已电话回访" in html


def test_close_form_errors_shown(w):
    fu = rate(finished_case(w), 2).followup
    r = client_for(w, "unit_head").post(
        reverse("supervision:followup", args=[fu.pk]), {"fixed": "", "contact": ""}
    )
    assert r.status_code == 400
    assert "这个字段是必填项" in r.content.decode() or "required" in r.content.decode()
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.OPEN


def test_nav_badge_for_unit_heads(w):
    rate(finished_case(w), 2)
    rate(finished_case(w), 1)
    assert sel.followups_badge(w.users["scj_leader"]) == 2
    assert sel.followups_badge(w.users["zj_leader"]) == 0
    assert sel.followups_badge(w.users["handler"]) == 0
    r = client_for(w, "unit_head").get(reverse("supervision:followups"))
    assert "差评整改" in r.content.decode()


def test_list_query_count_does_not_grow(w, django_assert_max_num_queries):
    client = client_for(w, "supervisor")
    for _i in range(2):
        rate(finished_case(w), 2)
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("supervision:followups"))
    for _i in range(12):
        rate(finished_case(w), 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(reverse("supervision:followups"))
    assert r.content.decode().count("data-followup=") == 14


@pytest.mark.parametrize(
    ("role", "status", "count"),
    [
        ("anonymous", 401, None),
        ("citizen", 401, None),
        ("handler", 403, None),
        ("other_head", 200, 0),
        ("supervisor", 200, 1),
        ("unit_head", 200, 1),
    ],
)
def test_api_list_matrix(w, role, status, count):
    rate(finished_case(w), 2)
    r = client_for(w, role).get("/api/v1/followups/")
    assert r.status_code == status
    if count is not None:
        assert r.json()["count"] == count


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("citizen", 401),
        ("handler", 403),
        ("other_head", 404),
        ("supervisor", 403),
        ("unit_head", 200),
    ],
)
def test_api_close_matrix(w, role, status):
    fu = rate(finished_case(w), 2).followup
    r = client_for(w, role).post(
        f"/api/v1/followups/{fu.pk}/close",
        {"fixed": "已整改", "contact": "已回访"},
        content_type="application/json",
    )
    assert r.status_code == status
    fu.refresh_from_db()
    assert (fu.status == FollowUpStatus.CLOSED) is (status == 200)
    if status == 200:
        assert r.json()["fixed"] == "已整改" and r.json()["status"] == "closed"


def test_api_close_bad_input(w):
    fu = rate(finished_case(w), 2).followup
    r = client_for(w, "unit_head").post(
        f"/api/v1/followups/{fu.pk}/close", {"fixed": "", "contact": "x"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["code"] == "supervision.fixed_required"


def test_nav_entries(w):
    from tongban.core import nav

    rate(finished_case(w), 2)

    def entries(user):
        return {(str(i["section"]), str(i["label"])): i["badge"] for i in nav.items_for(user)}

    sup = entries(w.users["supervisor"])
    for label in ("投诉处理", "差评整改", "绩效考核"):
        assert ("电子监察", label) in sup
    assert sup[("电子监察", "差评整改")] == 1
    head = entries(w.users["scj_leader"])
    assert head[("网上审批", "差评整改")] == 1
    assert ("电子监察", "差评整改") not in head
    assert not any(label in ("投诉处理", "差评整改", "绩效考核") for _s, label in entries(w.users["handler"]))
