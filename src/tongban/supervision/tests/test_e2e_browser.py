"""The whole life of a case in a real browser, on simulated days (tongban.core.clock, tests only):

A citizen applies online and gets a supplement notice. They supplement, and the case is accepted.
It is paused for 检测 and resumed, then granted. The citizen downloads the sealed certificate and
rates the case. Each step's deadline is the exact working day the law gives.

Then the supervisor watches another case's light go 正常 → 预警 → 黄牌 → 红牌 as the days pass.
The sweep runs on each simulated day, as the scheduler would."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tongban.approvals import testing
from tongban.approvals.models import Case, CaseStatus, EventKind
from tongban.core import clock as core_clock
from tongban.seals import services as seal_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class NullSms:
    def send(self, phone: str, text: str) -> str:
        return "ok"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SMS_BACKEND = f"{__name__}.NullSms"
    yield
    core_clock.set_test_now(None)


def _at(d: date, hour: int = 10) -> None:
    core_clock.set_test_now(timezone.make_aware(datetime(d.year, d.month, d.day, hour, 0)))


def _staff(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def _citizen(page: Any, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/ban/login/")
    page.fill("#id_login", testing.CITIZEN_PHONE)
    page.fill("#id_password", testing.PASSWORD)
    page.click("#ban-login-submit")
    page.wait_for_load_state()


def _act(page: Any, base: str, case: Case, action: str, fields: dict[str, str] | None = None) -> None:
    """Open the case page, unfold the action, fill its fields and submit it."""
    page.goto(f"{base}/approvals/cases/{case.pk}/")
    if page.locator(f"#act-{action} summary").count():
        page.click(f"#act-{action} summary")
    for selector, value in (fields or {}).items():
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        elif value == "check":
            page.check(selector)
        else:
            page.fill(selector, value)
    page.click(f"#act-{action}-submit")
    page.wait_for_load_state()


def _choose(page: Any, name: str, value: str) -> None:
    """A rating field: a radio group or a select, whichever the form uses."""
    radio = page.locator(f"input[name='{name}'][value='{value}']")
    if radio.count():
        radio.check()
    else:
        page.select_option(f"select[name='{name}']", value)


def test_a_case_from_application_to_rating_on_its_lawful_days(page, live_server):
    w = testing.build_world()
    seal_services.ca_init(county=w.county)
    seal_services.certificate_issue(unit=w.units["scj"])
    base = live_server.url
    item = w.item
    assert item is not None and item.current is not None
    required = list(item.current.materials.filter(required=True))

    # Mon 2025-03-03: the citizen applies online.
    _at(date(2025, 3, 3))
    _citizen(page, base)
    page.goto(f"{base}/ban/apply/{item.code}/")
    page.fill("#id_form_business_name", "张明小吃店")
    page.fill("#id_form_address", "青山县城关镇解放路 8 号")
    page.select_option("#id_form_scope", "热食类食品制售")
    for m in required:
        page.set_input_files(
            f"#id_material_{m.pk}",
            files=[{"name": f"{m.name}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
    page.click("#ban-apply-submit")
    page.wait_for_selector("#tracking-no")
    case = Case.objects.get()
    assert page.inner_text("#tracking-no") == case.tracking_no
    assert case.preaccept_due == date(2025, 3, 10)  # 4, 5, 6, 7, 10 March (第三十二条)

    # The same day the handler asks, once, for everything missing.
    _staff(page, base, "handler")
    _act(
        page, base, case, "supplement",
        {"#supplement-materials-1": "check", "#supplement-items_text": "申请书未签字，请补正签字后的申请书。"},
    )  # fmt: skip
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT

    # Tue 03-04: the citizen reads the notice and supplements.
    _at(date(2025, 3, 4))
    _citizen(page, base)
    page.goto(f"{base}/ban/my/{case.tracking_no}/")
    assert "补正" in page.inner_text("#case-notices")
    page.set_input_files(
        f"#sup_material_{required[0].pk}",
        files=[{"name": "申请书（已签字）.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.fill("#sup_note", "已补正签字后的申请书。")
    page.click("#ban-supplement-submit")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.preaccept_due == date(2025, 3, 11)  # a new window from the supplement day

    # Wed 03-05: accepted. Committed 5 → 6, 7, 10, 11, 12 March; statutory 20 → 2 April.
    _at(date(2025, 3, 5))
    _staff(page, base, "handler")
    _act(page, base, case, "accept")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert (case.accepted_on, case.due_committed, case.due_statutory) == (
        date(2025, 3, 5), date(2025, 3, 12), date(2025, 4, 2),
    )  # fmt: skip

    # Thu 03-06: paused for 检测 (第四十五条); Tue 03-11: resumed. (6 March, 11 March] = 7, 10, 11.
    _at(date(2025, 3, 6))
    _act(
        page,
        base,
        case,
        "pause",
        {"#pause-reason": "testing", "#pause-expected_days": "3", "#pause-note": "送检"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PAUSED and case.due_on is None
    _at(date(2025, 3, 11))
    _act(page, base, case, "resume", {"#resume-note": "检测报告已出具。"})
    case.refresh_from_db()
    assert case.paused_days == 3 and case.due_committed == date(2025, 3, 17)  # 12 March + 13, 14, 17
    page.goto(f"{base}/approvals/cases/{case.pk}/")
    assert "扣除 3 个工作日" in page.inner_text("body")
    _act(page, base, case, "review", {"#review-opinion": "检测合格，材料齐全，建议准予许可。"})

    # Wed 03-12: the unit head grants; Thu 03-13: the certificate is issued (第四十四条: by 26 March).
    _at(date(2025, 3, 12))
    _staff(page, base, "scj_leader")
    _act(page, base, case, "decide", {"#decide-decision-1": "check"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.cert_due == date(2025, 3, 26)
    _at(date(2025, 3, 13))
    _staff(page, base, "handler")
    _act(page, base, case, "certify")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and not case.is_open
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in (EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENTED, EventKind.PAUSED, EventKind.RESUMED):
        assert kind in kinds

    # The citizen downloads the sealed certificate and rates the case.
    _citizen(page, base)
    page.goto(f"{base}/ban/my/{case.tracking_no}/")
    with page.expect_download() as dl:
        page.click(f"a[href='/ban/my/{case.tracking_no}/certificate.pdf']")
    data = Path(dl.value.path()).read_bytes()
    result = seal_services.verify_pdf(data)
    assert data.startswith(b"%PDF") and result.ok and result.unit == w.units["scj"]
    _choose(page, "level", "5")
    for name in ("efficiency", "guide_accuracy", "convenience", "operability"):
        _choose(page, name, "5")
    page.click("#ban-rate-submit")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.rating.level == 5


def test_the_supervisor_sees_the_light_change_as_the_days_pass(page, live_server):
    from tongban.supervision import sweep

    w = testing.build_world()
    base = live_server.url
    # Received and accepted Mon 2025-03-03: committed 5 → 10 March; 预警 from 6 March (2 working
    # days before), 黄牌 from 11 March, 红牌 from 14 March (10 March + 11, 12, 13 to rectify).
    _at(date(2025, 3, 3))
    case = testing.new_case(w, received_at=timezone.make_aware(datetime(2025, 3, 3, 9, 0)))
    testing.event(case, EventKind.ACCEPTED, timezone.make_aware(datetime(2025, 3, 3, 11, 0)))
    _staff(page, base, "supervisor")
    seen = {}
    for day, label in (
        (date(2025, 3, 4), "正常"),
        (date(2025, 3, 6), "预警"),
        (date(2025, 3, 11), "黄牌"),
        (date(2025, 3, 14), "红牌"),
    ):
        _at(day)
        sweep.sweep(today=day)
        page.goto(f"{base}/supervision/cases/?q={case.tracking_no}")
        row = page.locator("tr", has_text=case.tracking_no)
        seen[day] = row.locator(".badge").first.inner_text()
        assert seen[day] == label, seen
    case.refresh_from_db()
    assert case.light == "red"
    changes = list(case.light_changes.order_by("id").values_list("old", "new", "at"))
    assert [(o, n) for o, n, _at in changes] == [
        ("green", "warning"),
        ("warning", "yellow"),
        ("yellow", "red"),
    ], changes
