"""Notification figures: fan-out of notify() to many staff, the bell's unread count, and SMS
through a real SMPP 3.4 session to the loopback test SMS centre.

Run: python bench/bench_notify.py (sets up a throwaway SQLite database itself)."""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ.pop("TONGBAN_TEST_DATABASE_URL", None)
os.environ["TONGBAN_VAR_DIR"] = os.environ.get("TONGBAN_VAR_DIR", tempfile.mkdtemp(prefix="tb-bench-notify-"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    logging.disable(logging.INFO)
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from django.db import transaction

    from tongban.identity.models import User
    from tongban.identity.services import name_pinyin
    from tongban.notify import selectors, services
    from tongban.notify.models import Delivery
    from tongban.notify.tests.smsc import TestSmsc

    n_users = int(os.environ.get("BENCH_USERS", "2018"))
    users = []
    for i in range(n_users):
        u = User(
            username=f"u{i:04d}", full_name=f"职工{i}", email=f"u{i}@example.gov.cn", mobile=f"138{i:08d}"
        )
        u.pinyin, u.pinyin_initials = name_pinyin(u.full_name)
        u.set_unusable_password()
        users.append(u)
    User.objects.bulk_create(users)
    users = list(User.objects.all())

    # 1. Fan-out: one notify() to every staff member (in-app + e-mail + SMS rows queued; sending
    #    happens in the worker, so on-commit hand-off is measured separately below).
    dummy = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "notify"]}
    }
    queue_only = override_settings(TASKS=dummy)
    queue_only.enable()
    started = time.perf_counter()
    with transaction.atomic():
        created = services.notify(
            users=users, event="identity.security", title="全县安全提醒", body="请及时更新密码。"
        )
    elapsed = time.perf_counter() - started
    deliveries = Delivery.objects.count()
    print(
        f"notify fan-out: {len(created)} users, {deliveries} deliveries in {elapsed * 1000:.0f} ms "
        f"({len(created) / elapsed:.0f} users/s)"
    )

    # 2. The bell: unread COUNT for one user with 200 notifications among ~2,200 rows.
    one = users[0]
    with transaction.atomic():
        for i in range(199):
            services.notify(users=[one], event="notify.test", title=f"消息{i}")
    samples = []
    for _ in range(500):
        if hasattr(one, "_notify_unread"):
            del one._notify_unread
        t0 = time.perf_counter()
        selectors.unread_count(user=one)
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"unread count: p50 {pct(samples, 50):.3f} ms, p95 {pct(samples, 95):.3f} ms")

    # 3. SMS over SMPP 3.4 to the loopback SMS centre, through deliver() (claim, send, record).
    with TestSmsc(system_id="tongban", password="s3cret") as smsc:
        smpp = override_settings(
            TONGBAN_SMS_BACKEND="tongban.notify.sms.SmppSmsBackend", TONGBAN_SMPP=smsc.settings()
        )
        smpp.enable()
        ids = list(Delivery.objects.filter(channel="sms").values_list("id", flat=True)[:200])
        samples = []
        for delivery_id in ids:
            t0 = time.perf_counter()
            outcome = services.deliver(delivery_id=delivery_id)
            samples.append((time.perf_counter() - t0) * 1000)
            assert outcome == "sent", outcome
        print(
            f"sms deliver (SMPP session per message, loopback): n={len(samples)} "
            f"p50 {pct(samples, 50):.2f} ms, p95 {pct(samples, 95):.2f} ms, "
            f"{len(samples) / (sum(samples) / 1000):.0f} msg/s"
        )
        assert len(smsc.messages) == len(ids)
    print(f"mean deliver {statistics.mean(samples):.2f} ms")


if __name__ == "__main__":
    main()
