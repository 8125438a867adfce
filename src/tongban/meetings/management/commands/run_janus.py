"""``manage.py run_janus``: render Janus's private configuration from settings and run Janus in the
foreground (``make demo`` starts it as a child of run_platform).

The configuration goes to VAR_DIR/janus/conf (``--conf-dir`` to choose): the HTTP API on
``--ip`` (127.0.0.1) and the port of TONGBAN_JANUS_URL, the Admin API on the port of
TONGBAN_JANUS_ADMIN_URL (7088 when unset), token auth with TONGBAN_JANUS_TOKEN_SECRET, the
VideoRoom admin_key TONGBAN_JANUS_ROOM_ADMIN_KEY. ``--render-only`` writes the folder and prints
the command (production runs that command under systemd)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.meetings.janus_config import janus_binary, janus_command, render_config

DEFAULT_HTTP_PORT = 8088
DEFAULT_ADMIN_PORT = 7088


def var_secret(name: str) -> str:
    """A secret kept under VAR_DIR/janus/ (generated once, mode 0600)."""
    folder = Path(settings.VAR_DIR) / "janus"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def port_of(url: str, default: int) -> int:
    """The port of an http(s) URL (its scheme's default when absent; ``default`` when the URL is empty)."""
    if not url:
        return default
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise CommandError(f"地址中的端口无效：{url}") from exc
    return port or (443 if parts.scheme == "https" else 80)


class Command(BaseCommand):
    help = "按设置生成 Janus 配置（仅 VideoRoom 插件和 HTTP 传输，令牌认证）并在前台运行 Janus。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ip", default="127.0.0.1", help="HTTP API 和管理 API 监听的地址")
        parser.add_argument("--conf-dir", default="", help="配置目录（默认 VAR_DIR/janus/conf）")
        parser.add_argument("--render-only", action="store_true", help="只生成配置并打印启动命令")
        parser.add_argument("--nat-1-1-mapping", default="", help="1:1 NAT 时浏览器可达的公网/专网地址")
        parser.add_argument("--rtp-port-range", default="20000-40000", help="媒体 UDP 端口范围")
        parser.add_argument("--debug-level", type=int, default=4)

    def handle(self, *args: Any, **opts: Any) -> None:
        url = settings.TONGBAN_JANUS_URL
        if not url:
            raise CommandError("未配置 TONGBAN_JANUS_URL，视频会议不可用。")
        if not opts["render_only"] and janus_binary() is None:
            raise CommandError("未安装 Janus（apt-get install janus），视频会议不可用。")
        token_secret = settings.TONGBAN_JANUS_TOKEN_SECRET
        if not token_secret:
            raise CommandError("未配置 TONGBAN_JANUS_TOKEN_SECRET。")
        room_admin_key = getattr(settings, "TONGBAN_JANUS_ROOM_ADMIN_KEY", "") or var_secret("room_admin_key")
        admin_secret = settings.TONGBAN_JANUS_ADMIN_SECRET or var_secret("admin_secret")
        base = Path(settings.VAR_DIR) / "janus"
        conf = Path(opts["conf_dir"]) if opts["conf_dir"] else base / "conf"
        log_path = base / "janus.log"
        render_config(
            conf,
            ip=opts["ip"],
            http_port=port_of(url, DEFAULT_HTTP_PORT),
            admin_port=port_of(settings.TONGBAN_JANUS_ADMIN_URL, DEFAULT_ADMIN_PORT),
            token_secret=token_secret,
            admin_secret=admin_secret,
            room_admin_key=room_admin_key,
            log_path=log_path,
            recordings_dir=Path(settings.TONGBAN_JANUS_RECORDINGS_DIR),
            rtp_port_range=opts["rtp_port_range"],
            nat_1_1_mapping=opts["nat_1_1_mapping"],
            debug_level=opts["debug_level"],
        )
        argv = janus_command(conf, log_path)
        if opts["render_only"]:
            self.stdout.write(f"Janus 配置已生成：{conf}")
            self.stdout.write(" ".join(argv))
            return
        self.stdout.write(f"Janus 启动中：{url}（日志 {log_path}）")
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 — fixed argv; Janus replaces this process (signals reach it)
