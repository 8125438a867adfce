"""Test builders for netmon: a small county (the county hall, 信息化中心, a department, two
townships), the people (a network administrator, the system administrator, a clerk, the security
administrator), and loopback endpoints the tests start themselves (a TCP listener, an HTTP server
answering 200 or 500, a closed port)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tongban.identity.models import User
from tongban.orgs.models import County, Post, RoleGrant, Unit

PASSWORD = "Tongban@2026"  # noqa: S105 — the demo password, tests only

UNITS = [
    ("zf", "青山县人民政府", "县政府", "政", "leading_body"),
    ("xxzx", "青山县信息化中心", "信息化中心", "信息", "public_institution"),
    ("czj", "青山县财政局", "财政局", "财", "gov_dept"),
    ("qsz", "青山镇人民政府", "青山镇", "青山镇", "township"),
    ("smx", "石门乡人民政府", "石门乡", "石门乡", "township"),
]
PEOPLE = [
    # key, unit, name, business roles, admin role
    ("wangguan", "xxzx", "王网管", ["network_admin"], ""),
    ("sysadmin", "xxzx", "系统管理员", [], "system"),
    ("secadmin", "xxzx", "安全管理员", [], "security"),
    ("clerk", "czj", "财政局文书", ["clerk"], ""),
]


@dataclass
class World:
    county: County
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def build_world(*, code: str = "990071", prefix: str = "") -> World:
    county = County.objects.create(name="青山县", code=code)
    w = World(county=county)
    for i, (key, name, short, agency, kind) in enumerate(UNITS):
        w.units[key] = Unit.objects.create(
            county=county,
            unit_code=f"{prefix}{key}".upper(),
            name=name,
            short_name=short,
            code=f"{prefix}{agency}",
            kind=kind,
            sort=i,
        )
    for i, (key, unit_key, name, roles, admin_role) in enumerate(PEOPLE):
        user = User.objects.create_user(
            username=f"{prefix}{key}",
            password=PASSWORD,
            full_name=name,
            mobile=f"1393000{code[-2:]}{i:02d}",
            admin_role=admin_role,
        )
        Post.objects.create(county=county, user=user, unit=w.units[unit_key], title="科员")
        for role in roles:
            RoleGrant.objects.create(county=county, user=user, unit=w.units[unit_key], role=role)
        w.users[key] = user
    return w


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def tcp_listener() -> Iterator[int]:
    """A listening TCP socket on 127.0.0.1; yields its port (connections are accepted by the backlog)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    try:
        yield int(s.getsockname()[1])
    finally:
        s.close()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 500 if self.path.startswith("/fail") else 200
        body = b"ok" if status == 200 else b"boom"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def http_server() -> Iterator[str]:
    """A tiny HTTP server in a thread: ``/ok`` answers 200, ``/fail`` 500. Yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
