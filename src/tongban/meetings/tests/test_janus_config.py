"""The rendered Janus configuration: only the VideoRoom plugin and the HTTP transport, token auth,
the Admin API behind its secret, no static rooms (only the admin_key creates rooms) — and a real
Janus started with it behaves that way."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tongban.meetings import janus_config
from tongban.meetings.janus_config import modules_to_disable, render_config
from tongban.meetings.janus_testing import (
    JanusInstance,
    api,
    create_room,
    janus_available,
    make_token,
    netns_available,
    running_janus,
    videoroom_request,
)


def _render(tmp_path: Path, **kw: object) -> Path:
    args: dict[str, Any] = {
        "ip": "127.0.0.1",
        "http_port": 18088,
        "admin_port": 17088,
        "token_secret": "tok-secret-1",
        "admin_secret": "adm-secret-2",
        "room_admin_key": "room-key-3",
        "log_path": tmp_path / "log" / "janus.log",
        "recordings_dir": tmp_path / "rec",
    }
    args.update(kw)
    return render_config(tmp_path / "conf", **args)


def _value(text: str, key: str) -> str:
    m = re.search(rf"^\s*{key}\s*=\s*\"?([^\"\n]*)\"?", text, re.M)
    assert m, f"{key} missing"
    return m.group(1).strip()


def test_only_videoroom_and_http_are_enabled(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for kind, names in {
        "plugins": ["libjanus_videoroom.so", "libjanus_echotest.so", "libjanus_sip.so", "libjanus_sip.so.1"],
        "transports": ["libjanus_http.so", "libjanus_websockets.so", "libjanus_pfunix.so"],
        "loggers": ["libjanus_jsonlog.so"],
        "events": ["libjanus_sampleevh.so"],
    }.items():
        (lib / kind).mkdir(parents=True)
        for name in names:
            (lib / kind / name).write_text("")
    os.environ["TONGBAN_JANUS_LIB_DIR"] = str(lib)
    try:
        conf = _render(tmp_path)
    finally:
        del os.environ["TONGBAN_JANUS_LIB_DIR"]
    core = (conf / "janus.jcfg").read_text()
    assert _value(core, "disable").split(",") == ["libjanus_echotest.so", "libjanus_sip.so"]
    transports = re.search(r"transports: \{\s*disable = \"([^\"]*)\"", core)
    assert transports and transports.group(1).split(",") == ["libjanus_pfunix.so", "libjanus_websockets.so"]
    assert 'disable = "libjanus_jsonlog.so"' in core and 'disable = "libjanus_sampleevh.so"' in core
    assert _value(core, "configs_folder") == str(conf.resolve())
    assert _value(core, "plugins_folder") == str(lib / "plugins")


def test_installed_modules_are_listed_at_render_time() -> None:
    if not janus_config.JANUS_LIB_DIR.is_dir():
        pytest.skip("Janus is not installed")
    plugins = modules_to_disable("plugins")
    assert "libjanus_videoroom.so" not in plugins and "libjanus_echotest.so" in plugins
    assert all(p.endswith(".so") for p in plugins)
    assert "libjanus_http.so" not in modules_to_disable("transports")


def test_secrets_token_auth_admin_api_and_no_demo_rooms(tmp_path: Path) -> None:
    conf = _render(tmp_path)
    core = (conf / "janus.jcfg").read_text()
    assert _value(core, "token_auth") == "true"
    assert _value(core, "token_auth_secret") == "tok-secret-1"
    assert _value(core, "admin_secret") == "adm-secret-2"
    assert _value(core, "session_timeout") == "60"
    assert _value(core, "debug_colors") == "false"
    assert _value(core, "log_to_file") == str(tmp_path / "log" / "janus.log")
    assert "stun_server" not in core and _value(core, "ice_ignore_list") == "vmnet"
    assert '"/var"' not in core  # recordings may live under /var/lib/...
    http = (conf / "janus.transport.http.jcfg").read_text()
    assert _value(http, "ip") == "127.0.0.1" and _value(http, "port") == "18088"
    assert _value(http, "admin_http") == "true" and _value(http, "admin_port") == "17088"
    assert _value(http, "admin_base_path") == "/admin" and _value(http, "admin_ip") == "127.0.0.1"
    room = (conf / "janus.plugin.videoroom.jcfg").read_text()
    assert _value(room, "admin_key") == "room-key-3"
    assert not re.search(r"^room-", room, re.M)
    for name in ("janus.jcfg", "janus.transport.http.jcfg", "janus.plugin.videoroom.jcfg"):
        assert stat.S_IMODE((conf / name).stat().st_mode) == 0o600
    assert (tmp_path / "rec").is_dir()
    assert sorted(p.name for p in conf.iterdir()) == [
        "janus.jcfg",
        "janus.plugin.videoroom.jcfg",
        "janus.transport.http.jcfg",
    ]


@pytest.mark.parametrize("bad", ["", 'a"b', "a\nb", "a\\b"])
def test_bad_secrets_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        _render(tmp_path, admin_secret=bad)
    assert not (tmp_path / "conf" / "janus.jcfg").exists()


def test_nat_mapping_and_port_range(tmp_path: Path) -> None:
    conf = _render(tmp_path, nat_1_1_mapping="203.0.113.5", rtp_port_range="30000-30100")
    core = (conf / "janus.jcfg").read_text()
    assert _value(core, "nat_1_1_mapping") == "203.0.113.5"
    assert _value(core, "rtp_port_range") == "30000-30100"


# --- a real Janus ---------------------------------------------------------------------------------


def test_janus_runs_with_the_rendered_config(janus_signalling: JanusInstance) -> None:
    inst = janus_signalling
    info = _get_json(f"{inst.url}/info")
    assert list(info["plugins"]) == ["janus.plugin.videoroom"]
    assert list(info["transports"]) == ["janus.transport.http"]
    assert info["auth_token"] is True and info["session-timeout"] == 60
    assert info["events"] == {} and info["loggers"] == {}

    # no token, a forged token, an expired token: refused; a signed one: a session
    for token in (None, make_token("not-the-secret"), make_token(inst.token_secret, ttl=-10)):
        body: dict[str, Any] = {"janus": "create"}
        if token:
            body["token"] = token
        answer = api(inst.url, body)
        assert answer["janus"] == "error" and answer["error"]["code"] == 403
    assert api(inst.url, {"janus": "create", "token": make_token(inst.token_secret)})["janus"] == "success"

    # the Admin API needs its secret
    assert api(inst.admin_url, {"janus": "list_sessions"})["janus"] == "error"
    listed = api(inst.admin_url, {"janus": "list_sessions", "admin_secret": inst.admin_secret})
    assert listed["janus"] == "success"

    # no static rooms; only the admin_key creates one
    rooms = videoroom_request(inst, {"request": "list"})
    assert rooms["list"] == []
    refused = videoroom_request(inst, {"request": "create", "room": 777001})
    assert refused["error_code"] == 429  # JANUS_VIDEOROOM_ERROR_MISSING_ELEMENT: admin_key
    wrong = videoroom_request(inst, {"request": "create", "room": 777002, "admin_key": "guess"})
    assert wrong.get("error_code")
    create_room(inst, room=777003, publishers=11)
    listed_rooms = videoroom_request(inst, {"request": "list"})["list"]
    assert [r["room"] for r in listed_rooms] == [777003]
    assert videoroom_request(inst, {"request": "destroy", "room": 777003})["videoroom"] == "destroyed"


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=5) as resp:
        result: dict[str, Any] = json.loads(resp.read())
    return result


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_media_janus_lives_in_a_namespace_that_teardown_removes(tmp_path: Path) -> None:
    if not (janus_available() and netns_available()):
        pytest.skip("Janus or iproute2 missing")
    with running_janus(media=True, workdir=tmp_path) as inst:
        assert re.fullmatch(r"10\.77\.\d+\.1", inst.host)
        assert inst.netns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        addrs = subprocess.run(
            ["ip", "-n", inst.netns, "-4", "-o", "addr"], capture_output=True, text=True
        ).stdout
        assert f"inet {inst.host}/24" in addrs and "inet 127.0.0.1/8" in addrs
        assert _get_json(f"{inst.url}/info")["janus"] == "server_info"
        pid = inst.pid
    assert inst.netns not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    host_end = inst.host[: -len(".1")] + ".2"
    assert (
        f"inet {host_end}/"
        not in subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    )
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises((urllib.error.URLError, OSError)):
        _get_json(f"{inst.url}/info")
