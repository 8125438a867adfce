"""notify(): in-app records, deliveries per channel, on-commit sending, deduplication, preferences."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.models import AuditRecord
from tongban.identity import services as identity
from tongban.notify import events, selectors, services
from tongban.notify.models import ChannelPreference, Delivery, Notification

pytestmark = pytest.mark.django_db


def _sms_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_registry_rejects_unknown_channels_and_lists_registered_events():
    with pytest.raises(ValueError):
        events.register("x.bad", "bad", default_channels=("pigeon",))
    codes = [e.code for e in events.all_events()]
    assert "notify.test" in codes and "identity.security" in codes
    assert events.get("identity.security").default_channels == {"inapp", "email", "sms"}


def test_notify_records_inapp_and_delivers_email_and_sms_after_commit(
    alice, bob, sms_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = services.notify(
            users=[alice, bob],
            event="identity.security",
            title="新设备登录",
            body="您的账号在新设备上登录。",
            url="/account/",
        )
        # Nothing is sent before the transaction commits.
        assert mail.outbox == []
        assert _sms_lines(sms_file) == []
    assert len(callbacks) == 1
    assert {n.user_id for n in created} == {alice.pk, bob.pk}
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.gov.cn", "bob@example.gov.cn"]
    assert "新设备登录" in mail.outbox[0].subject
    assert mail.outbox[0].body == "您的账号在新设备上登录。\n\nhttp://127.0.0.1:8000/account/"
    lines = _sms_lines(sms_file)
    assert sorted(line["to"] for line in lines) == ["13800138001", "13800138002"]
    assert lines[0]["text"].startswith("【通办】新设备登录：")
    statuses = {(d.channel, d.status, d.attempts) for d in Delivery.objects.all()}
    assert statuses == {("inapp", "sent", 1), ("email", "sent", 1), ("sms", "sent", 1)}
    assert all(d.provider_message_id for d in Delivery.objects.filter(channel="sms"))


def test_rolled_back_transaction_sends_nothing(alice, sms_file, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify(users=[alice], event="identity.security", title="不会发出")
        raise RuntimeError("rollback")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert mail.outbox == []
    assert _sms_lines(sms_file) == []


def test_dedupe_key_creates_and_sends_nothing_twice(alice, sms_file, django_capture_on_commit_callbacks):
    for _i in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = services.notify(
                users=[alice, alice],
                event="identity.security",
                title="密码即将过期",
                dedupe_key="pwd-expiry-2025-10",
            )
    assert result == []  # the second call created nothing
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 3
    assert len(mail.outbox) == 1
    assert len(_sms_lines(sms_file)) == 1
    # A different key is a different notification.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            len(services.notify(users=[alice], event="identity.security", title="x", dedupe_key="other")) == 1
        )


def test_without_dedupe_key_every_call_notifies(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[alice], event="notify.test", title="一")
        services.notify(users=[alice], event="notify.test", title="二")
    assert Notification.objects.filter(user=alice).count() == 2


def test_channels_need_an_address_and_inactive_users_get_nothing(
    make_user, django_capture_on_commit_callbacks
):
    bare = make_user("bare", full_name="无联系方式")
    gone = make_user("gone", full_name="已停用", email="gone@example.gov.cn")
    identity.user_update(actor=None, user=gone, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(users=[bare, gone], event="identity.security", title="提醒")
    assert [n.user_id for n in created] == [bare.pk]
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["inapp"]
    assert mail.outbox == []


def test_unknown_event_and_empty_title_are_refused(alice):
    with pytest.raises(TongbanError) as exc:
        services.notify(users=[alice], event="nobody.registered", title="x")
    assert exc.value.code == "notify.unknown_event"
    with pytest.raises(TongbanError) as exc:
        services.notify(users=[alice], event="notify.test", title="  ")
    assert exc.value.code == "notify.title_required"
    assert Notification.objects.count() == 0


def test_preferences_choose_channels(alice, sms_file, django_capture_on_commit_callbacks):
    services.preference_set(actor=alice, user=alice, event="identity.security", channel="sms", enabled=False)
    services.preference_set(
        actor=alice, user=alice, event="identity.security", channel="inapp", enabled=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = services.notify(users=[alice], event="identity.security", title="提醒")
    assert sorted(note.deliveries.values_list("channel", flat=True)) == ["email"]
    assert _sms_lines(sms_file) == []
    # In-app off: the record exists but does not ring the bell.
    assert note.read_at is not None
    assert selectors.unread_count(user=alice) == 0
    # Setting a choice back to the default removes the override row.
    services.preference_set(actor=alice, user=alice, event="identity.security", channel="sms", enabled=True)
    assert not ChannelPreference.objects.filter(user=alice, channel="sms").exists()
    matrix = {row.code: row.channels for row in selectors.preference_matrix(user=alice)}
    assert matrix["identity.security"] == {"inapp": False, "email": True, "sms": True}
    assert (
        AuditRecord.objects.filter(event="notify.preferences_changed", object_id=str(alice.pk)).count() == 3
    )


def test_preferences_of_another_user_are_refused(alice, bob):
    with pytest.raises(PermissionDenied):
        services.preference_set(
            actor=alice, user=bob, event="identity.security", channel="sms", enabled=False
        )
    assert not ChannelPreference.objects.exists()
    with pytest.raises(TongbanError):
        services.preference_set(
            actor=alice, user=alice, event="identity.security", channel="fax", enabled=True
        )


def test_a_domain_can_register_its_own_event(alice, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(events, "_EVENTS", dict(events._EVENTS))  # leave the registry as found
    events.register("documents.to_sign_test", _("公文待签发"), default_channels=("inapp", "email"))
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[alice], event="documents.to_sign_test", title="请签发")
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "inapp"]


def test_mark_read_and_mark_all_read_touch_only_own_notifications(
    alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a1, b1 = services.notify(users=[alice, bob], event="notify.test", title="一")
        services.notify(users=[alice, bob], event="notify.test", title="二")
    with pytest.raises(NotFound):
        services.mark_read(user=alice, notification_id=b1.pk)
    b1.refresh_from_db()
    assert b1.read_at is None
    assert services.mark_read(user=alice, notification_id=a1.pk).read_at is not None
    assert services.mark_all_read(user=alice) == 1
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 2


def test_notify_many_users_uses_a_bounded_number_of_queries(
    make_user, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    users = [make_user(f"u{i}", full_name=f"用户{i}") for i in range(30)]
    with django_assert_max_num_queries(12):
        created = services.notify(users=users, event="notify.test", title="通知")
    assert len(created) == 30
