"""The Janus harness carries real media: two Chromium pages with fake cameras join a room (created
by the server's HTTP API with the VideoRoom admin_key) on a Janus in its own network namespace,
publish, subscribe to each other and decode video frames. Tokens are required: a page without
one is refused."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest

from tongban.meetings.janus_testing import (
    JanusInstance,
    create_room,
    make_token,
    serve_test_page,
    videoroom_request,
)

pytestmark = pytest.mark.browser


def _open(browser: Any, base: str, inst: JanusInstance, room: int, name: str, token: str | None) -> Any:
    query = {"server": inst.public_url, "room": room, "name": name}
    if token:
        query["token"] = token
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/index.html?{urllib.parse.urlencode(query)}")
    return page


def test_two_pages_exchange_video(media_browser: Any, janus_media: JanusInstance) -> None:
    inst = janus_media
    assert inst.host.startswith("10.77.") and inst.netns
    room = 4100 + int(time.time()) % 1000
    # Only the admin_key may create rooms.
    refused = videoroom_request(inst, {"request": "create", "room": room + 1000, "publishers": 4})
    assert refused.get("videoroom") == "event" and refused.get("error_code")
    create_room(inst, room=room, publishers=4, bitrate=256_000)

    with serve_test_page() as base:
        anonymous = _open(media_browser, base, inst, room, "nobody", None)
        anonymous.wait_for_function("window.tb && window.tb.status === 'error'")
        assert "Unauthorized" in " ".join(anonymous.evaluate("window.tb.errors"))
        anonymous.context.close()

        pages = [
            _open(media_browser, base, inst, room, f"site{i}", make_token(inst.token_secret)) for i in (1, 2)
        ]
        try:
            deadline = time.monotonic() + 30
            decoded = [0, 0]
            while time.monotonic() < deadline and min(decoded) == 0:
                time.sleep(0.5)
                for p in pages:
                    assert p.evaluate("window.tb.errors") == []
                decoded = [p.evaluate("window.tb.framesDecoded()") for p in pages]
            assert min(decoded) > 0, f"frames decoded {decoded}; janus log:\n{inst.log_tail()}"
        finally:
            for p in pages:
                p.evaluate("window.tb.close()")
                p.context.close()
