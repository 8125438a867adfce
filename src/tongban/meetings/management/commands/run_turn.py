"""``manage.py run_turn``: render coturn's configuration from ``deploy/coturn/turnserver.conf.in``
and run ``turnserver`` in the foreground (``make demo`` starts it as a child of run_platform).

Credentials are TURN REST API ones (``use-auth-secret``): the platform signs short-lived
username/password pairs with TONGBAN_TURN_SECRET; nothing is stored in coturn. The demo listens
on 127.0.0.1 without TLS; production passes ``--listening-ip``/``--external-ip`` and restricts
relays to the Janus servers with ``--allow-peer``."""

from __future__ import annotations

import ipaddress
import os
import shutil
from pathlib import Path
from string import Template
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "coturn" / "turnserver.conf.in"


def turn_port(urls: list[str], default: int = 3478) -> int:
    """The port of the first ``turn:host:port[?transport=..]`` URL (``default`` when none has one)."""
    for url in urls:
        rest = url.split(":", 1)[1] if ":" in url else ""
        hostport = rest.split("?", 1)[0]
        if ":" in hostport and hostport.rsplit(":", 1)[1].isdigit():
            return int(hostport.rsplit(":", 1)[1])
    return default


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as exc:
        raise CommandError(f"无效的 IP 地址：{value}") from exc


def render_turn_config(
    dest: Path,
    *,
    secret: str,
    listening_ip: str = "127.0.0.1",
    port: int = 3478,
    realm: str = "tongban",
    external_ip: str = "",
    allow_peers: tuple[str, ...] = (),
    min_port: int = 49160,
    max_port: int = 49999,
    log_file: Path,
    pid_file: Path,
) -> Path:
    """Write turnserver.conf (mode 0600: it holds the secret) and return its path."""
    if not secret or any(c in secret for c in "\n\r "):
        raise CommandError("TONGBAN_TURN_SECRET 为空或含空白字符。")
    relay_lines = f"external-ip={_ip(external_ip)}\n" if external_ip else ""
    peer_lines = ""
    if allow_peers:
        peer_lines = "denied-peer-ip=0.0.0.0-255.255.255.255\n" + "".join(
            f"allowed-peer-ip={_ip(p)}\n" for p in allow_peers
        )
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        listening_ip=_ip(listening_ip),
        port=int(port),
        relay_lines=relay_lines,
        min_port=int(min_port),
        max_port=int(max_port),
        secret=secret,
        realm=realm.replace("\n", ""),
        total_quota=1200,
        peer_lines=peer_lines,
        log_file=log_file,
        pid_file=pid_file,
        userdb=pid_file.parent / "turndb",
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(dest, 0o600)
    return dest


class Command(BaseCommand):
    help = "按设置生成 coturn 配置（TURN REST 共享密钥认证）并在前台运行 turnserver。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--listening-ip", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=0, help="默认取 TONGBAN_TURN_URLS 的端口，否则 3478")
        parser.add_argument("--realm", default="tongban")
        parser.add_argument("--external-ip", default="", help="1:1 NAT 后浏览器可达的地址")
        parser.add_argument(
            "--allow-peer", action="append", default=[], help="允许中继到的地址（Janus 服务器；可重复）"
        )
        parser.add_argument("--render-only", action="store_true", help="只生成配置并打印启动命令")

    def handle(self, *args: Any, **opts: Any) -> None:
        secret = settings.TONGBAN_TURN_SECRET
        if not secret:
            raise CommandError("未配置 TONGBAN_TURN_SECRET，TURN 服务不可用。")
        binary = shutil.which("turnserver")
        if binary is None and not opts["render_only"]:
            raise CommandError("未安装 coturn（apt-get install coturn），TURN 服务不可用。")
        base = Path(settings.VAR_DIR) / "turn"
        port = opts["port"] or turn_port(list(settings.TONGBAN_TURN_URLS))
        conf = render_turn_config(
            base / "turnserver.conf",
            secret=secret,
            listening_ip=opts["listening_ip"],
            port=port,
            realm=opts["realm"],
            external_ip=opts["external_ip"],
            allow_peers=tuple(opts["allow_peer"]),
            log_file=base / "turnserver.log",
            pid_file=base / "turnserver.pid",
        )
        argv = [binary or "turnserver", "-c", str(conf)]
        if opts["render_only"]:
            self.stdout.write(f"coturn 配置已生成：{conf}")
            self.stdout.write(" ".join(argv))
            return
        self.stdout.write(f"TURN 启动中：{opts['listening_ip']}:{port}（日志 {base / 'turnserver.log'}）")
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 — fixed argv; turnserver replaces this process
