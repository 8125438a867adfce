"""Staff pages of case handling: the boxes (query count constant in the number of rows), the case
page with the clock's working, the actions as forms with clear errors, downloads through access
checks, the counter (窗口代办) — and the authorization matrix: handler of another unit, public
account session, anonymous, supervisor read-only; refused requests change nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tongban.approvals import handling, testing
from tongban.approvals.models import CaseEvent, CaseMaterial, CaseStatus, EventKind
from tongban.core.clock import moved_to
from tongban.identity import public

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2025, 3, 3, 10, 0)
DAY1 = date(2025, 3, 4)


class NullSms:
    def send(self, phone: str, text: str) -> str:
        return "ok"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"


@pytest.fixture
def w() -> testing.ApprovalWorld:
    return testing.build_world()


def login(client: Any, w: testing.ApprovalWorld, who: str) -> Any:
    client.force_login(w.users[who])
    return client


def with_material(case: Any) -> CaseMaterial:
    m = CaseMaterial(case=case, material=case.version.materials.first(), name="申请书.pdf", size=8)
    m.file.save("申请书.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return m


# --- the list ------------------------------------------------------------------------------------
def test_boxes_and_search(client, w):
    a = testing.new_case(w, received_at=RECEIVED)
    b = testing.new_case(w, received_at=datetime(2025, 3, 4, 10, 0))
    with moved_to(DAY1):
        handling.case_accept(case=b, actor=w.users["handler"])
    login(client, w, "handler")
    with moved_to(DAY1):
        r = client.get(reverse("approvals:cases"))
    assert r.status_code == 200
    body = r.content.decode()
    assert a.tracking_no in body and b.tracking_no not in body
    with moved_to(DAY1):
        r = client.get(reverse("approvals:cases"), {"box": "handling"})
    assert b.tracking_no in r.content.decode() and a.tracking_no not in r.content.decode()
    r = client.get(reverse("approvals:cases"), {"box": "all", "q": b.tracking_no})
    assert b.tracking_no in r.content.decode() and a.tracking_no not in r.content.decode()
    r = client.get(reverse("approvals:cases"), {"box": "all", "q": "张明"})
    assert a.tracking_no in r.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, w, django_assert_max_num_queries):
    login(client, w, "handler")
    testing.new_case(w, received_at=RECEIVED)
    client.get(reverse("approvals:cases"))  # warm caches (calendar, policy)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("approvals:cases"), {"box": "all"})
    for i in range(15):
        testing.new_case(w, received_at=datetime(2025, 3, 3, 11, i))
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = client.get(reverse("approvals:cases"), {"box": "all"})
    assert r.content.decode().count("/approvals/cases/") >= 16


def test_list_only_the_units_cases(client, w):
    zj_item = testing.published_item(w, code="ZJ-1", name="建筑工程施工许可", unit="zjj")
    mine = testing.new_case(w, received_at=RECEIVED)
    theirs = testing.new_case(w, item=zj_item, received_at=RECEIVED)
    body = login(client, w, "handler").get(reverse("approvals:cases"), {"box": "all"}).content.decode()
    assert mine.tracking_no in body and theirs.tracking_no not in body
    client.logout()
    body = login(client, w, "supervisor").get(reverse("approvals:cases"), {"box": "all"}).content.decode()
    assert mine.tracking_no in body and theirs.tracking_no in body


# --- the case page -------------------------------------------------------------------------------
def test_case_page_shows_the_clock_and_the_actions(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    with moved_to(DAY1):
        handling.case_accept(case=case, actor=w.users["handler"])
        r = login(client, w, "handler").get(reverse("approvals:case", args=[case.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "clock-lines" in body and "承诺期限" in body and "2025-03-11" in body  # committed 5 from 03-04
    assert "clock-steps" in body and "审查" in body
    assert 'id="act-review"' in body and 'id="act-pause"' in body and 'id="act-decide"' not in body
    assert "受理通知书" in body


def test_actions_through_the_page(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    login(client, w, "handler")
    url = lambda a: reverse("approvals:case_action", args=[case.pk, a])  # noqa: E731
    with moved_to(DAY1):
        r = client.post(url("reject"), {"reason": "not_eligible", "text": ""})
        assert r.status_code == 400 and "请写明不予受理的具体事实和理由" in r.content.decode()
        r = client.post(url("accept"), {"note": ""})
        assert r.status_code == 302
        r = client.post(url("pause"), {"reason": "holiday", "expected_days": "3"})
        assert r.status_code == 400
        r = client.post(url("pause"), {"reason": "testing", "expected_days": "5", "note": "送检"})
        assert r.status_code == 302
        r = client.post(url("resume"), {"note": ""})
        assert r.status_code == 302
        r = client.post(url("review"), {"opinion": "符合条件。"})
        assert r.status_code == 302
        r = client.post(url("extend"), {"days": "11", "reason": "x"})
        assert r.status_code == 400
        r = client.post(url("extend"), {"days": "5", "reason": "需现场核查。"})
        assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.current_step == "decide"
    ext = case.extensions.get()
    client.logout()
    login(client, w, "scj_leader")
    with moved_to(DAY1):
        body = client.get(reverse("approvals:case", args=[case.pk])).content.decode()
        assert 'id="act-decide"' in body and f'id="ext-{ext.pk}-submit"' in body
        r = client.post(reverse("approvals:case_extension_decide", args=[case.pk, ext.pk]), {"approve": "1"})
        assert r.status_code == 302
        r = client.post(url("decide"), {"decision": "refuse", "reasons": "", "appeal_rights": "x"})
        assert r.status_code == 400 and "应当说明理由" in r.content.decode()
        r = client.post(url("decide"), {"decision": "grant"})
        assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.extension_days == 5


def test_material_download_checks_access(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    m = with_material(case)
    url = reverse("approvals:case_material", args=[case.pk, m.pk])
    assert login(client, w, "handler").get(url).status_code == 200
    client.logout()
    assert login(client, w, "zj_handler").get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


# --- the authorization matrix --------------------------------------------------------------------
@pytest.mark.parametrize("who", ["zj_handler", "zj_leader", "outsider", "catalogue"])
def test_other_units_cannot_see_or_act(client, w, who):
    case = testing.new_case(w, received_at=RECEIVED)
    login(client, w, who)
    assert client.get(reverse("approvals:case", args=[case.pk])).status_code == 404
    r = client.post(reverse("approvals:case_action", args=[case.pk, "accept"]), {"note": ""})
    assert r.status_code == 404
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [EventKind.RECEIVED]


def test_supervisor_reads_but_cannot_act(client, w):
    case = testing.new_case(w, received_at=RECEIVED)
    login(client, w, "supervisor")
    r = client.get(reverse("approvals:case", args=[case.pk]))
    assert (
        r.status_code == 200
        and "不能办理" in r.content.decode()
        and 'id="act-accept"' not in r.content.decode()
    )
    for action, data in [
        ("accept", {}),
        ("reject", {"reason": "not_eligible", "text": "x"}),
        ("supplement", {"items_text": "x"}),
        ("withdraw", {"note": "x"}),
        ("fee", {"name": "x", "amount": "1"}),
    ]:
        r = client.post(reverse("approvals:case_action", args=[case.pk, action]), data)
        assert r.status_code == 403, action
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [EventKind.RECEIVED]


def test_anonymous_and_public_session_are_refused(client, w, rf):
    case = testing.new_case(w, received_at=RECEIVED)
    for url in (
        reverse("approvals:cases"),
        reverse("approvals:case", args=[case.pk]),
        reverse("approvals:counter"),
    ):
        assert client.get(url).status_code == 302
    r = client.post(reverse("approvals:case_action", args=[case.pk, "accept"]))
    assert r.status_code == 302
    # a citizen logged in to the hall is still anonymous on staff pages
    session = client.session
    session[public.SESSION_KEY] = w.citizen.pk
    session[public.SESSION_HASH] = public._hash(w.citizen)
    session.save()
    assert client.get(reverse("approvals:case", args=[case.pk])).status_code == 302
    r = client.post(reverse("approvals:case_action", args=[case.pk, "accept"]))
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_staff_without_cases_gets_403_on_the_list(client, w):
    assert login(client, w, "outsider").get(reverse("approvals:cases")).status_code == 403


# --- counter (窗口代办) ---------------------------------------------------------------------------
def test_counter_is_for_window_clerks(client, w):
    assert login(client, w, "handler").get(reverse("approvals:counter")).status_code == 403
    client.logout()
    assert login(client, w, "supervisor").get(reverse("approvals:counter")).status_code == 403


def test_counter_files_for_the_applicant(client, w):
    login(client, w, "window")
    r = client.get(reverse("approvals:counter"))
    assert r.status_code == 200 and w.item.name in r.content.decode()
    r = client.get(reverse("approvals:counter"), {"item": w.item.code})
    assert 'id="counter-form"' in r.content.decode()
    mats = list(w.item.current.materials.filter(required=True))
    data = {
        "item": w.item.code, "kind": "person", "name": "赵大", "id_number": "330102199001011234",
        "phone": "13900001111", "f_business_name": "赵大小吃店", "f_address": "青山县城关镇人民路1号",
        "f_scope": "热食类食品制售",
    }  # fmt: skip
    for m in mats:
        data[f"material_{m.pk}"] = ContentFile(b"%PDF-1.4\n%test\n", name=f"{m.pk}.pdf")
    r = client.post(reverse("approvals:counter"), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    case = w.item.cases.get(applicant_name="赵大")
    assert case.channel == "counter" and case.filed_by == w.users["window"]
    # the clerk can read the case they filed; the unit handles it
    assert client.get(reverse("approvals:case", args=[case.pk])).status_code == 200
    assert client.post(reverse("approvals:case_action", args=[case.pk, "accept"])).status_code == 403


def test_a_huge_box_is_counted_only_up_to_the_cap(client, w, monkeypatch):
    from tongban.approvals import handling_selectors

    monkeypatch.setattr(handling_selectors, "COUNT_CAP", 2)
    for i in range(4):
        testing.new_case(w, received_at=datetime(2025, 3, 3, 10, i))
    body = login(client, w, "handler").get(reverse("approvals:cases"), {"box": "all"}).content.decode()
    assert "请按受理编号、申请人或单位缩小范围" in body


def test_notice_pdf_through_access_checks(client, w):
    from tongban.seals import services as seal_services

    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    case = testing.new_case(w, received_at=RECEIVED)
    with moved_to(DAY1):
        handling.case_accept(case=case, actor=w.users["handler"])
    notice = case.notices.get(kind="acceptance")
    url = reverse("approvals:case_notice_pdf", args=[case.pk, notice.pk])
    r = login(client, w, "handler").get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    client.logout()
    assert login(client, w, "zj_handler").get(url).status_code == 404
    client.logout()
    assert login(client, w, "supervisor").get(url).status_code == 200


def test_all_box_lists_open_states_then_finished_newest_first(client, w):
    """全部: each open state in the boxes' order by its deadline, then the finished cases newest
    first — every part read in the order of its partial index; pages run across the parts."""
    from django.utils import timezone

    from tongban.approvals import handling_selectors as sel
    from tongban.approvals.models import Case

    cases = [testing.new_case(w, received_at=datetime(2025, 3, 3, 10, i)) for i in range(6)]
    with moved_to(DAY1):
        handling.case_accept(case=cases[0], actor=w.users["handler"])
    for i, c in enumerate(cases[4:]):
        Case.objects.filter(pk=c.pk).update(
            is_open=False,
            status=CaseStatus.COMPLETED,
            completed_at=timezone.make_aware(datetime(2025, 3, 10 + i, 9, 0)),
        )
    handler = w.users["handler"]
    chain = sel.cases_for_unit(handler, box="all")
    expected = [cases[1].pk, cases[2].pk, cases[3].pk, cases[0].pk, cases[5].pk, cases[4].pk]
    assert chain.count() == 6
    assert [c.pk for c in chain[0:6]] == expected
    assert [c.pk for c in chain[2:5]] == expected[2:5]
    assert chain[5].pk == expected[5]
    monkey = sel.Chain(chain.parts, cap=4)
    assert monkey.count() == 4 and [c.pk for c in monkey[0:10]] == expected[:4]
    login(client, w, "handler")
    body = client.get(reverse("approvals:cases"), {"box": "all"}).content.decode()
    positions = [body.index(Case.objects.get(pk=pk).tracking_no) for pk in expected]
    assert positions == sorted(positions)


def test_open_boxes_and_the_supervisors_filter_read_the_partial_indexes(w):
    """Open boxes filter ``is_open`` (approvals_case_*_open), 已办结 ``NOT is_open``; a supervisor
    whose own units are in the county is filtered on the county alone (no OR with the units)."""
    from tongban.approvals import handling_selectors as sel

    sql = str(sel.cases_for_unit(w.users["handler"], box="pending").query)
    assert '"is_open"' in sql and "ORDER BY" in sql
    done = str(sel.cases_for_unit(w.users["handler"], box="done").query)
    assert 'NOT "approvals_case"."is_open"' in done.replace("NOT (", "NOT ")
    sup = str(sel.visible_cases(w.users["supervisor"]).query)
    assert '"county_id" IN' in sup and '"unit_id" IN' not in sup
