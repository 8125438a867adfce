"""Editorial desks: role grants → Wagtail groups and permissions, the permission matrix in /cms/,
moderation (approve / request changes) with notifications, scheduled publishing, revisions, and
Wagtail's user management switched off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page, TaskState, WorkflowPage, WorkflowState

from tongban.interaction.testing import PASSWORD
from tongban.notify.models import Notification
from tongban.orgs.models import RoleGrant, Unit
from tongban.portal import editorial
from tongban.portal import editorial_selectors as esel
from tongban.portal.models import ArticlePage, ColumnPage, UnitDesk
from tongban.portal.testing import PortalWorld, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> PortalWorld:
    return build_site()


def _unit(site: PortalWorld, key: str) -> Unit:
    return site.world.units[key]


def _login(client, site: PortalWorld, key: str):  # type: ignore[no-untyped-def]
    client.force_login(site.world.users[key])
    return client


def _article_form(title: str, slug: str, action: str | None = None) -> dict[str, str]:
    data = {
        "title": title,
        "slug": slug,
        "subtitle": "",
        "publish_date": "",
        "source": "",
        "author": "",
        "unit": "",
        "summary": "",
        "cover": "",
        "body": '{"blocks":[{"key":"a","text":"正文内容","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "related-TOTAL_FORMS": "0",
        "related-INITIAL_FORMS": "0",
        "related-MIN_NUM_FORMS": "0",
        "related-MAX_NUM_FORMS": "1000",
        "disclosure_category": "",
        "go_live_at": "",
        "expire_at": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    if action:
        data[action] = "1"
    return data


# --- desks and groups -----------------------------------------------------------------------------
def test_grants_make_desks_groups_permissions_and_workflow(site: PortalWorld) -> None:
    scj = _unit(site, "scj")
    desk = UnitDesk.objects.get(unit=scj)
    assert desk.editors.name == "网站编辑·市场监管局"
    assert desk.reviewers.name == "网站审核·市场监管局"
    assert desk.workflow.name.startswith("审核流程·市场监管局")
    editor, reviewer = site.world.users["editor"], site.world.users["reviewer"]
    assert set(editor.groups.values_list("pk", flat=True)) == {desk.editors_id}
    assert set(reviewer.groups.values_list("pk", flat=True)) == {desk.reviewers_id}
    column = site.column("bm-1")  # 部门动态 / 市场监管局
    assert column.unit_id == scj.pk
    codenames = set(
        GroupPagePermission.objects.filter(group=desk.editors, page=column).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page"}
    assert "publish_page" in set(
        GroupPagePermission.objects.filter(group=desk.reviewers, page=column).values_list(
            "permission__codename", flat=True
        )
    )
    assert WorkflowPage.objects.get(page=column).workflow_id == desk.workflow_id
    assert editor.has_perm("wagtailadmin.access_admin")
    # another unit's column carries nothing of this desk
    assert not GroupPagePermission.objects.filter(group=desk.editors, page=site.column("bm-2")).exists()
    # the portal administrator: the county's admin group with rights at the home page
    admin = site.world.users["portaladmin"]
    group = admin.groups.get()
    assert group.name.startswith(editorial.ADMIN_GROUP_PREFIX)
    assert GroupPagePermission.objects.filter(
        group=group, page=site.home, permission__codename="publish_page"
    ).exists()
    assert admin.has_perm("portal.change_portalidentity")


def test_sync_follows_grant_and_revoke(site: PortalWorld) -> None:
    user = site.world.users["scj_staff"]
    assert not user.groups.exists()
    grant = RoleGrant.objects.create(
        county=site.world.county, user=user, unit=_unit(site, "scj"), role="portal_editor"
    )
    desk = UnitDesk.objects.get(unit=_unit(site, "scj"))
    assert list(user.groups.values_list("pk", flat=True)) == [desk.editors_id]
    grant.delete()
    assert not user.groups.exists()
    # a role of a unit without a desk yet creates it, with its columns' permissions
    jtj = _unit(site, "jtj")
    assert not UnitDesk.objects.filter(unit=jtj).exists()
    RoleGrant.objects.create(county=site.world.county, user=user, unit=jtj, role="portal_reviewer")
    desk = UnitDesk.objects.get(unit=jtj)
    assert list(user.groups.values_list("pk", flat=True)) == [desk.reviewers_id]
    assert GroupPagePermission.objects.filter(group=desk.reviewers, page=site.column("jiaoyu")).exists()
    # unrelated groups are left alone
    other = Group.objects.create(name="别的组")
    user.groups.add(other)
    editorial.sync_user(user)
    assert other in user.groups.all()


def test_sync_removes_hand_made_membership(site: PortalWorld) -> None:
    user = site.world.users["scj_staff"]
    desk = UnitDesk.objects.get(unit=_unit(site, "scj"))
    user.groups.add(desk.reviewers)  # someone put him there by hand
    summary = editorial.sync_all(site.world.county)
    assert summary.desks >= 3
    assert not user.groups.filter(pk=desk.reviewers_id).exists()
    # idempotent
    before = GroupPagePermission.objects.count()
    editorial.sync_all(site.world.county)
    assert GroupPagePermission.objects.count() == before


def test_column_unit_change_moves_permissions(site: PortalWorld) -> None:
    scj, czj = UnitDesk.objects.get(unit=_unit(site, "scj")), UnitDesk.objects.get(unit=_unit(site, "czj"))
    column = site.column("bm-1")
    column.unit = _unit(site, "czj")
    column.save_revision().publish()
    assert not GroupPagePermission.objects.filter(
        page=column, group__in=[scj.editors, scj.reviewers]
    ).exists()
    assert GroupPagePermission.objects.filter(page=column, group=czj.editors).exists()
    assert WorkflowPage.objects.get(page=column).workflow_id == czj.workflow_id
    # a new column created under a unit gets its desk's permissions at once
    new = ColumnPage(title="市场监管专栏", slug="scj-zl", unit=_unit(site, "scj"))
    site.column("bumen").add_child(instance=new)
    assert GroupPagePermission.objects.filter(page=new, group=scj.editors).exists()
    assert WorkflowPage.objects.get(page=new).workflow_id == scj.workflow_id
    # unit removed: the desk's rights go
    new.unit = None
    new.save()
    assert not GroupPagePermission.objects.filter(page=new, group=scj.editors).exists()
    assert not WorkflowPage.objects.filter(page=new).exists()


def test_management_command(site: PortalWorld) -> None:
    from io import StringIO

    out = StringIO()
    call_command("portal_desks_sync", "--county", site.world.county.code, stdout=out)
    assert "desks" in out.getvalue()


# --- the permission matrix in /cms/ ---------------------------------------------------------------
def test_editor_adds_in_own_column_only(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    own, other = site.column("bm-1"), site.column("bm-2")  # 市场监管局 / 财政局
    _login(client, site, "editor")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    add_url = reverse("wagtailadmin_pages:add", args=["portal", "articlepage", own.pk])
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, _article_form("市场监管新闻", "scj-news", "action-submit"))
    assert response.status_code == 302, response.content[:2000]
    page = ArticlePage.objects.get(slug="scj-news")
    assert not page.live  # submitted, not published
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    # other unit's column: add and edit refused, nothing created
    other_add = reverse("wagtailadmin_pages:add", args=["portal", "articlepage", other.pk])
    assert client.get(other_add).status_code in (302, 403)
    before = ArticlePage.objects.count()
    assert client.post(other_add, _article_form("越权", "x-other", "action-submit")).status_code in (302, 403)
    assert ArticlePage.objects.count() == before
    foreign = ArticlePage(title="财政局动态", slug="cz-1", body="<p>x</p>")
    other.add_child(instance=foreign)
    foreign.save_revision().publish()
    edit = reverse("wagtailadmin_pages:edit", args=[foreign.pk])
    assert client.get(edit).status_code in (302, 403)
    client.post(edit, _article_form("被改了", "cz-1", "action-publish"))
    foreign.refresh_from_db()
    assert foreign.title == "财政局动态"


def test_editor_cannot_publish(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    own = site.column("bm-1")
    _login(client, site, "editor")
    add_url = reverse("wagtailadmin_pages:add", args=["portal", "articlepage", own.pk])
    client.post(add_url, _article_form("想直接发布", "direct", "action-publish"))
    page = ArticlePage.objects.filter(slug="direct").first()
    assert page is None or not page.live
    user = site.world.users["editor"]
    assert not own.permissions_for_user(user).can_publish_subpage()
    assert own.permissions_for_user(site.world.users["reviewer"]).can_publish_subpage()
    assert not site.column("bm-2").permissions_for_user(site.world.users["reviewer"]).can_add_subpage()


@pytest.mark.parametrize("key", ["outsider", "mailbox", "scj_letters"])
def test_non_portal_staff_refused_admin(client, site: PortalWorld, key: str) -> None:  # type: ignore[no-untyped-def]
    _login(client, site, key)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/cms/" not in response["Location"] or "login" in response["Location"]
    add_url = reverse("wagtailadmin_pages:add", args=["portal", "articlepage", site.column("bm-1").pk])
    before = ArticlePage.objects.count()
    client.post(add_url, _article_form("越权", "nope", "action-publish"))
    assert ArticlePage.objects.count() == before


def test_anonymous_and_public_account_refused(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))
    # a public account's session is no staff login
    session = client.session
    session["public_account_id"] = site.world.citizen.pk  # type: ignore[union-attr]
    session.save()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    assert client.get(reverse("portal_desks:index")).status_code == 302


def test_portal_admin_can_everything(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    _login(client, site, "portaladmin")
    for column in (site.column("bm-1"), site.column("bm-2"), site.column("zfwj")):
        assert column.permissions_for_user(site.world.users["portaladmin"]).can_publish_subpage()
    add_url = reverse("wagtailadmin_pages:add", args=["portal", "articlepage", site.column("bm-2").pk])
    assert client.post(add_url, _article_form("管理员发布", "admin-pub", "action-publish")).status_code == 302
    assert ArticlePage.objects.get(slug="admin-pub").live


@pytest.mark.parametrize(
    "path",
    ["/cms/users/", "/cms/users/add/", "/cms/groups/", "/cms/groups/add/", "/cms/api-tokens/"],
)
def test_wagtail_user_management_forbidden_for_everyone(client, site: PortalWorld, path: str) -> None:  # type: ignore[no-untyped-def]
    from tongban.identity.models import User

    root = User.objects.create_superuser(username="root", password=PASSWORD)
    client.force_login(root)
    groups = Group.objects.count()
    assert client.get(path).status_code == 403
    client.post("/cms/groups/add/", {"name": "偷偷建组"})
    assert Group.objects.count() == groups
    client.force_login(site.world.users["portaladmin"])
    assert client.get(path).status_code == 403


def test_admin_menu_has_no_user_management(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    from tongban.identity.models import User

    client.force_login(User.objects.create_superuser(username="root", password=PASSWORD))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "门户网站管理" in html
    assert "/cms/users/" not in html and "/cms/groups/" not in html
    assert "tongban_platform" in html and "tongban_desks" in html


def test_cms_login_goes_to_platform_login(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/cms/login/?next=/cms/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


# --- moderation -------------------------------------------------------------------------------------
def _submit(client, site: PortalWorld, slug: str = "mod-1") -> ArticlePage:  # type: ignore[no-untyped-def]
    _login(client, site, "editor")
    add_url = reverse("wagtailadmin_pages:add", args=["portal", "articlepage", site.column("bm-1").pk])
    assert client.post(add_url, _article_form("待审稿件", slug, "action-submit")).status_code == 302
    return ArticlePage.objects.get(slug=slug)


def _task_state(page: Page) -> TaskState:
    return TaskState.objects.get(workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS)


def test_submit_notifies_reviewers_of_the_unit_only(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    page = _submit(client, site)
    reviewer, other = site.world.users["reviewer"], site.world.users["zfb_reviewer"]
    note = Notification.objects.get(user=reviewer, event="portal.review_requested")
    assert "待审稿件" in note.title
    assert not Notification.objects.filter(user=other, event="portal.review_requested").exists()
    assert esel.pending_count(reviewer) == 1
    assert esel.pending_count(other) == 0
    assert _task_state(page).task.specific.user_can_access_editor(page, reviewer)


def test_reviewer_approves_publishes_and_editor_is_told(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    page = _submit(client, site)
    state = _task_state(page)
    _login(client, site, "reviewer")
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.post(url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    note = Notification.objects.get(user=site.world.users["editor"], event="portal.review_done")
    assert "通过" in note.title


def test_reviewer_requests_changes_with_comment(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    page = _submit(client, site)
    state = _task_state(page)
    _login(client, site, "reviewer")
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", state.pk])
    client.post(url, {"comment": "标题不准确，请修改"})
    page.refresh_from_db()
    assert not page.live
    note = Notification.objects.get(user=site.world.users["editor"], event="portal.review_done")
    assert "退回" in note.title and "标题不准确" in note.body


def test_reviewer_of_another_unit_cannot_act(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    page = _submit(client, site)
    state = _task_state(page)
    _login(client, site, "zfb_reviewer")
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.post(url, {"comment": "越权"})
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_IN_PROGRESS


# --- scheduled publishing and revisions ----------------------------------------------------------
def test_scheduled_publish_job_publishes_when_due(site: PortalWorld) -> None:
    from tongban.core import schedule

    page = ArticlePage(title="定时发布", slug="timed", body="<p>x</p>", live=False)
    site.column("bm-1").add_child(instance=page)
    go_live = timezone.now() + dt.timedelta(minutes=5)
    page.go_live_at = go_live
    page.save_revision().publish()  # a future go_live_at schedules the revision
    page.refresh_from_db()
    assert not page.live
    job = {j.job_id: j for j in schedule.jobs()}["portal.publish_scheduled"]
    job.task.call()
    page.refresh_from_db()
    assert not page.live  # not yet
    # time passes: the approved go-live moment is now behind us
    revision = page.get_latest_revision()
    past = timezone.now() - dt.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    job.task.call()
    page.refresh_from_db()
    assert page.live
    # expiry: a live page whose expire_at has passed is taken offline by the same job
    ArticlePage.objects.filter(pk=page.pk).update(expire_at=past)
    job.task.call()
    page.refresh_from_db()
    assert not page.live and page.expired


def test_revision_revert(client, site: PortalWorld) -> None:  # type: ignore[no-untyped-def]
    page = ArticlePage(title="第一版", slug="rev", body="<p>一</p>")
    site.column("bm-1").add_child(instance=page)
    first = page.save_revision()
    first.publish()
    page.title = "第二版"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.title == "第二版"
    _login(client, site, "reviewer")
    view = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, first.pk])
    assert client.get(view).status_code == 200
    # reverting = publishing the old revision's content as a new revision
    old = first.as_object()
    old.save_revision(user=site.world.users["reviewer"]).publish()
    page.refresh_from_db()
    assert page.title == "第一版"
    assert page.revisions.count() == 3
