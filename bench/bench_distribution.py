"""Distribution (核发) of one document to every unit of the county (130+): the receiving listener
creates each unit's incoming copy, its clock event, the clerks' notifications (in-app + SMS
deliveries) and one audit row. Also the cost of 签收, which starts the unit's BPMN instance.

Run: python bench/bench_distribution.py (sets up a throwaway SQLite database itself;
TONGBAN_TEST_DATABASE_URL=postgres://… uses PostgreSQL)."""

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
os.environ.setdefault(
    "TONGBAN_TEST_DB_TASKS", "1"
)  # SMS deliveries enqueued in the task table, as in production
os.environ["TONGBAN_VAR_DIR"] = os.environ.get("TONGBAN_VAR_DIR", tempfile.mkdtemp(prefix="tb-bench-recv-"))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    logging.disable(logging.INFO)
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from tongban.documents.models import Document, Recipient
    from tongban.identity.models import User
    from tongban.notify.models import Delivery, Notification
    from tongban.orgs import demo
    from tongban.orgs.models import County, Unit
    from tongban.orgs.services import seed_apply
    from tongban.receiving import services
    from tongban.receiving.models import IncomingDocument

    seed_apply(plan=demo.build_plan(staff=300))
    county = County.objects.get(code=demo.COUNTY_CODE)
    units = list(Unit.objects.filter(county=county, is_active=True))
    zf = next(u for u in units if u.short_name == "政府办")
    clerk = User.objects.get(username="clerk")
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    times: list[float] = []
    listener: list[float] = []
    from django.urls import reverse

    started = time.perf_counter()
    reverse("receiving:list")  # a running server has its URLconf loaded; the bench loads it first
    warm = time.perf_counter() - started
    for i in range(rounds + 1):
        doc = Document.objects.create(
            county=county,
            unit=zf,
            created_by=clerk,
            title=f"关于做好第{i + 1}季度工作的通知",
            doc_number=f"青政办发〔2026〕{i + 1}号",
            status="issued",
            body_html="<p>各单位：……</p>",
        )
        recipients = [
            Recipient.objects.create(document=doc, kind="main" if n % 3 else "cc", unit=u)
            for n, u in enumerate(units)
            if u.pk != zf.pk
        ]
        recipients = list(Recipient.objects.filter(document=doc).select_related("unit"))
        started = time.perf_counter()
        with transaction.atomic():
            services.distribute(document=doc, recipients=recipients, actor=clerk)
            listener.append(time.perf_counter() - started)
        times.append(time.perf_counter() - started)
    cold, times, listener = times[0], times[1:], listener[1:]
    n_units = len(recipients)
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path__endswith="notify_arrived_task")
    started = time.perf_counter()
    for result in queued:
        services.notify_arrived(
            **dict(zip(("document_id", "unit_ids", "actor_id"), result.args_kwargs["args"], strict=True))
        )
    worker = (time.perf_counter() - started) / max(1, queued.count())
    print(
        f"units per distribution: {n_units}; rows now {IncomingDocument.objects.count()}, "
        f"notifications {Notification.objects.count()}, deliveries {Delivery.objects.count()}"
    )
    print(
        f"distribution to {n_units} units ({connection.vendor}, {rounds} rounds): listener median "
        f"{statistics.median(listener) * 1000:.0f} ms; with the commit (one notify task enqueued) median "
        f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; first round in the "
        f"process {cold * 1000:.0f} ms (URLconf load before it: {warm * 1000:.0f} ms)"
    )
    print(
        f"the background notify task (in-app notifications + SMS deliveries to the clerks, run by the "
        f"worker): {worker * 1000:.0f} ms per distribution"
    )
    # 签收: starts the unit's BPMN instance
    from tongban.orgs.models import RoleGrant

    sign_times = []
    for inc in IncomingDocument.objects.filter(source=doc, unit__role_grants__role="clerk").select_related(
        "unit"
    )[:20]:
        grant = RoleGrant.objects.filter(unit=inc.unit, role="clerk").select_related("user").first()
        if grant is None:
            continue
        started = time.perf_counter()
        services.incoming_sign(incoming=inc, actor=grant.user)
        sign_times.append(time.perf_counter() - started)
    print(
        f"签收 (starts the incoming BPMN, completes 签收, opens 登记): median "
        f"{statistics.median(sign_times) * 1000:.1f} ms over {len(sign_times)}; "
        f"starting it for all {n_units} units up front would cost ≈ "
        f"{statistics.median(sign_times) * n_units:.2f} s"
    )
    connection.creation.destroy_test_db(
        ":memory:" if connection.vendor == "sqlite" else connection.settings_dict["NAME"], verbosity=0
    )


if __name__ == "__main__":
    main()
