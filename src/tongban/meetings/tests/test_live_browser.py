"""End to end, in two headless Chromiums with a fake camera and microphone, through a real Janus
(in its own network namespace, see janus_testing): the chair (王副县长) and a participant named in
市场监管局's 回执 (陈局长) open the meeting room page; each receives the other's video (inbound
video frames decoded > 0); people who are not invited are refused (the page and the ticket
endpoint); the chair mutes the participant: the participant's page says so and its microphone
button is locked, the chair's page shows the muted icon on that site, the Attendee row is muted
and a MeetingEvent is stored."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.meetings import video
from tongban.meetings.models import Attendee, MeetingEvent, MeetingKind
from tongban.meetings.testing import PASSWORD, build_world, make_meeting
from tongban.meetings.tests.conftest import use_janus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Sites:
    """One browser context per page (janus.js long-polls; Chromium allows 6 connections per
    host per context)."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base
        self.contexts: list[Any] = []
        self.pages: list[Any] = []

    def open(self, username: str) -> Any:
        ctx = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
        ctx.grant_permissions(["camera", "microphone"], origin=self.base)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.set_default_navigation_timeout(30_000)  # the first page of a busy test machine
        self.contexts.append(ctx)
        self.pages.append(page)
        page.goto(f"{self.base}/account/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("#tb-login-submit")
        page.wait_for_load_state()
        return page

    def close(self) -> None:
        for page in self.pages:
            # leave the room properly: janus.destroy() (no stale feed for the next test)
            with contextlib.suppress(Exception):  # a page already gone
                page.evaluate("() => window.tbLive ? window.tbLive.leave() : null")
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def sites(media_browser: Any, live_server: Any) -> Iterator[Sites]:
    s = Sites(media_browser, live_server.url)
    yield s
    s.close()


def _wait_frames(page: Any, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    frames = 0
    while time.monotonic() < deadline:
        frames = page.evaluate("() => window.tbLive.framesDecoded()")
        if frames > 0:
            return int(frames)
        page.wait_for_timeout(250)
    phase = page.evaluate("() => window.tbLive.phase")
    notice = page.locator("#live-notice").inner_text()
    raise AssertionError(f"no video frames decoded in {timeout}s (phase {phase!r}, notice {notice!r})")


def _joined(meeting: Any, user: Any, timeout: float = 15.0) -> Attendee:
    """The attendee row once the page has reported its feed (the report may be retried)."""
    deadline = time.monotonic() + timeout
    while True:
        a = Attendee.objects.get(meeting=meeting, user=user)
        if a.janus_feed or time.monotonic() > deadline:
            return a
        time.sleep(0.25)


def _post_ticket(page: Any, meeting_id: int) -> tuple[int, dict[str, Any]]:
    status, body = page.evaluate(
        """async (id) => {
            const input = document.querySelector('input[name=csrfmiddlewaretoken]');
            const cookie = (document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || '';
            const csrf = input ? input.value : decodeURIComponent(cookie);
            const r = await fetch('/api/v1/meetings/' + id + '/video/ticket', {
                method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}, body: '{}'});
            return [r.status, await r.json()];
        }""",
        meeting_id,
    )
    return int(status), body


def test_two_sites_see_each_other_and_the_chair_mutes(sites: Sites, janus_media: Any, settings: Any) -> None:
    use_janus(settings, janus_media)
    w = build_world()
    m = make_meeting(
        w,
        kind=MeetingKind.VIDEO,
        starts_at=timezone.now() - timedelta(minutes=5),
        minutes=65,
        confirm={"scj": ("scj_head",)},
    )
    video.open_room(meeting=m)
    url = f"{sites.base}/meetings/{m.pk}/live/"

    chair = sites.open("deputy")
    chair.goto(url)
    participant = sites.open("scj_head")
    participant.goto(url)

    # each receives the other's video
    assert _wait_frames(chair) > 0
    assert _wait_frames(participant) > 0
    head = _joined(m, w.users["scj_head"])
    deputy = _joined(m, w.users["deputy"])
    assert head.janus_feed and deputy.janus_feed and head.janus_mids.get("audio") is not None
    assert chair.evaluate("() => window.tbLive.subscribedFeeds()") == [head.janus_feed]
    # the sites are labelled: the participant's tile on the chair's page
    tile = chair.locator(f'.tb-live-tile[data-attendee="{head.pk}"]')
    tile.locator(".tb-live-name").wait_for()
    assert "陈局长" in tile.locator(".tb-live-name").inner_text()

    # people who are not invited are refused: the page and the ticket
    clerk = sites.open("scj_clerk")  # fills in 市场监管局's 回执, is not named in it
    resp = clerk.goto(url)
    assert resp is not None and resp.status == 403
    assert "不是本次会议的参会人员" in clerk.locator("#live-refused").inner_text()
    status, body = _post_ticket(clerk, m.pk)
    assert status == 403 and body["code"] == "meetings.not_invited" and "token" not in body
    stranger = sites.open("by_clerk")  # 白云镇 is not invited at all
    resp = stranger.goto(url)
    assert resp is not None and resp.status == 404
    status, body = _post_ticket(stranger, m.pk)
    assert status in (403, 404) and "token" not in body
    assert not Attendee.objects.filter(
        meeting=m, user__in=[w.users["scj_clerk"], w.users["by_clerk"]]
    ).exists()

    # the chair mutes the participant
    row = chair.locator(f'#live-participants li[data-attendee="{head.pk}"]')
    row.locator('button[data-action="audio"]').click()
    # … the participant is told and cannot unmute itself
    notice = participant.locator("#live-chair-notice")
    notice.wait_for(state="visible", timeout=10_000)
    assert "主持人已将您静音" in notice.inner_text()
    assert participant.locator("#live-mic").is_disabled()
    assert participant.evaluate("() => window.tbLive.state.me.audio_muted") is True
    # … and the chair's page shows the muted icon on that site
    chair.locator(
        f'.tb-live-tile[data-attendee="{head.pk}"][data-audio-muted="1"] .tb-live-icon-mic'
    ).wait_for(state="visible", timeout=10_000)
    head.refresh_from_db()
    assert head.audio_muted is True
    assert MeetingEvent.objects.filter(
        meeting=m, kind="audio_muted", attendee=head, actor=w.users["deputy"]
    ).exists()
    # video still flows after the mute
    assert _wait_frames(chair) > 0

    # the chair puts the participant's site on the main screen: everyone sees it large
    row.locator('button[data-action="main"]').click()
    chair.locator(f'#live-main .tb-live-tile[data-attendee="{head.pk}"]').wait_for(timeout=10_000)
    participant.locator(f'#live-main .tb-live-tile[data-attendee="{head.pk}"]').wait_for(timeout=10_000)
    if os.environ.get("TONGBAN_LIVE_SHOTS"):
        chair.screenshot(path=os.environ["TONGBAN_LIVE_SHOTS"] + "/chair.png")
        participant.screenshot(path=os.environ["TONGBAN_LIVE_SHOTS"] + "/participant.png")
    # … and removes it: the participant's page says so and leaves the room
    chair.once("dialog", lambda d: d.accept())
    row.locator('button[data-action="remove"]').click()
    participant.locator("#live-notice", has_text="移出").wait_for(timeout=10_000)
    assert participant.evaluate("() => window.tbLive.phase") == "removed"
    # (Janus kicks the feed before the platform's transaction commits: wait for the chair's list)
    row.locator(".badge", has_text="已移出").wait_for(timeout=10_000)
    head.refresh_from_db()
    assert head.removed is True
