"""Pages: inbox boxes with counts and constant queries, item operations through POST, delegation
and definitions pages, with authorization matrices (nothing happens for refused requests)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.workflow import selectors as wfs
from tongban.workflow import services as wf
from tongban.workflow.models import Delegation, ProcessDefinition, WorkItem, WorkItemStatus

BPMN = Path(__file__).parent / "bpmn"


def _client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _review(org: Any, start: Any, **kw: Any) -> tuple[Any, WorkItem]:
    inst = start(amount=5, countersign_units=[], **kw)
    wf.item_complete(
        item=WorkItem.objects.get(instance=inst, step="draft"), actor=org.clerk, opinion="请审核"
    )
    return inst, WorkItem.objects.get(instance=inst, step="review", status="open")


@pytest.mark.parametrize("box", ["todo", "done", "started", "toread", "read"])
def test_inbox_boxes_render(org: Any, start: Any, box: str) -> None:
    _review(org, start)
    resp = _client(org.clerk).get(reverse(f"workflow:{box}"))
    assert resp.status_code == 200
    assert "公文办理" in resp.content.decode()


def test_inbox_anonymous_redirects(db: Any) -> None:
    resp = Client().get(reverse("workflow:todo"))
    assert (resp.status_code == 302 and "/login" in resp["Location"]) or "next=" in resp["Location"]


def test_todo_lists_pooled_item_with_badge_link_and_colours(org: Any, start: Any) -> None:
    inst, review = _review(org, start, urgency="特急")
    WorkItem.objects.filter(pk=review.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = _client(org.head).get(reverse("workflow:todo")).content.decode()
    assert inst.title in html and "办公室核稿" in html
    assert f"/workflow/test-subject/{inst.subject_id}/" in html  # the subject page from register_subject
    assert "tb-wf-overdue" in html and "tb-wf-row-urgent-1" in html
    assert 'id="wf-count-todo">1<' in html
    # the navigation badge
    assert 'bg-danger">1</span>' in html
    other = _client(org.other).get(reverse("workflow:todo")).content.decode()
    assert inst.title not in other


def test_inbox_filters_and_paging(org: Any, start: Any) -> None:
    for i in range(23):
        start(urgency="加急" if i % 2 else "")
    c = _client(org.clerk)
    page1 = wfs.inbox(user=org.clerk, box="todo")
    assert len(page1.rows) == 20 and page1.page.paginator.count == 23
    assert len(wfs.inbox(user=org.clerk, box="todo", page=2).rows) == 3
    assert wfs.inbox(user=org.clerk, box="todo", urgency="加急").page.paginator.count == 11
    assert wfs.inbox(user=org.clerk, box="todo", q="请示7").page.paginator.count == 1
    assert c.get(reverse("workflow:todo") + "?page=2&urgency=加急").status_code == 200
    assert wfs.inbox(user=org.clerk, box="started").page.paginator.count == 23


def test_inbox_queries_constant(org: Any, start: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(3):
        start()
    few = _count_queries(org.clerk)
    for _ in range(25):
        start()
    assert _count_queries(org.clerk) == few


def _count_queries(user: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _client(user)
    c.get(reverse("workflow:todo"))  # warm caches (session, definitions)
    counts = []
    # the fewest of two requests: time-driven housekeeping (the session's idle deadline is
    # rewritten at most once a minute, cached policies expire) adds queries to one request now and
    # then, while rows that cost queries would add them to every request
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("workflow:todo")).status_code == 200
        counts.append(len(ctx.captured_queries))
    return min(counts)


def test_inbox_selector_query_count(org: Any, start: Any, django_assert_num_queries: Any) -> None:
    for _ in range(25):
        start()
    wfs.inbox(user=org.clerk, box="todo")  # the working-day calendar loads once per process
    with django_assert_num_queries(3):  # grants, count, page
        page = wfs.inbox(user=org.clerk, box="todo")
        assert len(page.rows) == 20
    with django_assert_num_queries(2):  # grants + one aggregate
        assert wfs.inbox_counts(org.clerk) == {"todo": 25, "toread": 0}


def test_item_page_and_complete_through_post(org: Any, start: Any) -> None:
    inst, review = _review(org, start)
    c = _client(org.head)
    html = c.get(reverse("workflow:item", args=[review.pk])).content.decode()
    assert "办公室核稿" in html and "退回" in html and "转办" in html and "王文书" in html
    review.refresh_from_db()
    assert review.read_at is not None  # opening it ends the sender's right to withdraw
    resp = c.post(
        reverse("workflow:item_action", args=[review.pk, "complete"]),
        {"opinion": "同意", "next_assignees": [org.leader.pk], "next": "/workflow/inbox/done/"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/workflow/inbox/done/"
    assert WorkItem.objects.get(instance=inst, status="open").assignee == org.leader


def test_item_page_hidden_from_others(org: Any, start: Any) -> None:
    _inst, review = _review(org, start)
    for user in (org.other, org.leader, org.secadmin):
        assert _client(user).get(reverse("workflow:item", args=[review.pk])).status_code == 404
    assert _client(None).get(reverse("workflow:item", args=[review.pk])).status_code == 302


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("complete", {"opinion": "x"}),
        ("return", {"to_step": "draft", "opinion": "x"}),
        ("transfer", {"to_user": "OTHER"}),
        ("add_signer", {"signer": "OTHER"}),
        ("cc", {"users": "OTHER"}),
        ("urge", {"message": "x"}),
    ],
)
def test_item_action_matrix(org: Any, start: Any, action: str, data: dict[str, Any]) -> None:
    _inst, review = _review(org, start)
    data = {k: (str(org.other.pk) if v == "OTHER" else v) for k, v in data.items()}
    url = reverse("workflow:item_action", args=[review.pk, action])
    before = list(WorkItem.objects.values_list("pk", "status", "last_urged_at"))
    assert _client(None).post(url, data).status_code == 302  # to login
    assert _client(org.other).post(url, data).status_code == 404  # not theirs
    assert _client(org.head).get(url).status_code == 405
    assert list(WorkItem.objects.values_list("pk", "status", "last_urged_at")) == before
    actor = org.clerk if action == "urge" else org.head
    resp = _client(actor).post(url, data)
    assert resp.status_code == 302
    after = list(WorkItem.objects.values_list("pk", "status", "last_urged_at"))
    if action == "complete":
        assert after == before  # the next step needs a chosen person: refused with a message, nothing changed
    else:
        assert after != before


def test_withdraw_through_post(org: Any, start: Any) -> None:
    inst, review = _review(org, start)
    draft = WorkItem.objects.get(instance=inst, step="draft")
    url = reverse("workflow:item_action", args=[draft.pk, "withdraw"])
    assert _client(org.head).post(url).status_code == 404
    assert WorkItem.objects.get(pk=review.pk).status == WorkItemStatus.OPEN
    _client(org.clerk).post(url)
    assert WorkItem.objects.get(pk=review.pk).status == WorkItemStatus.WITHDRAWN


def test_read_item_through_post(org: Any, start: Any) -> None:
    inst, _review_item = _review(org, start)
    (item,) = wf.copy_for_reading(instance=inst, actor=org.head, users=[org.other])
    url = reverse("workflow:item_action", args=[item.pk, "read"])
    _client(org.leader).post(url)
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.OPEN
    _client(org.other).post(url, {"opinion": "已阅"})
    assert WorkItem.objects.get(pk=item.pk).status == WorkItemStatus.DONE


def test_next_must_be_local(org: Any, start: Any) -> None:
    _inst, review = _review(org, start)
    resp = _client(org.clerk).post(
        reverse("workflow:item_action", args=[review.pk, "urge"]), {"next": "https://evil.example/"}
    )
    assert resp["Location"] == reverse("workflow:item", args=[review.pk])


def test_people_picker(org: Any) -> None:
    c = _client(org.clerk)
    data = c.get(reverse("workflow:people"), {"q": "局长"}).json()
    assert {r["name"] for r in data["results"]} == {"张局长", "陈局长"}
    html = c.get(reverse("workflow:people"), {"q": "李"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'<option value="{org.head.pk}">李主任（政府办）</option>' in html
    assert _client(None).get(reverse("workflow:people")).status_code == 302


def test_delegation_page(org: Any) -> None:
    c = _client(org.leader)
    assert c.get(reverse("workflow:delegations")).status_code == 200
    today = timezone.localdate()
    c.post(
        reverse("workflow:delegations"),
        {"delegate": org.edu_leader.pk, "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )
    d = Delegation.objects.get(user=org.leader)
    assert "陈局长" in c.get(reverse("workflow:delegations")).content.decode()
    assert _client(org.other).post(reverse("workflow:delegation_revoke", args=[d.pk])).status_code == 404
    assert Delegation.objects.get(pk=d.pk).revoked_at is None
    c.post(reverse("workflow:delegation_revoke", args=[d.pk]))
    assert Delegation.objects.get(pk=d.pk).revoked_at is not None


def test_definitions_page_matrix(org: Any, start: Any) -> None:
    start()  # loads the defaults
    url = reverse("workflow:definitions")
    good = (BPMN / "simple.bpmn").read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(user: Any, content: bytes) -> Any:
        return _client(user).post(
            url, {"key": "test.simple", "bpmn": SimpleUploadedFile("x.bpmn", content), "comment": "改"}
        )

    n = ProcessDefinition.objects.count()
    assert upload(None, good).status_code == 302
    assert upload(org.clerk, good).status_code == 403
    assert upload(org.sysadmin, good).status_code == 403
    assert ProcessDefinition.objects.count() == n
    bad = good.replace(b"len(countersign_units) &gt; 0", b"__import__('os').system('id')")
    resp = upload(org.secadmin, bad)
    html = resp.content.decode()
    assert resp.status_code == 200 and "校验未通过" in html and "第 " in html and "行" in html
    assert ProcessDefinition.objects.count() == n
    assert upload(org.secadmin, good).status_code == 302
    assert ProcessDefinition.objects.count() == n + 1
    html = _client(org.secadmin).get(url).content.decode()
    assert "当前版本" in html
    row = ProcessDefinition.objects.get(key="test.simple", is_active=True)
    dl = reverse("workflow:definition_download", args=[row.pk])
    assert _client(org.clerk).get(dl).status_code == 403
    resp = _client(org.secadmin).get(dl)
    assert resp.status_code == 200 and b"wf_test" in resp.content


@pytest.mark.parametrize("per_page", [1, 5, 20, 50])
def test_inbox_queries_do_not_depend_on_page_size(
    org: Any, start: Any, django_assert_num_queries: Any, per_page: int, settings: Any
) -> None:
    from tongban.core import calendar

    # the working-day calendar re-reads its stamp (3 queries) every few seconds: not on a busy machine mid-count
    settings.TONGBAN_CALENDAR_RECHECK_SECONDS = 3600
    calendar.invalidate()
    for i in range(30):
        inst = start()
        if i % 3 == 0:
            wf.copy_for_reading(instance=inst, actor=org.clerk, users=[org.head])
        if i % 4 == 0:
            wf.item_complete(item=WorkItem.objects.get(instance=inst, step="draft"), actor=org.clerk)
    WorkItem.objects.filter(step="draft").update(delegated_from=org.other, sender=org.head)
    wfs.inbox(user=org.clerk, box="todo")
    for box in ("todo", "done", "toread"):
        with django_assert_num_queries(3 if box == "todo" else 2):
            page = wfs.inbox(user=org.head if box == "toread" else org.clerk, box=box, per_page=per_page)
            names = [  # what the page and the API read of each row
                (r.sender and r.sender.full_name, r.delegated_from and r.delegated_from.full_name, r.url)
                for r in page.rows
            ]
            assert len(names) == min(per_page, page.page.paginator.count)


def test_errors_page_matrix(org: Any, start: Any) -> None:
    from tongban.workflow.models import InstanceStatus, ProcessInstance

    inst = start()
    ProcessInstance.objects.filter(pk=inst.pk).update(
        status=InstanceStatus.ERROR, error="UnsafeExpression: x"
    )
    url = reverse("workflow:errors")
    recover = reverse("workflow:error_recover", args=[inst.pk])
    assert _client(None).get(url).status_code == 302
    for user in (org.clerk, org.secadmin):
        assert _client(user).get(url).status_code == 403
        assert _client(user).post(recover).status_code == 403
    assert ProcessInstance.objects.get(pk=inst.pk).status == InstanceStatus.ERROR
    assert "UnsafeExpression" in _client(org.sysadmin).get(url).content.decode()
    _client(org.sysadmin).post(recover)
    assert ProcessInstance.objects.get(pk=inst.pk).status == InstanceStatus.RUNNING


def test_workbench_panel_lists_todo(org: Any, start: Any) -> None:
    inst = start(urgency="特急")
    html = _client(org.clerk).get(reverse("core:home")).content.decode()
    assert "我的待办" in html and inst.title in html
    assert "我的待办" not in _client(org.sysadmin).get(reverse("core:home")).content.decode()
