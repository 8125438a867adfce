"""Optional health checks registered by domains (core.health) in /healthz: a failing or raising
check makes the platform "degraded" (never 503), a check that does not apply is left out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tongban.core import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> Iterator[None]:
    saved = dict(health._CHECKS)
    yield
    health._CHECKS.clear()
    health._CHECKS.update(saved)


def _fresh_background() -> None:
    from django.utils import timezone

    from tongban.core import tasks
    from tongban.core.lease import lease_acquire
    from tongban.core.models import Heartbeat

    tasks.worker_heartbeat.enqueue()
    assert lease_acquire(holder="host-a", seconds=45)
    Heartbeat.objects.create(name="scheduler", at=timezone.now(), info={})


def test_registered_checks_appear_and_a_failing_one_degrades(client: Any, registry: None) -> None:
    _fresh_background()
    health.register("video", lambda: {"ok": True, "version": "1.1.2"})
    health.register("unused", lambda: None)
    body = client.get("/healthz").json()
    assert body["status"] == "ok", body
    assert body["checks"] == {"video": {"ok": True, "version": "1.1.2"}}

    health.register("video", lambda: {"ok": False, "error": "JanusUnavailable"})
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert r.json()["checks"]["video"] == {"ok": False, "error": "JanusUnavailable"}

    def broken() -> dict[str, Any]:
        raise RuntimeError("secret detail")

    health.register("video", broken)
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "degraded"
    assert r.json()["checks"]["video"] == {"ok": False, "error": "RuntimeError"}
    assert "secret detail" not in r.content.decode()


def test_register_needs_a_callable(registry: None) -> None:
    with pytest.raises(TypeError):
        health.register("x", "not callable")  # type: ignore[arg-type]


def test_system_status_shows_the_checks(client: Any, registry: None) -> None:
    from django.contrib.auth import get_user_model

    health.register("janus", lambda: {"ok": False, "error": "JanusUnavailable"})
    admin = get_user_model().objects.create_user(
        username="sys", full_name="sys", password="x", admin_role="system"
    )
    client.force_login(admin)
    body = client.get("/system/status/").content.decode()
    assert "视频会议服务（Janus）" in body and "不可用" in body
    health.register("janus", lambda: {"ok": True, "version": "1.1.2"})
    body = client.get("/system/status/").content.decode()
    assert "视频会议服务（Janus）" in body and "1.1.2" in body
