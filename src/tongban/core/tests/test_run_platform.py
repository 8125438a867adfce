"""``manage.py run_platform`` starts web + worker + scheduler, reaches a healthy state and stops
them all on Ctrl-C; when one child dies it stops the others and exits non-zero.

Runs real processes against a temporary SQLite database; every wait is bounded so the module
finishes within DEADLINE per test (generous: several test runs may share a 2-core machine)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

DEADLINE = 90.0
REPORT = 45.0  # run_platform has started its children and printed their pids
HEALTHY = 75.0  # web, worker and scheduler all report healthy
VIDEO_START = 90.0  # five Django processes start at once; Janus answers once run_janus has exec-ed it
STOP_WAIT = 30.0


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env.update(
        {
            "TONGBAN_VAR_DIR": str(tmp),
            "TONGBAN_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "TONGBAN_SECRET_KEY": "run-platform-test-key-not-secret-0123456789",
            "DJANGO_SETTINGS_MODULE": "tongban.settings",
            "PYTHONPATH": str(settings.PACKAGE_DIR.parent),
            # no Janus/coturn children here (meetings/tests/test_run_janus.py starts them)
            "TONGBAN_JANUS_URL": "",
        }
    )
    return env


@pytest.fixture(scope="module")
def platform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("platform")
    env = _env(tmp)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        timeout=300,  # a loaded machine (parallel test runs) migrates slowly
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(env: dict[str, str], port: int) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "django", "run_platform", "--port", str(port)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def _child_pids(lines: list[str], until: float) -> dict[str, int]:
    while time.monotonic() < until:
        for line in lines:
            found = dict(re.findall(r"(web|worker|scheduler) pid (\d+)", line))
            if len(found) == 3:
                return {k: int(v) for k, v in found.items()}
        time.sleep(0.1)
    raise AssertionError("run_platform did not report its children:\n" + "".join(lines))


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_platform_becomes_healthy_and_stops_on_ctrl_c(platform_env: dict[str, str]) -> None:
    start = time.monotonic()
    port = _free_port()
    proc, lines = _start(platform_env, port)
    try:
        pids = _child_pids(lines, start + REPORT)
        body: dict[str, object] = {}
        while time.monotonic() < start + HEALTHY:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.load(r)
                if body["worker"]["ok"] and body["scheduler"]["ok"]:  # type: ignore[index]
                    break
            except OSError:
                pass
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.3)
        assert body.get("status") == "ok", (body, "".join(lines))
        assert any(f"http://localhost:{port}/" in line for line in lines)
        assert any(line.startswith("视频会议：") and "不可用" in line for line in lines), "".join(lines)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=max(1.0, start + DEADLINE - time.monotonic())) == 0, "".join(lines)
        for name, pid in pids.items():
            assert not _group_alive(pid), f"{name} (pid {pid}) still running"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_platform_stops_everything_when_one_child_dies(platform_env: dict[str, str]) -> None:
    start = time.monotonic()
    with socket.socket() as blocker:  # the web server cannot bind: it exits after its retries
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = int(blocker.getsockname()[1])
        proc, lines = _start(platform_env, port)
        try:
            pids = _child_pids(lines, start + REPORT)
            code = proc.wait(timeout=max(1.0, start + DEADLINE - time.monotonic()))
            assert code != 0
            assert "web 进程意外退出" in "".join(lines)
            for name, pid in pids.items():
                assert not _group_alive(pid), f"{name} (pid {pid}) still running"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.skipif(not shutil.which("janus"), reason="Janus is not installed (apt-get install janus)")
def test_platform_starts_and_stops_janus_and_turn(platform_env: dict[str, str]) -> None:
    """With video configured and Janus/coturn installed, they run as children and stop with the rest."""
    start = time.monotonic()
    env = dict(platform_env)
    janus_url = f"http://127.0.0.1:{_free_port()}/janus"
    turn_port = _free_udp_port()
    env.update(
        {
            "TONGBAN_JANUS_URL": janus_url,
            "TONGBAN_JANUS_ADMIN_URL": f"http://127.0.0.1:{_free_port()}/admin",
            "TONGBAN_TURN_SECRET": "platform-turn-secret",
            "TONGBAN_TURN_URLS": f"turn:127.0.0.1:{turn_port}?transport=udp",
        }
    )
    with_turn = shutil.which("turnserver") is not None
    proc, lines = _start(env, _free_port())
    try:
        pids: dict[str, int] = {}
        want = {"web", "worker", "scheduler", "janus"} | ({"turn"} if with_turn else set())
        while time.monotonic() < start + REPORT and set(pids) != want:
            for line in lines:
                found = dict(re.findall(r"(web|worker|scheduler|janus|turn) pid (\d+)", line))
                if set(found) == want:
                    pids = {k: int(v) for k, v in found.items()}
            time.sleep(0.1)
        assert set(pids) == want, "".join(lines)
        assert any(f"视频会议：已启动 Janus {janus_url}" in line for line in lines)
        info = None
        while time.monotonic() < start + VIDEO_START and info is None:
            assert proc.poll() is None, "".join(lines)
            info = _info(janus_url)
            time.sleep(0.2)
        assert info, "".join(lines)
        if with_turn:
            log = Path(env["TONGBAN_VAR_DIR"]) / "turn" / "turnserver.log"
            while time.monotonic() < start + VIDEO_START and "turn server id=0 created" not in _read(log):
                time.sleep(0.2)
            assert f"listening-port={turn_port}" in _read(log.parent / "turnserver.conf")
            assert "turn server id=0 created" in _read(log)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=STOP_WAIT) == 0, "".join(lines)
        for name, pid in pids.items():
            assert not _group_alive(pid), f"{name} (pid {pid}) still running"
        assert _info(janus_url) is None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in pids.values():
            if _group_alive(pid):
                os.killpg(pid, signal.SIGKILL)


def _info(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{url}/info", timeout=1) as r:
            result: dict[str, object] = json.load(r)
            return result
    except OSError:
        return None


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
