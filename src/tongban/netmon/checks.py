"""The network checks themselves — no database here, so they can run in worker threads.

- ICMP echo: an unprivileged ICMP datagram socket (Linux, when the service's group is inside
  ``net.ipv4.ping_group_range``), else a raw socket (root or CAP_NET_RAW), else unavailable.
  No ``ping`` binary is used.
- TCP connect to host:port.
- HTTP(S) GET of a URL, compared with the expected status (redirects are not followed).

Targets are validated before any packet leaves: host and URL syntax always, and when
``TONGBAN_NETMON_ALLOWED_NETWORKS`` is set, every address the target resolves to must be inside
one of those networks (then only IP literals and ``localhost`` are accepted, so no DNS look-up)."""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import ssl
import struct
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.core.errors import TongbanError

MAX_TIMEOUT = 10.0
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    latency_ms: float | None
    error: str = ""


# --- target validation -------------------------------------------------------------------------
def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = getattr(settings, "TONGBAN_NETMON_ALLOWED_NETWORKS", None)
    if raw is None:
        raw = ["127.0.0.0/8", "::1/128"] if getattr(settings, "TESTING", False) else []
    if isinstance(raw, str):
        raw = [n for n in raw.split(",") if n.strip()]
    return [ipaddress.ip_network(str(n).strip(), strict=False) for n in raw]


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_host(host: str, field: str = "host") -> str:
    """The host, stripped, if it is an IP address or a host name (and allowed); else TongbanError."""
    host = (host or "").strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    addr = _ip(host)
    if addr is None and not _HOSTNAME.match(host):
        raise TongbanError("netmon.bad_host", _("主机应为 IP 地址或域名。"), field=field)
    nets = allowed_networks()
    if nets:
        if addr is None:
            if host.lower() != "localhost":
                raise TongbanError(
                    "netmon.host_not_allowed",
                    _("本系统只允许探测指定网段内的地址，请填写 IP 地址。"),
                    field=field,
                )
        elif not any(addr.version == n.version and addr in n for n in nets):
            raise TongbanError("netmon.host_not_allowed", _("该地址不在允许探测的网段内。"), field=field)
    return host


def check_port(port: int | None) -> int:
    if port is None or not 1 <= int(port) <= 65535:
        raise TongbanError("netmon.bad_port", _("端口应为 1–65535 之间的整数。"), field="port")
    return int(port)


def check_url(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or len(url) > 500
        or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url)
    ):
        raise TongbanError(
            "netmon.bad_url", _("网址应以 http:// 或 https:// 开头，且不含用户名、密码和空格。"), field="url"
        )
    if port is not None and not 1 <= port <= 65535:
        raise TongbanError("netmon.bad_url", _("网址中的端口无效。"), field="url")
    check_host(parts.hostname, field="url")
    return url


def _resolve(host: str, port: int | None) -> list[tuple[int, str]]:
    """(family, address) of the host, every one checked against the allowed networks."""
    addr = _ip(host)
    nets = allowed_networks()
    found: list[tuple[int, str]]
    if addr is not None:
        found = [(socket.AF_INET6 if addr.version == 6 else socket.AF_INET, str(addr))]
    else:
        if nets and host.lower() != "localhost":
            raise OSError(_("不允许解析该主机名"))
        infos = socket.getaddrinfo(host, port or 0, proto=socket.IPPROTO_TCP)
        found = [(fam, str(info[0])) for fam, _t, _p, _c, info in infos]
    if nets:
        for _fam, a in found:
            ip = ipaddress.ip_address(a.split("%")[0])
            if not any(ip.version == n.version and ip in n for n in nets):
                raise OSError(_("地址不在允许探测的网段内"))
    if not found:
        raise OSError(_("无法解析主机名"))
    return found


# --- ICMP ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def icmp_mode() -> str:
    """ "dgram" (unprivileged ping socket), "raw" (root / CAP_NET_RAW) or "" (unavailable)."""
    for kind, mode in ((socket.SOCK_DGRAM, "dgram"), (socket.SOCK_RAW, "raw")):
        try:
            s = socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP)
        except OSError:
            continue
        s.close()
        return mode
    return ""


def ping_group_range() -> str:
    try:
        with open("/proc/sys/net/ipv4/ping_group_range") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    csum = _checksum(header + payload)
    return struct.pack("!BBHHH", 8, 0, csum, ident, seq) + payload


_SEQ = [0]


def icmp_echo(host: str, timeout: float) -> Outcome:
    mode = icmp_mode()
    if not mode:
        return Outcome(False, None, _("本机不允许 ICMP 探测"))
    try:
        family, address = next((f, a) for f, a in _resolve(host, None) if f == socket.AF_INET)
    except StopIteration:
        return Outcome(False, None, _("ICMP 探测仅支持 IPv4 地址"))
    except OSError as exc:
        return Outcome(False, None, str(exc)[:200])
    _SEQ[0] = (_SEQ[0] + 1) & 0xFFFF
    seq = _SEQ[0]
    ident = os.getpid() & 0xFFFF
    payload = struct.pack("!d", time.time()) + b"tongban-netmon"
    kind = socket.SOCK_DGRAM if mode == "dgram" else socket.SOCK_RAW
    try:
        with socket.socket(family, kind, socket.IPPROTO_ICMP) as s:
            s.settimeout(timeout)
            start = time.perf_counter()
            deadline = start + timeout
            s.sendto(_echo_request(ident, seq, payload), (address, 0))
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return Outcome(False, None, _("超时"))
                s.settimeout(remaining)
                data, src = s.recvfrom(2048)
                if mode == "raw":
                    if src[0] != address:
                        continue
                    data = data[(data[0] & 0x0F) * 4 :]
                if len(data) < 8:
                    continue
                typ, _code, _csum, r_ident, r_seq = struct.unpack("!BBHHH", data[:8])
                # The kernel rewrites the identifier of a datagram ping socket: match seq + payload.
                if (
                    typ == 0
                    and r_seq == seq
                    and data[8:] == payload
                    and (mode == "dgram" or r_ident == ident)
                ):
                    return Outcome(True, (time.perf_counter() - start) * 1000.0)
    except TimeoutError:
        return Outcome(False, None, _("超时"))
    except OSError as exc:
        return Outcome(False, None, (exc.strerror or str(exc))[:200])


# --- TCP and HTTP ------------------------------------------------------------------------------------
def tcp_connect(host: str, port: int, timeout: float) -> Outcome:
    try:
        family, address = _resolve(host, port)[0]
    except OSError as exc:
        return Outcome(False, None, str(exc)[:200])
    start = time.perf_counter()
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((address, port))
    except TimeoutError:
        return Outcome(False, None, _("超时"))
    except OSError as exc:
        return Outcome(False, None, (exc.strerror or str(exc))[:200])
    return Outcome(True, (time.perf_counter() - start) * 1000.0)


def http_get(url: str, expected_status: int, timeout: float, verify_tls: bool = True) -> Outcome:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        _family, address = _resolve(host, port)[0]
    except (OSError, ValueError) as exc:
        return Outcome(False, None, str(exc)[:200])
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn: http.client.HTTPConnection
    start = time.perf_counter()
    try:
        if parts.scheme == "https":
            ctx = ssl.create_default_context()
            if not verify_tls:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection(address, port, timeout=timeout)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", parts.netloc.rsplit("@", 1)[-1])
            conn.putheader("User-Agent", "Tongban-netmon/1")
            conn.putheader("Connection", "close")
            conn.endheaders()
            resp = conn.getresponse()
            resp.read(65536)
            status = resp.status
        finally:
            conn.close()
    except TimeoutError:
        return Outcome(False, None, _("超时"))
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, None, (str(exc) or exc.__class__.__name__)[:200])
    latency = (time.perf_counter() - start) * 1000.0
    if status != expected_status:
        return Outcome(
            False, latency, _("状态码 %(got)s，期望 %(want)s") % {"got": status, "want": expected_status}
        )
    return Outcome(True, latency)


@dataclass(frozen=True)
class Spec:
    """What a worker thread needs to run a probe (a plain copy of the Probe row)."""

    probe_id: int
    kind: str
    host: str
    port: int | None
    url: str
    expected_status: int
    timeout: float
    verify_tls: bool


def run(spec: Spec) -> Outcome:
    timeout = max(0.1, min(MAX_TIMEOUT, spec.timeout))
    try:
        if spec.kind == "icmp":
            return icmp_echo(spec.host, timeout)
        if spec.kind == "tcp":
            return tcp_connect(spec.host, spec.port or 0, timeout)
        if spec.kind == "http":
            return http_get(spec.url, spec.expected_status, timeout, spec.verify_tls)
    except Exception as exc:
        return Outcome(False, None, f"{exc.__class__.__name__}: {exc}"[:200])
    return Outcome(False, None, _("未知的探测方式"))
