"""The Janus HTTP API client against a real Janus 1.1.2 on 127.0.0.1 (signalling only): rooms
with an ACL, joins refused without a listed token or with a wrong PIN, moderate/kick/recording,
and core tokens (expired or wrongly signed ones are refused by Janus itself)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tongban.meetings.janus import (
    NO_SUCH_FEED,
    NO_SUCH_ROOM,
    UNAUTHORIZED,
    JanusClient,
    JanusError,
    JanusUnavailable,
    sign_token,
)


def _room_id() -> int:
    return 100_000_000 + secrets.randbelow(899_999_999)


@pytest.fixture
def local_janus(janus_signalling: Any) -> Any:
    """The ops harness's Janus on 127.0.0.1 (token auth, rooms only with the admin_key)."""
    return janus_signalling


@pytest.fixture
def server(local_janus: Any) -> Iterator[JanusClient]:
    with JanusClient(local_janus.url, local_janus.token_secret, local_janus.room_admin_key) as jc:
        yield jc


@pytest.fixture
def room(server: JanusClient) -> Iterator[dict[str, Any]]:
    spec: dict[str, Any] = {"room": _room_id(), "secret": secrets.token_hex(8), "pin": secrets.token_hex(4)}
    server.create_room(
        room_id=spec["room"],
        description="全县视频会议",
        secret=spec["secret"],
        pin=spec["pin"],
        publishers=4,
        allowed=["listed-token"],
    )
    yield spec
    with contextlib.suppress(JanusError):
        server.destroy_room(room=spec["room"], secret=spec["secret"])


def _browser(inst: Any, expiry: int | None = None) -> JanusClient:
    """A client that acts as a browser would: a core token signed for the videoroom plugin."""
    token = sign_token(inst.token_secret, expiry or int(time.time()) + 600)
    return JanusClient(inst.url, token=token)


def test_sign_token_format() -> None:
    token = sign_token("s3cret", 1_900_000_000)
    data, sig = token.split(":")
    assert data == "1900000000,janus,janus.plugin.videoroom"
    assert sig == base64.b64encode(hmac.new(b"s3cret", data.encode(), hashlib.sha1).digest()).decode()
    assert sign_token("s", 5, plugins=("a", "b")).startswith("5,janus,a,b:")


def test_info_and_unreachable_server(local_janus: Any) -> None:
    info = JanusClient(local_janus.url).info()
    assert info["version_string"] == "1.1.2"
    assert "janus.plugin.videoroom" in info["plugins"]
    with pytest.raises(JanusUnavailable):
        JanusClient("http://127.0.0.1:9/janus", timeout=1).info()


def test_create_room_is_private_with_pin_acl_and_locked_recording(server: JanusClient, room: dict) -> None:
    assert server.exists(room=room["room"]) is True
    info = server.room_info(room=room["room"])
    assert info is not None
    assert info["is_private"] is True and info["pin_required"] is True
    assert info["require_pvtid"] is True and info["notify_joining"] is True
    assert info["lock_record"] is True and info["max_publishers"] == 4
    # Creating the same room again is refused (the service layer relies on exists()).
    with pytest.raises(JanusError):
        server.create_room(
            room_id=room["room"], description="x", secret="x", pin="x", publishers=2, allowed=[]
        )


def test_only_the_server_with_the_admin_key_creates_rooms(local_janus: Any) -> None:
    with _browser(local_janus) as browser, pytest.raises(JanusError) as err:
        browser.create_room(
            room_id=_room_id(), description="x", secret="x", pin="x", publishers=2, allowed=[]
        )
    assert "admin_key" in err.value.reason


def test_join_needs_a_listed_token_and_the_pin(local_janus: Any, server: JanusClient, room: dict) -> None:
    with _browser(local_janus) as browser:
        with pytest.raises(JanusError) as err:
            browser.join_publisher(room=room["room"], display="1|甲", token="not-listed", pin=room["pin"])
        assert err.value.code == UNAUTHORIZED
        with pytest.raises(JanusError) as err:
            browser.join_publisher(room=room["room"], display="1|甲", token="listed-token", pin="wrong")
        assert err.value.code == UNAUTHORIZED
        assert server.list_participants(room=room["room"]) == []
        joined = browser.join_publisher(
            room=room["room"], display="1|甲", token="listed-token", pin=room["pin"]
        )
        assert joined["videoroom"] == "joined" and joined["private_id"]
        people = server.list_participants(room=room["room"])
        assert [(p["id"], p["display"]) for p in people] == [(joined["id"], "1|甲")]


def test_allowed_add_and_remove_change_who_may_join(
    local_janus: Any, server: JanusClient, room: dict
) -> None:
    added = server.allowed(room=room["room"], secret=room["secret"], action="add", tokens=["late"])
    assert set(added) == {"listed-token", "late"}
    with _browser(local_janus) as browser:
        assert browser.join_publisher(room=room["room"], display="2|乙", token="late", pin=room["pin"])["id"]
    remaining = server.allowed(room=room["room"], secret=room["secret"], action="remove", tokens=["late"])
    assert remaining == ["listed-token"]
    with _browser(local_janus) as browser, pytest.raises(JanusError) as err:
        browser.join_publisher(room=room["room"], display="2|乙", token="late", pin=room["pin"])
    assert err.value.code == UNAUTHORIZED
    with pytest.raises(JanusError) as err:
        server.allowed(room=room["room"], secret="wrong", action="add", tokens=["x"])
    assert err.value.code == UNAUTHORIZED


def test_kick_moderate_and_recording(
    local_janus: Any, server: JanusClient, room: dict, tmp_path: Any
) -> None:
    with _browser(local_janus) as browser:
        feed = browser.join_publisher(
            room=room["room"], display="3|丙", token="listed-token", pin=room["pin"]
        )["id"]
        # No media published yet: the stream does not exist (the services tolerate this).
        with pytest.raises(JanusError) as err:
            server.moderate(room=room["room"], secret=room["secret"], feed=feed, mid="0", mute=True)
        assert err.value.code == NO_SUCH_FEED
        rec_dir = tmp_path / "rec"
        rec_dir.mkdir()
        server.edit_rec_dir(room=room["room"], secret=room["secret"], rec_dir=str(rec_dir))
        server.enable_recording(room=room["room"], secret=room["secret"], on=True)
        info = server.room_info(room=room["room"])
        assert info and info["record"] is True and info["rec_dir"] == str(rec_dir)
        server.enable_recording(room=room["room"], secret=room["secret"], on=False)
        assert (server.room_info(room=room["room"]) or {})["record"] is False
        with pytest.raises(JanusError) as err:
            server.kick(room=room["room"], secret="wrong", feed=feed)
        assert err.value.code == UNAUTHORIZED
        server.kick(room=room["room"], secret=room["secret"], feed=feed)
        assert server.list_participants(room=room["room"]) == []


def test_destroy_room(server: JanusClient, room: dict) -> None:
    server.destroy_room(room=room["room"], secret=room["secret"])
    assert server.exists(room=room["room"]) is False
    with pytest.raises(JanusError) as err:
        server.destroy_room(room=room["room"], secret=room["secret"])
    assert err.value.code == NO_SUCH_ROOM


def test_janus_refuses_expired_and_forged_core_tokens(local_janus: Any) -> None:
    with _browser(local_janus) as ok:
        assert ok.session_id
    expired = sign_token(local_janus.token_secret, int(time.time()) - 5)
    with pytest.raises(JanusError) as err, JanusClient(local_janus.url, token=expired):
        pass
    assert err.value.code == 403
    forged = sign_token("not-the-secret", int(time.time()) + 600)
    with pytest.raises(JanusError) as err, JanusClient(local_janus.url, token=forged):
        pass
    assert err.value.code == 403
    other_plugin = sign_token(
        local_janus.token_secret, int(time.time()) + 600, plugins=("janus.plugin.echotest",)
    )
    with pytest.raises(JanusError), JanusClient(local_janus.url, token=other_plugin):
        pass  # a session is created, but the handle may not attach the videoroom


def test_session_is_destroyed_on_exit(local_janus: Any) -> None:
    jc = JanusClient(local_janus.url, local_janus.token_secret)
    with jc:
        session = jc.session_id
        jc.keepalive()
    assert jc.session_id is None
    probe = JanusClient(local_janus.url, local_janus.token_secret)
    with pytest.raises(JanusError) as err:
        probe._post(f"/{session}", {"janus": "keepalive"})
    assert err.value.code == 458  # no such session
