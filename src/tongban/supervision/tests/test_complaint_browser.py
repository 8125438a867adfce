"""In a real browser: a citizen on a phone (375 px) files a complaint about a department on the
public page and gets its number; the supervisor answers it on the staff page; the citizen reads
the answer by number + phone. No sideways scrolling, no serious accessibility violations
(axe-core) on the public pages, and the complainant got the SMS."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tongban.approvals import testing
from tongban.supervision.models import Complaint, ComplaintStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(django_settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def _serious_axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _sms(path: Path, phone: str) -> list[str]:
    for _ in range(50):
        if path.exists():
            lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
            texts = [x["text"] for x in lines if x["to"] == phone]
            if texts:
                return texts
        time.sleep(0.1)
    return []


def test_citizen_files_supervisor_answers_citizen_looks_up(phone_page, page, live_server, settings, tmp_path):
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.FileSmsBackend"
    settings.TONGBAN_SMS_FILE = tmp_path / "sms.log"
    w = testing.build_world()
    base = live_server.url
    citizen = phone_page

    # the citizen files a complaint about 住建局, without logging in
    citizen.goto(f"{base}/ban/complaints/")
    assert citizen.locator("h1").inner_text() == "我要投诉"
    assert _serious_axe(citizen) == []
    _fits(citizen)
    citizen.get_by_label("某个部门").check()
    citizen.select_option("#id_unit", str(w.units["zjj"].pk))
    citizen.fill("#id_name", "赵六")
    citizen.fill("#id_phone", "13811112222")
    citizen.fill("#id_subject", "规划许可超过承诺时限")
    citizen.fill("#id_text", "10月递交的建设工程规划许可申请至今未办结。")
    citizen.click("#cp-submit")
    citizen.wait_for_load_state()
    number = citizen.locator("#cp-number").inner_text().strip()
    complaint = Complaint.objects.get()
    assert number == complaint.number and complaint.unit == w.units["zjj"]
    _fits(citizen)

    # the supervisor answers it
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", testing.PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()
    page.goto(f"{base}/supervision/complaints/")
    page.get_by_role("link", name=number).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "规划许可超过承诺时限"
    page.get_by_label("属实", exact=True).check()
    page.fill("#id_answer", "经核查属实，已督促住建局于三个工作日内办结，并对承办人员批评教育。")
    page.click("#cp-answer-submit")
    page.wait_for_load_state()
    assert "已答复" in page.locator("#cp-status").inner_text()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.upheld is True
    texts = _sms(tmp_path / "sms.log", "13811112222")
    assert texts and number in texts[-1]

    # the citizen reads the answer: a wrong phone finds nothing, the right one the answer
    citizen.goto(f"{base}/ban/complaints/lookup/")
    citizen.fill("#id_number", number)
    citizen.fill("#id_phone", "13811112223")
    citizen.click("#cp-lookup-submit")
    citizen.wait_for_load_state()
    assert "未找到该投诉" in citizen.content()
    citizen.fill("#id_number", number)
    citizen.fill("#id_phone", "13811112222")
    citizen.click("#cp-lookup-submit")
    citizen.wait_for_load_state()
    answer = citizen.locator("[data-answer]").inner_text()
    assert "已督促住建局于三个工作日内办结" in answer
    assert "经核查，投诉属实。" in citizen.content()
    assert _serious_axe(citizen) == []
    _fits(citizen)
