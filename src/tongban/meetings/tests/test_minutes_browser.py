"""In Chromium: the organiser opens 会议纪要, generates the draft from the agenda, writes the decision
into the editor (Quill), saves, opens the PDF and hands the minutes to the documents flow; an
attendee on a phone reads them; the recordings page explains there is no recording yet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.documents.models import Document
from tongban.meetings.models import Minutes, MinutesStatus
from tongban.meetings.testing import PASSWORD, build_world, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#tb-login-submit")
    page.wait_for_load_state()


def test_minutes_in_the_browser(
    page: Any, phone_page: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world()
    start = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    meeting = make_meeting(w, starts_at=start, confirm={"scj": ("scj_head",)})
    base = live_server.url

    _login(page, base, "organiser")
    page.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    page.click("#minutes-draft")
    page.wait_for_load_state()
    assert page.locator("#id_title").input_value() == "全县市场监管工作视频会议纪要"
    editor = page.locator("#doc-editor .ql-editor")
    assert "一、传达上级会议精神" in editor.inner_text()
    # write the decision under the first item
    editor.locator("p", has_text="会议议定").first.click()
    page.keyboard.press("End")
    page.keyboard.type("会议要求各乡镇于月底前完成自查。")
    page.click("#minutes-save")
    page.wait_for_load_state()
    m = Minutes.objects.get(meeting=meeting)
    assert (
        "会议要求各乡镇于月底前完成自查。" in m.body_html and "<h2>一、传达上级会议精神</h2>" in m.body_html
    )
    with page.expect_popup() as popup:
        page.click("#minutes-pdf")
    assert popup.value.url.endswith(f"/meetings/{meeting.pk}/minutes/pdf/")
    popup.value.close()
    page.click("#minutes-to-documents")
    page.wait_for_load_state()
    assert page.locator("#minutes-status").inner_text() == "已转公文办理"
    doc = Document.objects.get()
    assert doc.doc_type == "纪要" and "月底前完成自查" in doc.body_html
    assert Minutes.objects.get(meeting=meeting).status == MinutesStatus.IN_DOCUMENTS
    assert page.locator("#minutes-document").get_attribute("href") == f"/documents/{doc.pk}/"

    # an attendee reads them on a phone; no editing controls; no horizontal scrolling
    _login(phone_page, base, "scj_head")
    phone_page.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    assert "会议要求各乡镇于月底前完成自查。" in phone_page.locator("#minutes-body").inner_text()
    assert phone_page.locator("#minutes-draft").count() == 0
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone_page.goto(f"{base}/meetings/{meeting.pk}/recordings/")
    assert "本次会议没有录像" in phone_page.locator("#rec-empty").inner_text()
