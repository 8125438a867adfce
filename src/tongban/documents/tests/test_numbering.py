from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tongban.core.errors import PermissionDenied, TongbanError
from tongban.documents import services
from tongban.documents.models import DocStatus, Document, NumberRecord, SeriesCounter
from tongban.documents.tests.conftest import World, signed_document


def test_numbers_are_consecutive_and_formatted(world: World) -> None:
    clerk = world.users["zfb_clerk"]
    docs = [signed_document(world, title=f"文{i}") for i in range(5)]
    records = [services.number_assign(document=d, actor=clerk, year=2026) for d in docs]
    assert [r.serial for r in records] == [1, 2, 3, 4, 5]
    assert [r.text for r in records] == [f"青政办发〔2026〕{i}号" for i in range(1, 6)]
    d = Document.objects.get(pk=docs[2].pk)
    assert (d.doc_number, d.number_serial, d.number_year, d.status) == (
        "青政办发〔2026〕3号",
        3,
        2026,
        DocStatus.NUMBERED,
    )
    # a new year starts again at 1
    assert (
        services.number_assign(document=signed_document(world), actor=clerk, year=2027).text
        == "青政办发〔2027〕1号"
    )


def test_voided_number_is_never_reused(world: World) -> None:
    clerk = world.users["zfb_clerk"]
    a, b = signed_document(world), signed_document(world)
    services.number_assign(document=a, actor=clerk, year=2026)
    services.document_withdraw(document=a, actor=world.users["zfb_head"], reason="内容有误")
    rec = NumberRecord.objects.get(document=a)
    assert rec.state == NumberRecord.State.VOIDED and rec.void_reason == "内容有误"
    assert services.number_assign(document=b, actor=clerk, year=2026).serial == 2
    # gapless: every serial 1..n is recorded (assigned or voided)
    assert list(
        NumberRecord.objects.filter(series=world.series, year=2026)
        .order_by("serial")
        .values_list("serial", flat=True)
    ) == [1, 2]


def test_number_refused_cases_change_nothing(world: World) -> None:
    doc = signed_document(world)
    with pytest.raises(PermissionDenied):
        services.number_assign(document=doc, actor=world.users["staff"], year=2026)
    with pytest.raises(PermissionDenied):
        services.number_assign(document=doc, actor=world.users["cz_clerk"], year=2026)
    draft = signed_document(world)
    Document.objects.filter(pk=draft.pk).update(status=DocStatus.REVIEW)
    with pytest.raises(TongbanError):
        services.number_assign(document=draft, actor=world.users["zfb_clerk"], year=2026)
    assert not NumberRecord.objects.exists()
    assert SeriesCounter.objects.filter(last__gt=0).count() == 0
    services.number_assign(document=doc, actor=world.users["zfb_clerk"], year=2026)
    with pytest.raises(TongbanError):  # twice: refused
        services.number_assign(document=doc, actor=world.users["zfb_clerk"], year=2026)
    assert NumberRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_give_fifty_consecutive_numbers(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are tested on PostgreSQL")
    docs = [signed_document(world, title=f"并发{i}") for i in range(50)]
    clerk = world.users["zfb_clerk"]
    barrier = threading.Barrier(50)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(doc: Document) -> None:
        try:
            barrier.wait(timeout=30)
            rec = services.number_assign(document=doc, actor=clerk, year=2026)
            with lock:
                results.append(rec.text)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(results, key=lambda s: int(s.split("〕")[1][:-1])) == [
        f"青政办发〔2026〕{i}号" for i in range(1, 51)
    ]
    assert SeriesCounter.objects.get(series=world.series, year=2026).last == 50
