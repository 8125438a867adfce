"""A signalling-only Janus on 127.0.0.1 for the video server side's tests, used until (and where)
the ops harness ``tongban.meetings.janus_testing`` is not available: a private config folder
(HTTP transport on a free port, VideoRoom only, token auth with a fresh secret, the plugin's
admin_key), started in the foreground and stopped by its pid. No ICE: nothing but API calls."""

from __future__ import annotations

import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

LIB = Path("/usr/lib/x86_64-linux-gnu/janus")


@dataclass
class LocalJanus:
    url: str
    public_url: str
    token_secret: str
    room_admin_key: str
    recordings_dir: Path
    pid: int
    log_path: Path
    admin_url: str = ""
    admin_secret: str = ""
    host: str = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return shutil.which("janus") is not None and (LIB / "plugins" / "libjanus_videoroom.so").exists()


@contextmanager
def running_local_janus() -> Iterator[LocalJanus]:
    folder = Path(tempfile.mkdtemp(prefix="tb-janus-"))
    port = _free_port()
    token_secret = secrets.token_urlsafe(24)
    admin_key = secrets.token_urlsafe(24)
    recordings = folder / "recordings"
    recordings.mkdir()
    log = folder / "janus.log"
    off_plugins = sorted(p.name for p in (LIB / "plugins").glob("*.so") if p.name != "libjanus_videoroom.so")
    off_transports = sorted(p.name for p in (LIB / "transports").glob("*.so") if p.name != "libjanus_http.so")
    (folder / "janus.jcfg").write_text(
        f"""general: {{
  configs_folder = "{folder}"
  plugins_folder = "{LIB}/plugins"
  transports_folder = "{LIB}/transports"
  events_folder = "{LIB}/events"
  loggers_folder = "{LIB}/loggers"
  debug_level = 4
  debug_timestamps = true
  debug_colors = false
  log_to_file = "{log}"
  token_auth = true
  token_auth_secret = "{token_secret}"
  session_timeout = 60
  protected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr"]
}}
media: {{}}
nat: {{ ice_ignore_list = "vmnet" }}
plugins: {{ disable = "{",".join(off_plugins)}" }}
transports: {{ disable = "{",".join(off_transports)}" }}
events: {{ broadcast = false }}
"""
    )
    (folder / "janus.transport.http.jcfg").write_text(
        f"""general: {{
  json = "plain"
  base_path = "/janus"
  http = true
  ip = "127.0.0.1"
  port = {port}
  https = false
}}
admin: {{ admin_http = false }}
"""
    )
    (folder / "janus.plugin.videoroom.jcfg").write_text(f'general: {{ admin_key = "{admin_key}" }}\n')
    proc = subprocess.Popen(
        ["janus", "-F", str(folder), "-C", str(folder / "janus.jcfg"), "-L", str(log), "-N"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/janus"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(url + "/info", timeout=1):  # noqa: S310 — loopback
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Janus did not start; see {log}") from None
                time.sleep(0.1)
        yield LocalJanus(
            url=url,
            public_url=url,
            token_secret=token_secret,
            room_admin_key=admin_key,
            recordings_dir=recordings,
            pid=proc.pid,
            log_path=log,
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def janus_for_tests() -> Iterator[LocalJanus]:
    """Body of a test module's session fixture: ``yield from janus_for_tests()``."""
    if not available():
        pytest.skip("janus is not installed")
    with running_local_janus() as inst:
        yield inst
