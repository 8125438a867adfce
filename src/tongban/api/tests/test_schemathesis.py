"""Schemathesis against the whole OpenAPI document (/api/v1/openapi.json), in-process over WSGI.

Every operation is fuzzed with a bounded number of generated requests (``EXAMPLES_READ`` for GET,
``EXAMPLES_WRITE`` for POST/PUT/PATCH/DELETE): the staff operations with a full bearer token of a
staff member who holds every business role, the ``/public/`` operations anonymously. Each answer
must not be a 5xx, its status code must be documented, and its body must match the documented
schema. Generation is deterministic (``derandomize``, no example database), and each request runs
in a savepoint that is rolled back, so one example never sees another's writes.

Path parameters that are integers are sometimes replaced by the id of a real object of the small
seeded world (a county with units, people, a published service item and cases), so that reads and
writes reach real objects and not only 404s.

All failures are collected and reported together (operation, request, failure)."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tongban.approvals import testing as approvals_testing
from tongban.identity.models import ApiToken, User
from tongban.orgs.models import BusinessRole, Post, RoleGrant

# Generated requests per operation; the whole test stays within ~3 minutes on SQLite on 2 cores.
EXAMPLES_READ = 8
EXAMPLES_WRITE = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
READ_METHODS = {"GET", "HEAD"}


@dataclass
class World:
    token: str
    ids: list[int]


def _seed() -> World:
    w = approvals_testing.build_world()
    assert w.item is not None
    for _i in range(3):
        approvals_testing.new_case(w)
    fuzzer = User.objects.create_user(
        username="fuzzer", password=approvals_testing.PASSWORD, full_name="接口测试"
    )
    for unit_key in ("zf", "scj", "spj", "zwzx"):
        unit = w.units[unit_key]
        Post.objects.create(
            county=w.county, user=fuzzer, unit=unit, title="科员", is_primary=unit_key == "zf"
        )
        for role in BusinessRole:
            if role != BusinessRole.VENUE_TERMINAL:
                RoleGrant.objects.create(county=w.county, user=fuzzer, unit=unit, role=role)
    raw = "tb_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=fuzzer,
        name="schemathesis",
        prefix=raw[:8],
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        rate_per_minute=1_000_000,  # the fuzzer sends hundreds of requests a minute
    )
    ids = sorted(
        {u.pk for u in w.units.values()}
        | {u.pk for u in w.users.values()}
        | {w.item.pk, w.county.pk, fuzzer.pk}
        | set(w.item.__class__.objects.values_list("pk", flat=True))
        | set(approvals_testing.Case.objects.values_list("pk", flat=True))
    )
    return World(token=raw, ids=ids)


def _integer_path_parameters(operation: Any) -> list[str]:
    return [
        p["name"]
        for p in operation.definition.raw.get("parameters", [])
        if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
    ]


def _describe(exc: BaseException) -> str:
    """The failure, short: Schemathesis' failure titles/messages, the request to reproduce it."""
    text = str(exc)
    if isinstance(exc, BaseExceptionGroup):
        text += "".join(f"\n  - {type(e).__name__}: {str(e)[:1500]}" for e in exc.exceptions)
    notes = getattr(exc, "__notes__", [])
    return text + "".join(f"\n  {note[:1500]}" for note in notes)


def _fuzz(operation: Any, world: World, failures: list[str]) -> int:
    """Run ``operation`` with bounded generated cases; return how many requests were sent."""
    # The public side (/api/v1/public/…: anonymous, or a public account's session) is called
    # anonymously; everything else with the staff member's full token.
    public = operation.path.startswith("/api/v1/public/") or operation.definition.raw.get("security") == []
    headers = {} if public else {"Authorization": f"Bearer {world.token}"}
    int_params = _integer_path_parameters(operation)
    examples = EXAMPLES_READ if operation.method.upper() in READ_METHODS else EXAMPLES_WRITE
    sent = [0]

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        for name in int_params:
            if data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(world.ids))
        sid = transaction.savepoint()
        try:
            sent[0] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)
        finally:
            transaction.savepoint_rollback(sid)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # collected, reported together below
        failures.append(f"{operation.label}: {_describe(exc)}")
    return sent[0]


@pytest.mark.django_db
def test_every_operation_conforms_to_the_openapi_document(settings: Any) -> None:
    settings.TONGBAN_API_ANON_RATE_PER_MINUTE = 0  # the anonymous /public/ calls: no rate limit
    from tongban.wsgi import application

    world = _seed()
    failures: list[str] = []
    # In-process WSGI: like Django's test client, keep the test's connection (and its transaction)
    # open across requests instead of closing it at the end of each one.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        operations = _fuzz_all(schema, world, failures)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert operations > (250 if not os.environ.get("TONGBAN_FUZZ_ONLY") else 0)
    assert failures == [], "\n\n".join(failures)


def _fuzz_all(schema: Any, world: World, failures: list[str]) -> int:
    operations = 0
    only = os.environ.get("TONGBAN_FUZZ_ONLY", "")  # a path prefix, to fuzz one module while fixing it
    # A file to write the seconds and requests per operation to, to tune the bounds.
    timings_path = os.environ.get("TONGBAN_FUZZ_TIMINGS")
    timings = open(timings_path, "w", encoding="utf-8") if timings_path else None  # noqa: SIM115
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(only):
            continue
        operations += 1
        started = time.perf_counter()
        sent = _fuzz(operation, world, failures)
        if timings is not None:
            timings.write(f"{time.perf_counter() - started:.2f}\t{sent}\t{operation.label}\n")
    if timings is not None:
        timings.close()
    return operations


def test_schema_class_names_are_unique() -> None:
    """django-ninja files every model under ``#/components/schemas/<class name>``: two different
    models with the same name overwrite each other and one endpoint documents the wrong schema."""
    import importlib
    import inspect
    import json
    import pkgutil

    import pydantic

    import tongban.api

    by_name: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(tongban.api.__path__):
        module = importlib.import_module(f"tongban.api.{info.name}")
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, pydantic.BaseModel)
                and obj.__module__ == module.__name__
            ):
                schema = json.dumps(obj.model_json_schema(), sort_keys=True)
                by_name.setdefault(obj.__name__, {})[info.name] = schema
    clashes = {name: sorted(modules) for name, modules in by_name.items() if len(set(modules.values())) > 1}
    assert clashes == {}


@pytest.mark.django_db
def test_values_the_database_cannot_take_are_a_422_not_a_500(client: Any) -> None:
    """A number beyond 64 bits or (PostgreSQL) a NUL character in a text parameter: the documented
    422 answer, not a database error."""
    from django.db import connection

    world = _seed()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.token}"}
    response = client.get("/api/v1/letters/", {"unit_id": 10**30}, **auth)
    assert response.status_code == 422 and response.json()["code"] == "api.invalid"
    response = client.get(f"/api/v1/documents/{10**30}", **auth)
    assert response.status_code == 422
    if connection.vendor == "postgresql":
        response = client.get("/api/v1/letters/", {"kind": "a\x00b"}, **auth)
        assert response.status_code == 422 and response.json()["code"] == "api.invalid"


@pytest.mark.django_db
def test_notification_preferences_endpoint_reads_the_callers_own_choices(client: Any) -> None:
    from tongban.notify import events
    from tongban.notify.models import ChannelPreference

    world = _seed()
    fuzzer = User.objects.get(username="fuzzer")
    first = events.all_events()[0]
    channel = events.CHANNELS[0]
    default = channel in first.default_channels
    ChannelPreference.objects.create(user=fuzzer, event=first.code, channel=channel, enabled=not default)
    response = client.get("/api/v1/notifications/preferences", HTTP_AUTHORIZATION=f"Bearer {world.token}")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert len(rows) == len(events.all_events())
    assert rows[first.code]["channels"][channel] is (not default)
    assert client.get("/api/v1/notifications/preferences").status_code == 401


def test_every_operation_has_a_chinese_summary_a_tag_and_a_unique_operation_id() -> None:
    import re

    from tongban.api.main import api

    doc = api.get_openapi_schema(path_prefix="/api/v1/")
    seen: set[str] = set()
    missing = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            label = f"{method.upper()} {path}"
            if not re.search(r"[\u4e00-\u9fff]", op.get("summary", "")) or not op.get("tags"):
                missing.append(label)
            assert op["operationId"] not in seen, label
            seen.add(op["operationId"])
    assert missing == []
