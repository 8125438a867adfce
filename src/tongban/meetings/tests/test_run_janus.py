"""``manage.py run_janus`` / ``run_turn`` render their configuration from settings and run the
daemon in the foreground; ``run_platform`` starts them as children when video is configured and
the binaries are installed, and stops them with the rest."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.core.management.commands import run_platform
from tongban.core.tests.test_run_platform import _env, _free_port
from tongban.meetings.janus_testing import janus_available
from tongban.meetings.management.commands import run_janus, run_turn

DEADLINE = 40.0


def _janus_settings(settings: Any, tmp_path: Path, port: int = 18188, admin_port: int = 17188) -> None:
    settings.VAR_DIR = tmp_path
    settings.TONGBAN_JANUS_URL = f"http://127.0.0.1:{port}/janus"
    settings.TONGBAN_JANUS_ADMIN_URL = f"http://127.0.0.1:{admin_port}/admin"
    settings.TONGBAN_JANUS_ADMIN_SECRET = ""
    settings.TONGBAN_JANUS_TOKEN_SECRET = "token-secret-xyz"
    settings.TONGBAN_JANUS_ROOM_ADMIN_KEY = "room-key-xyz"
    settings.TONGBAN_JANUS_RECORDINGS_DIR = tmp_path / "recordings"


def test_run_janus_renders_from_settings(settings: Any, tmp_path: Path, capsys: Any) -> None:
    _janus_settings(settings, tmp_path)
    call_command("run_janus", "--render-only")
    conf = tmp_path / "janus" / "conf"
    core = (conf / "janus.jcfg").read_text()
    http = (conf / "janus.transport.http.jcfg").read_text()
    assert 'token_auth_secret = "token-secret-xyz"' in core
    assert "port = 18188" in http and "admin_port = 17188" in http and 'ip = "127.0.0.1"' in http
    assert 'admin_key = "room-key-xyz"' in (conf / "janus.plugin.videoroom.jcfg").read_text()
    # an empty admin secret is never used: one is generated under var/janus/ (0600) and kept
    secret = (tmp_path / "janus" / "admin_secret").read_text().strip()
    assert len(secret) >= 32 and f'admin_secret = "{secret}"' in core
    assert (tmp_path / "janus" / "admin_secret").stat().st_mode & 0o077 == 0
    call_command("run_janus", "--render-only")
    assert (tmp_path / "janus" / "admin_secret").read_text().strip() == secret
    out = capsys.readouterr().out
    assert f"-F {conf} -C {conf}/janus.jcfg" in out and (tmp_path / "recordings").is_dir()


def test_run_janus_admin_port_defaults_to_7088(settings: Any, tmp_path: Path) -> None:
    _janus_settings(settings, tmp_path)
    settings.TONGBAN_JANUS_ADMIN_URL = ""
    call_command("run_janus", "--render-only")
    assert "admin_port = 7088" in (tmp_path / "janus" / "conf" / "janus.transport.http.jcfg").read_text()


def test_run_janus_refuses_without_configuration_or_binary(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _janus_settings(settings, tmp_path)
    settings.TONGBAN_JANUS_URL = ""
    with pytest.raises(CommandError, match="未配置 TONGBAN_JANUS_URL"):
        call_command("run_janus")
    _janus_settings(settings, tmp_path)
    monkeypatch.setattr(run_janus, "janus_binary", lambda: None)
    with pytest.raises(CommandError, match="未安装 Janus"):
        call_command("run_janus")
    assert not (tmp_path / "janus" / "conf").exists()


def test_run_turn_renders_and_refuses(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    settings.TONGBAN_TURN_SECRET = ""
    with pytest.raises(CommandError, match="TONGBAN_TURN_SECRET"):
        call_command("run_turn")
    settings.TONGBAN_TURN_SECRET = "turn-secret-abc"
    settings.TONGBAN_TURN_URLS = ["turn:127.0.0.1:3590?transport=udp"]
    call_command("run_turn", "--render-only", "--allow-peer", "10.0.0.7")
    conf = (tmp_path / "turn" / "turnserver.conf").read_text()
    for line in (
        "listening-ip=127.0.0.1",
        "listening-port=3590",
        "use-auth-secret",
        "static-auth-secret=turn-secret-abc",
        "realm=tongban",
        "no-cli",
        "no-tls",
        "no-dtls",
        "denied-peer-ip=0.0.0.0-255.255.255.255",
        "allowed-peer-ip=10.0.0.7",
        f"log-file={tmp_path / 'turn' / 'turnserver.log'}",
    ):
        assert line in conf.splitlines(), line
    assert (tmp_path / "turn" / "turnserver.conf").stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="无效的 IP"):
        call_command("run_turn", "--render-only", "--allow-peer", "not-an-ip")
    monkeypatch.setattr(run_turn.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="未安装 coturn"):
        call_command("run_turn")


def test_platform_video_children_and_status_lines(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.TONGBAN_JANUS_URL = "http://127.0.0.1:8088/janus"
    settings.TONGBAN_TURN_SECRET = "s"
    settings.TONGBAN_TURN_URLS = ["turn:127.0.0.1:3478"]
    monkeypatch.setattr(run_platform.shutil, "which", lambda name: f"/usr/bin/{name}")
    children, lines = run_platform.video_children()
    assert children == {"janus": ["run_janus"], "turn": ["run_turn"]}
    assert any(line.startswith("视频会议：已启动 Janus") for line in lines)
    monkeypatch.setattr(run_platform.shutil, "which", lambda name: None)
    children, lines = run_platform.video_children()
    assert children == {} and any("未安装 Janus" in line for line in lines)
    settings.TONGBAN_JANUS_URL = "https://video.example.gov.cn/janus"  # a Janus elsewhere: not ours to start
    monkeypatch.setattr(run_platform.shutil, "which", lambda name: f"/usr/bin/{name}")
    children, lines = run_platform.video_children()
    assert "janus" not in children and any(
        "使用 Janus https://video.example.gov.cn/janus" in x for x in lines
    )
    settings.TONGBAN_JANUS_URL = ""
    children, lines = run_platform.video_children()
    assert children == {} and lines[0] == "视频会议：未配置 TONGBAN_JANUS_URL，视频会议不可用"
    monkeypatch.setattr(run_platform.shutil, "which", lambda name: None)  # make demo without Janus
    assert run_platform.video_children() == (
        {},
        ["视频会议：未安装 Janus（apt-get install janus），视频会议不可用"],
    )


# --- real processes ---------------------------------------------------------------------------------


def _info(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{url}/info", timeout=1) as r:
            result: dict[str, Any] = json.loads(r.read())
            return result
    except OSError:
        return None


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not janus_available(), reason="Janus is not installed (apt-get install janus)")
def test_run_janus_starts_and_stops(tmp_path: Path) -> None:
    port, admin_port = _free_port(), _free_port()
    env = _env(tmp_path)
    env.update(
        {
            "TONGBAN_JANUS_URL": f"http://127.0.0.1:{port}/janus",
            "TONGBAN_JANUS_ADMIN_URL": f"http://127.0.0.1:{admin_port}/admin",
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "django", "run_janus"],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        info = None
        while time.monotonic() < deadline and info is None:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            info = _info(env["TONGBAN_JANUS_URL"])
            time.sleep(0.2)
        assert info and info["auth_token"] is True
        assert (tmp_path / "janus" / "token_secret").exists()  # settings generated the token secret
        proc.send_signal(signal.SIGTERM)  # run_janus exec'd Janus: the signal reaches Janus itself
        assert proc.wait(timeout=10) == 0
        assert _info(env["TONGBAN_JANUS_URL"]) is None
        assert "Bye!" in (tmp_path / "janus" / "janus.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
