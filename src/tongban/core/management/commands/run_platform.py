"""``manage.py run_platform``: the whole platform in one terminal — the web server (gunicorn,
2 workers), the task worker (db_worker, all queues) and the scheduler, as child processes; plus
Janus (video meetings, ``run_janus``) when TONGBAN_JANUS_URL points at this machine and Janus is
installed, and coturn (``run_turn``) when it is installed and TONGBAN_TURN_SECRET is set.

Ctrl-C or SIGTERM stops all three; if one of them dies, the others are stopped and the command
exits non-zero (a half-running platform is worse than a stopped one)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT = 20.0
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def video_children() -> tuple[dict[str, list[str]], list[str]]:
    """The Janus/coturn children to start (name → manage.py arguments) and the status lines to print."""
    children: dict[str, list[str]] = {}
    lines: list[str] = []
    url = settings.TONGBAN_JANUS_URL
    if not url and not shutil.which("janus"):
        lines.append("视频会议：未安装 Janus（apt-get install janus），视频会议不可用")
    elif not url:
        lines.append("视频会议：未配置 TONGBAN_JANUS_URL，视频会议不可用")
    elif (urlsplit(url).hostname or "") not in LOCAL_HOSTS:
        lines.append(f"视频会议：使用 Janus {url}")
    elif shutil.which("janus"):
        children["janus"] = ["run_janus"]
        lines.append(f"视频会议：已启动 Janus {url}")
    else:
        lines.append("视频会议：未安装 Janus（apt-get install janus），视频会议不可用")
    if url and settings.TONGBAN_TURN_SECRET and shutil.which("turnserver"):
        children["turn"] = ["run_turn"]
        turn = "，".join(settings.TONGBAN_TURN_URLS) or "127.0.0.1:3478"
        lines.append(f"TURN 中继：已启动 coturn {turn}")
    return children, lines


class Command(BaseCommand):
    help = "启动整个平台：网站（gunicorn）、后台任务进程（db_worker）和调度器；Ctrl-C 全部停止。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, host: str, port: int, web_workers: int, **options: Any) -> None:
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
        src = str(settings.PACKAGE_DIR.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        py = sys.executable
        commands = {
            "web": [
                py,
                "-m",
                "gunicorn",
                "tongban.wsgi:application",
                "--workers",
                str(web_workers),
                "--bind",
                f"{host}:{port}",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
                "--no-control-socket",
            ],
            "worker": [py, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload"],
            "scheduler": [py, "-m", "django", "scheduler"],
        }
        extra, video_lines = video_children()
        for name, manage_args in extra.items():
            commands[name] = [py, "-m", "django", *manage_args]
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = {"signal": 0}

        def on_signal(signum: int, frame: Any) -> None:
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        failed = ""
        try:
            for name, cmd in commands.items():
                # Own process group: a terminal's Ctrl-C reaches only us; we stop the children in order.
                children[name] = subprocess.Popen(  # noqa: S603 — fixed argv, no shell
                    cmd, env=env, cwd=str(settings.BASE_DIR), start_new_session=True
                )
            shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
            self.stdout.write(self.style.SUCCESS(f"通办已启动：http://{shown}:{port}/  （Ctrl-C 停止）"))
            self.stdout.write(f"网上办事大厅（公众）：http://{shown}:{port}/ban/")
            self.stdout.write(f"政府门户网站（公众）：http://{shown}:{port}/portal/")
            self.stdout.write(f"门户网站编辑（工作人员）：http://{shown}:{port}/cms/")
            for line in video_lines:
                self.stdout.write(line)
            self.stdout.write(
                "进程：" + "，".join(f"{name} pid {proc.pid}" for name, proc in children.items())
            )
            self.stdout.flush()
            while not stopping["signal"]:
                for name, proc in children.items():
                    if proc.poll() is not None:
                        failed = f"{name} 进程意外退出（退出码 {proc.returncode}）"
                        break
                if failed:
                    break
                time.sleep(0.3)
        finally:
            self._stop_all(children)
        if failed:
            raise CommandError(f"{failed}，已停止其他进程。", returncode=1)
        self.stdout.write("通办已停止。")

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for proc in children.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
