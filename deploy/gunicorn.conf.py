"""gunicorn settings for a county (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py tongban.wsgi`.

Every value can be overridden from the environment file (/etc/tongban/tongban.env) without editing
this file. Sync workers: the platform's views are short database round trips; long waits (Janus's
long poll, big downloads) are nginx's job, not a worker's."""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


cores = multiprocessing.cpu_count()
# 2 per core + 1 (gunicorn's rule of thumb for sync workers), at least 3, at most 17 per node.
workers = _int("TONGBAN_WEB_WORKERS", max(3, min(2 * cores + 1, 17)))
worker_class = "sync"
bind = os.environ.get("TONGBAN_WEB_BIND", "127.0.0.1:8000")
backlog = 2048
# A request that takes longer than this is killed and logged (the slowest pages are PDF renders,
# a few seconds); nginx's proxy_read_timeout is a little longer so the client sees gunicorn's 502 reason.
timeout = _int("TONGBAN_WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth of long-lived Python processes).
max_requests = _int("TONGBAN_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Heartbeat files in RAM, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 — gunicorn's documented choice
# Only nginx on this machine may set X-Forwarded-* (TONGBAN_PROXY_COUNT=1, TONGBAN_TLS_PROXY=1).
forwarded_allow_ips = os.environ.get("TONGBAN_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190
limit_request_field_size = 8190
# Access log to stdout (journald): client, time, request, status, bytes, duration in ms, agent.
accesslog = os.environ.get("TONGBAN_WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("TONGBAN_WEB_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "tongban-web"
