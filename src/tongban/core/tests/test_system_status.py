"""系统状态: the system administrator's view of the platform's health; nobody else sees it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tongban.core import services

pytestmark = pytest.mark.django_db
URL = "/system/status/"


def make(username, role=""):
    return get_user_model().objects.create_user(
        username=username, full_name=username, password="x", admin_role=role
    )


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]


@pytest.mark.parametrize("role", ["", "security", "audit"])
def test_other_roles_are_refused(client, role):
    client.force_login(make("u_" + (role or "staff"), role))
    assert client.get(URL).status_code == 403


def test_system_admin_sees_processes_queue_and_jobs(client):
    services.heartbeat_beat(name="worker", info={"pid": 4242, "host": "county-app-1"})
    client.force_login(make("sys", "system"))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "county-app-1" in body and "4242" in body  # hosts are shown here, never on /healthz
    assert "core.worker_heartbeat" in body and "core.prune_task_results" in body
    assert "任务队列" in body
    assert response.context["health"]["worker"]["ok"] is True
    assert "county-app-1" not in client.get("/healthz").content.decode()
