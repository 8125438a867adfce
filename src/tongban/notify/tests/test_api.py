"""/api/v1/notifications: the caller's own notifications only."""

from __future__ import annotations

import pytest

from tongban.notify import services
from tongban.notify.models import Notification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


@pytest.fixture
def notes(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = [services.notify(users=[alice], event="notify.test", title=f"消息{i}")[0] for i in range(3)]
        b = services.notify(users=[bob], event="notify.test", title="王博的消息")[0]
    return a, b


def test_anonymous_is_refused_and_nothing_changes(client, notes):
    _a, b = notes
    assert client.get(BASE).status_code == 401
    assert client.get(BASE + "unread-count").status_code == 401
    assert client.post(BASE + "read-all").status_code == 401
    assert client.post(f"{BASE}{b.pk}/read").status_code == 401
    assert Notification.objects.filter(read_at__isnull=True).count() == 4


def test_list_is_paged_filtered_and_own(client, alice, notes):
    a, _b = notes
    services.mark_read(user=alice, notification_id=a[2].pk)
    client.force_login(alice)
    body = client.get(BASE, {"limit": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert [i["title"] for i in body["items"]] == ["消息1", "消息0"]  # unread first, newest first
    assert body["items"][0]["is_read"] is False
    rest = client.get(BASE, {"limit": 2, "offset": 2}).json()
    assert [i["title"] for i in rest["items"]] == ["消息2"]
    unread = client.get(BASE, {"unread": "true"}).json()
    assert unread["count"] == 2
    assert client.get(BASE + "unread-count").json() == {"unread": 2}


def test_read_one_only_own(client, alice, notes):
    a, b = notes
    client.force_login(alice)
    response = client.post(f"{BASE}{b.pk}/read")
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.read_at is None
    response = client.post(f"{BASE}{a[0].pk}/read")
    assert response.status_code == 200 and response.json()["is_read"] is True


def test_read_all_only_own(client, alice, bob, notes):
    client.force_login(alice)
    assert client.post(BASE + "read-all").json() == {"marked": 3}
    assert client.get(BASE + "unread-count").json() == {"unread": 0}
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 1
