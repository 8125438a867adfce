from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.notices import selectors, services
from tongban.notices.models import Importance, Notice, NoticeReceipt, NoticeStatus
from tongban.notices.tests.conftest import PDF, make_notice
from tongban.notify.models import Delivery, Notification
from tongban.orgs.models import Post

pytestmark = pytest.mark.django_db


def _people(unit) -> set[int]:
    return set(Post.objects.filter(unit=unit, user__is_active=True).values_list("user_id", flat=True))


def test_publish_to_chosen_units_creates_one_receipt_per_person_and_notifies_them(accounts, units):
    oh = accounts["officehead"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"], units["纪委监委"]])
    expected = _people(units["财政局"]) | _people(units["纪委监委"])
    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert set(receipts.values_list("user_id", flat=True)) == expected
    assert notice.status == NoticeStatus.PUBLISHED and notice.published_by == oh
    assert receipts.filter(unit=units["财政局"], user=accounts["unitleader"]).exists()
    notes = Notification.objects.filter(event="notices.published", dedupe_key=f"notice-{notice.pk}")
    assert set(notes.values_list("user_id", flat=True)) == expected - {oh.pk}
    assert notes.first().url == f"/notices/{notice.pk}/"
    # normal importance: in-app only
    assert not Delivery.objects.filter(notification__in=notes, channel="sms").exists()
    assert AuditRecord.objects.filter(event="notices.published", object_id=str(notice.pk)).exists()


def test_urgent_notice_also_goes_by_sms(accounts, units):
    notice = make_notice(
        accounts["officehead"], units["政府办"], targets=[units["财政局"]], importance=Importance.URGENT
    )
    notes = Notification.objects.filter(event="notices.published_urgent", dedupe_key=f"notice-{notice.pk}")
    assert notes.count() == len(_people(units["财政局"]))
    assert Delivery.objects.filter(notification__in=notes, channel="sms").exists()


def test_whole_county_counts_a_person_once_under_the_primary_post(accounts, county, units):
    oh = accounts["officehead"]
    notice = make_notice(oh, units["政府办"], whole_county=True)
    all_people = set(
        Post.objects.filter(county=county, user__is_active=True).values_list("user_id", flat=True)
    )
    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert receipts.count() == len(all_people)
    # the publisher has read and confirmed
    mine = receipts.get(user=oh)
    assert mine.read_at and mine.confirmed_at
    # someone with a concurrent post is counted under the primary unit
    concurrent = Post.objects.filter(county=county, is_primary=False).first()
    if concurrent is not None:
        primary = Post.objects.get(user_id=concurrent.user_id, is_primary=True)
        assert receipts.get(user_id=concurrent.user_id).unit_id == primary.unit_id


def test_only_clerks_office_heads_and_leaders_of_the_unit_may_create_or_publish(accounts, units, outsider):
    with pytest.raises(PermissionDenied):
        services.notice_create(actor=outsider, unit=units["政府办"], title="x", whole_county=True)
    # unitleader leads 财政局, not 政府办
    with pytest.raises(PermissionDenied):
        services.notice_create(
            actor=accounts["unitleader"], unit=units["政府办"], title="x", whole_county=True
        )
    draft = make_notice(accounts["clerk"], units["政府办"], whole_county=True, publish=False)
    with pytest.raises(PermissionDenied):
        services.notice_publish(actor=accounts["unitleader"], notice=draft)
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.DRAFT and not NoticeReceipt.objects.filter(notice=draft).exists()
    # the unit leader of 财政局 publishes for 财政局
    own = make_notice(accounts["unitleader"], units["财政局"], targets=[units["政府办"]])
    assert own.status == NoticeStatus.PUBLISHED


def test_validation_refuses_and_changes_nothing(accounts, units, county):
    oh = accounts["officehead"]
    with pytest.raises(TongbanError) as exc:
        services.notice_create(actor=oh, unit=units["政府办"], title="  ", whole_county=True)
    assert exc.value.code == "notices.title_required"
    with pytest.raises(TongbanError):
        services.notice_create(actor=oh, unit=units["政府办"], title="t", importance="huge")
    with pytest.raises(TongbanError):
        services.notice_create(
            actor=oh, unit=units["政府办"], title="t", expires_on=timezone.localdate() - timedelta(days=1)
        )
    with pytest.raises(TongbanError):
        services.notice_create(actor=oh, unit=units["政府办"], title="t", target_unit_ids=[999_999])
    assert Notice.objects.count() == 0
    draft = make_notice(oh, units["政府办"], publish=False)  # no units chosen
    with pytest.raises(TongbanError) as exc:
        services.notice_publish(actor=oh, notice=draft)
    assert exc.value.code == "notices.no_audience"
    draft.refresh_from_db()
    assert draft.status == NoticeStatus.DRAFT


def test_update_only_drafts(accounts, units):
    oh = accounts["officehead"]
    draft = make_notice(oh, units["政府办"], publish=False)
    services.notice_update(
        actor=oh, notice=draft, title="新标题", body="正文", target_unit_ids=[units["财政局"].pk]
    )
    draft.refresh_from_db()
    assert draft.title == "新标题"
    assert [u.short_name for u in selectors.target_units(draft)] == ["财政局"]
    services.notice_publish(actor=oh, notice=draft)
    with pytest.raises(TongbanError) as exc:
        services.notice_update(actor=oh, notice=draft, title="再改", whole_county=True)
    assert exc.value.code == "notices.not_draft"
    draft.refresh_from_db()
    assert draft.title == "新标题"


def test_read_and_confirm(accounts, units, outsider):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    assert selectors.unread_count(user=ul) == 1
    receipt = services.notice_read(actor=ul, notice=notice)
    assert receipt is not None and receipt.read_at is not None and receipt.confirmed_at is None
    first = receipt.read_at
    again = services.notice_read(actor=ul, notice=notice)
    assert again.read_at == first
    ul._notices_unread = None
    assert selectors.unread_count(user=ul) == 0
    confirmed = services.notice_confirm(actor=ul, notice=notice)
    assert confirmed.confirmed_at is not None
    assert AuditRecord.objects.filter(event="notices.confirmed", actor_id=ul.pk).count() == 1
    services.notice_confirm(actor=ul, notice=notice)  # idempotent
    assert AuditRecord.objects.filter(event="notices.confirmed", actor_id=ul.pk).count() == 1
    # outside the audience: no receipt, confirming is 'not found'
    assert services.notice_read(actor=outsider, notice=notice) is None
    with pytest.raises(NotFound):
        services.notice_confirm(actor=outsider, notice=notice)
    assert not NoticeReceipt.objects.filter(notice=notice, user=outsider).exists()


def test_confirm_creates_the_receipt_of_someone_who_joined_later(accounts, units, outsider, county):
    notice = make_notice(accounts["officehead"], units["政府办"], targets=[units["财政局"]])
    Post.objects.create(county=county, user=outsider, unit=units["财政局"], title="借调", is_primary=False)
    assert selectors.is_in_audience(outsider, notice)
    receipt = services.notice_confirm(actor=outsider, notice=notice)
    primary = Post.objects.get(user=outsider, is_primary=True)
    assert receipt.unit_id == primary.unit_id  # counted under the primary unit


def test_remind_those_who_have_not_confirmed_once_an_hour(accounts, units, monkeypatch):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    services.notice_confirm(actor=ul, notice=notice)
    n = services.notice_remind(actor=oh, notice=notice)
    pending = _people(units["财政局"]) - {ul.pk}
    assert n == len(pending)
    notes = Notification.objects.filter(event="notices.reminder")
    assert set(notes.values_list("user_id", flat=True)) == pending
    assert Delivery.objects.filter(notification__in=notes, channel="sms").exists()
    with pytest.raises(TongbanError) as exc:
        services.notice_remind(actor=oh, notice=notice)
    assert exc.value.code == "notices.remind_too_soon"
    assert notes.count() == len(pending)
    later = timezone.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(services, "_now", lambda: later)
    assert services.notice_remind(actor=oh, notice=notice) == len(pending)
    assert Notification.objects.filter(event="notices.reminder").count() == 2 * len(pending)
    notice.refresh_from_db()
    assert notice.reminders_sent == 2


def test_only_managers_remind_and_withdraw(accounts, units):
    oh, ul = accounts["officehead"], accounts["unitleader"]
    notice = make_notice(oh, units["政府办"], targets=[units["财政局"]])
    with pytest.raises(PermissionDenied):
        services.notice_remind(actor=ul, notice=notice)
    with pytest.raises(PermissionDenied):
        services.notice_withdraw(actor=ul, notice=notice)
    assert not Notification.objects.filter(event="notices.reminder").exists()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.last_reminded_at is None
    # another manager of 政府办 (the clerk) may
    services.notice_withdraw(actor=accounts["clerk"], notice=notice, reason="内容有误")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN and notice.withdraw_reason == "内容有误"
    # withdrawn: gone for readers, still there for the publisher
    with pytest.raises(NotFound):
        selectors.access_notice(notice.pk, ul)
    assert selectors.access_notice(notice.pk, oh) == notice
    assert not selectors.notices_for(user=ul).exists()
    with pytest.raises(TongbanError):
        services.notice_remind(actor=oh, notice=notice)


def test_attachments_only_on_drafts(accounts, units):
    oh = accounts["officehead"]
    draft = make_notice(oh, units["政府办"], targets=[units["财政局"]], publish=False)
    att = services.notice_attach(actor=oh, notice=draft, file=io.BytesIO(PDF), name="../../通知.pdf")
    assert att.name == "通知.pdf" and att.size == len(PDF) and len(att.sha256) == 64
    assert att.file.name.startswith("notices/") and "通知" not in att.file.name
    assert att.file.read() == PDF
    with pytest.raises(PermissionDenied):
        services.notice_attach(actor=accounts["unitleader"], notice=draft, file=io.BytesIO(PDF), name="a.pdf")
    services.notice_publish(actor=oh, notice=draft)
    with pytest.raises(TongbanError):
        services.notice_attach(actor=oh, notice=draft, file=io.BytesIO(PDF), name="b.pdf")
    assert draft.attachments.count() == 1


def test_delete_draft(accounts, units):
    oh = accounts["officehead"]
    draft = make_notice(oh, units["政府办"], publish=False)
    services.notice_attach(actor=oh, notice=draft, file=io.BytesIO(PDF), name="a.pdf")
    services.notice_delete_draft(actor=oh, notice=draft)
    assert not Notice.objects.filter(pk=draft.pk).exists()


def test_units_of_another_county_cannot_be_chosen(accounts, units):
    from tongban.orgs.models import County, Unit

    other = County.objects.create(name="邻县", code="361198")
    far = Unit.objects.create(
        county=other, unit_code="x1", name="邻县财政局", short_name="财政局", kind="gov_dept"
    )
    with pytest.raises(TongbanError) as exc:
        services.notice_create(
            actor=accounts["officehead"], unit=units["政府办"], title="t", target_unit_ids=[far.pk]
        )
    assert exc.value.code == "notices.bad_target"
    assert Notice.objects.count() == 0
