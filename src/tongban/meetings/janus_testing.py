"""A real Janus for tests and benchmarks: ``running_janus(media=...)``.

media=False: Janus on 127.0.0.1 with free ports (signalling only: the HTTP API, rooms, tokens).
media=True: Janus in a network namespace of its own, joined to the host by a veth pair
(10.77.N.1 inside, 10.77.N.2 on the host). Janus 1.1.2 never gathers ICE candidates on
loopback (notes-janus.md, pitfall 1), so media needs a real interface; the veth pair gives one
whose traffic stays on this machine: a browser on the host reaches Janus at 10.77.N.1 and the
namespace has no other route. Needs root and ``ip`` (iproute2).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import hmac
import http.server
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tongban.meetings.janus_config import janus_binary, janus_command, render_config

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
NETNS_PREFIX = "tbj-"
SUBNET_PREFIX = "10.77."
LOCK_FILE = Path(tempfile.gettempdir()) / "tongban-janus-netns.lock"
PAGE_DIR = Path(__file__).resolve().parent / "tests" / "janus_page"
JS_FILES = {
    "janus.js": Path("/usr/share/javascript/janus-gateway/janus.js"),
    "adapter.js": Path("/usr/share/javascript/webrtc-adapter/adapter.js"),
}
# Headless Chromium with a fake camera and microphone that exchanges media with Janus (notes-janus.md).
CHROMIUM_MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
_counter = itertools.count(1)


@dataclass
class JanusInstance:
    """A running Janus: where the server and the browsers reach it, and its secrets."""

    url: str  # HTTP API for the server, ".../janus"
    public_url: str  # HTTP API for browsers (the same address in tests)
    admin_url: str  # Admin/Monitor API, ".../admin"
    admin_secret: str
    token_secret: str
    room_admin_key: str
    recordings_dir: Path
    host: str  # the IP browsers reach: 10.77.N.1 (media) or 127.0.0.1
    log_path: Path
    pid: int
    conf_dir: Path = field(default=Path())
    netns: str = ""  # the namespace's name with media=True

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)


def janus_available() -> bool:
    """Whether the ``janus`` binary is installed."""
    return janus_binary() is not None


def netns_available() -> bool:
    """Whether this process can create network namespaces and veth pairs (root + iproute2)."""
    return os.geteuid() == 0 and shutil.which("ip") is not None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — fixed argv
        [shutil.which("ip") or "/usr/sbin/ip", *args], capture_output=True, text=True, check=check, timeout=10
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _delete_netns(name: str, index: int | None) -> None:
    """Kill what runs in a namespace, delete it and the host end of its veth (if still there)."""
    pids = _ip("netns", "pids", name, check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    _ip("netns", "delete", name, check=False)
    if index is not None:
        _ip("link", "delete", f"tbjh{index}", check=False)


def cleanup_leftovers() -> None:
    """Remove namespaces (and veth ends) left by test processes that are gone."""
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        m = re.match(rf"^({NETNS_PREFIX}(\d+)-(\d+))\b", line.strip())
        if m and not _pid_alive(int(m.group(2))):
            _delete_netns(m.group(1), int(m.group(3)))
    # A host veth end whose namespace is gone (the pair normally dies with it; be thorough).
    names = set(_ip("netns", "list", check=False).stdout.split())
    for m in re.finditer(r"^\d+: (tbjh(\d+))@", _ip("-o", "link", "show", check=False).stdout, re.M):
        if not any(n.startswith(NETNS_PREFIX) and n.endswith(f"-{m.group(2)}") for n in names):
            _ip("link", "delete", m.group(1), check=False)


def _used_subnets() -> set[int]:
    out = _ip("-4", "-o", "addr", "show", check=False).stdout
    return {int(n) for n in re.findall(rf"inet {re.escape(SUBNET_PREFIX)}(\d+)\.", out)}


@contextlib.contextmanager
def _netns() -> Iterator[tuple[str, int]]:
    """A fresh namespace with lo up and a veth pair 10.77.N.1 (inside) / 10.77.N.2 (host)."""
    LOCK_FILE.touch(exist_ok=True)
    with open(LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            cleanup_leftovers()
            used = _used_subnets()
            index = next((n for n in range(1, 255) if n not in used), None)
            if index is None:
                raise RuntimeError("no free 10.77.N.0/24 subnet for a Janus test namespace")
            name = f"{NETNS_PREFIX}{os.getpid()}-{index}"
            host_if, ns_if = f"tbjh{index}", f"tbjn{index}"
            _delete_netns(name, index)
            try:
                _ip("netns", "add", name)
                _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
                _ip("link", "set", ns_if, "netns", name)
                _ip("addr", "add", f"{SUBNET_PREFIX}{index}.2/24", "dev", host_if)
                _ip("link", "set", host_if, "up")
                _ip("-n", name, "link", "set", "lo", "up")
                _ip("-n", name, "addr", "add", f"{SUBNET_PREFIX}{index}.1/24", "dev", ns_if)
                _ip("-n", name, "link", "set", ns_if, "up")
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                _delete_netns(name, index)
                detail = getattr(exc, "stderr", "") or str(exc)
                raise RuntimeError(f"cannot create the Janus test namespace: {detail}") from exc
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    try:
        yield name, index
    finally:
        _delete_netns(name, index)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies (a killed pytest leaves no Janus)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"Janus exited with code {proc.returncode} while starting; log:\n{_tail(log_path)}"
            )
        try:
            with opener.open(f"{url}/info", timeout=1) as resp:
                if json.loads(resp.read()).get("janus") == "server_info":
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"Janus did not answer {url}/info within {START_TIMEOUT:.0f} s; log:\n{_tail(log_path)}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


@contextlib.contextmanager
def running_janus(*, media: bool = True, workdir: Path | None = None) -> Iterator[JanusInstance]:
    """Start Janus (rendered private config, token auth, admin API) and stop it on exit."""
    if not janus_available():
        raise RuntimeError("Janus is not installed (apt install janus)")
    if media and not netns_available():
        raise RuntimeError("running_janus(media=True) needs root and iproute2 (ip netns, veth)")
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tongban-janus-")))
        workdir = Path(workdir) / f"janus-{os.getpid()}-{next(_counter)}"
        workdir.mkdir(parents=True, exist_ok=True)
        conf, log_path, recordings = workdir / "conf", workdir / "janus.log", workdir / "recordings"
        netns = ""
        if media:
            netns, index = stack.enter_context(_netns())
            host, http_port, admin_port = f"{SUBNET_PREFIX}{index}.1", 8088, 7088
        else:
            host, http_port, admin_port = "127.0.0.1", _free_port(), _free_port()
        token_secret, admin_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        room_admin_key = secrets.token_urlsafe(24)
        render_config(
            conf,
            ip=host,
            http_port=http_port,
            admin_port=admin_port,
            token_secret=token_secret,
            admin_secret=admin_secret,
            room_admin_key=room_admin_key,
            log_path=log_path,
            recordings_dir=recordings,
            rtp_port_range="20000-40000" if media else "40000-60000",
        )
        argv = janus_command(conf, log_path)
        if media:
            argv = [
                shutil.which("ip") or "/usr/sbin/ip",
                "netns",
                "exec",
                netns,
                *argv,
            ]  # `ip netns exec` execs: the pid is Janus's
        proc = subprocess.Popen(  # noqa: S603 — fixed argv
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # Janus dies with the test process
        )
        stack.callback(_stop, proc)
        url = f"http://{host}:{http_port}/janus"
        _wait_ready(url, proc, log_path)
        yield JanusInstance(
            url=url,
            public_url=url,
            admin_url=f"http://{host}:{admin_port}/admin",
            admin_secret=admin_secret,
            token_secret=token_secret,
            room_admin_key=room_admin_key,
            recordings_dir=recordings,
            host=host,
            log_path=log_path,
            pid=proc.pid,
            conf_dir=conf,
            netns=netns,
        )


# --- helpers for tests and benchmarks: tokens, the HTTP API, a static client page -----------------


def make_token(secret: str, ttl: int = 3600, plugins: tuple[str, ...] = ("janus.plugin.videoroom",)) -> str:
    """A Janus signed token: "<expiry>,janus,<plugins>:" + base64(HMAC-SHA1(secret, data))."""
    data = ",".join([str(int(time.time()) + ttl), "janus", *plugins])
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"


def api(url: str, body: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
    """POST one Janus API request (a transaction id is added) and return the JSON answer."""
    payload = {"transaction": secrets.token_hex(6), **body}
    req = urllib.request.Request(  # noqa: S310 — http:// URLs of a JanusInstance
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=timeout) as resp:
        result: dict[str, Any] = json.loads(resp.read())
    return result


def videoroom_request(inst: JanusInstance, body: dict[str, Any]) -> dict[str, Any]:
    """One synchronous VideoRoom request (create, destroy, list, ...) in a short-lived session."""
    token = make_token(inst.token_secret, 300)
    session = api(inst.url, {"janus": "create", "token": token})
    if session.get("janus") != "success":
        raise RuntimeError(f"Janus create session failed: {session}")
    sid = session["data"]["id"]
    try:
        handle = api(
            f"{inst.url}/{sid}", {"janus": "attach", "plugin": "janus.plugin.videoroom", "token": token}
        )
        hid = handle["data"]["id"]
        answer = api(f"{inst.url}/{sid}/{hid}", {"janus": "message", "body": body, "token": token})
        plugindata = answer.get("plugindata")
        data = plugindata.get("data", {}) if isinstance(plugindata, dict) else {}
        return dict(data)
    finally:
        with contextlib.suppress(OSError, urllib.error.URLError):
            api(f"{inst.url}/{sid}", {"janus": "destroy", "token": token})


def create_room(inst: JanusInstance, *, room: int, publishers: int = 12, bitrate: int = 512_000) -> None:
    """Create a VideoRoom room with the plugin's admin_key (as the platform does)."""
    data = videoroom_request(
        inst,
        {
            "request": "create",
            "room": room,
            "admin_key": inst.room_admin_key,
            "publishers": publishers,
            "bitrate": bitrate,
            "bitrate_cap": True,
            "fir_freq": 10,
            "permanent": False,
        },
    )
    if data.get("videoroom") != "created":
        raise RuntimeError(f"VideoRoom create failed: {data}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_test_page() -> Iterator[str]:
    """Serve the harness page with Debian's janus.js and adapter.js on 127.0.0.1; yield its base URL."""
    with tempfile.TemporaryDirectory(prefix="tongban-janus-page-") as tmp:
        shutil.copy(PAGE_DIR / "index.html", Path(tmp) / "index.html")
        for name, src in JS_FILES.items():
            shutil.copy(src, Path(tmp) / name)
        handler = functools.partial(_QuietHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
