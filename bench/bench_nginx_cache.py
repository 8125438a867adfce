"""nginx's micro-cache for anonymous portal pages (deploy/nginx/tongban-cache-*.conf, issue #7):
requests/s of (a) a cached portal page and (b) a static file of the same byte size, both served by
the same nginx on this machine; the target is (a) ≥ 0.5 × (b), printed as the ratio.

Steps: the portal bench's throwaway database (bench/bench_portal.py: SQLite, the orgs demo + the
portal demo, collectstatic), gunicorn (2 workers) on a free loopback port, then nginx with a
private configuration in the same temporary folder — one worker per core, the production
snippets deploy/nginx/tongban-cache-http.conf and tongban-cache-location.conf included verbatim
(only the cache path is rewritten) — in front of it. It checks that the page is a cache HIT, that a
request with a session cookie BYPASSes the cache and that a form page (the letter form, with its
CSRF token) is never stored, then measures with ApacheBench (`ab`) when installed, else with a
Python asyncio client (bench/bench_portal.py's).

Installs nothing: without nginx it prints how to install it and exits 0.
Run: python bench/bench_nginx_cache.py   (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_PORTAL_DIR as in
bench_portal.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_portal as bp

ROOT = bp.ROOT
DEPLOY = ROOT / "deploy" / "nginx"
SECONDS = bp.SECONDS
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))


def nginx_conf(tmp: Path, port: int, app_port: int, static_root: Path) -> str:
    cache_http = (DEPLOY / "tongban-cache-http.conf").read_text()
    cache_http = cache_http.replace("/var/cache/nginx/tongban", str(tmp / "nginx-cache"))
    (tmp / "cache-http.conf").write_text(cache_http)
    shutil.copy(DEPLOY / "tongban-cache-location.conf", tmp / "cache-location.conf")
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes {os.cpu_count() or 1};
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    default_type application/octet-stream;
    include {tmp}/cache-http.conf;
    upstream tongban_app {{ server 127.0.0.1:{app_port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location /bench-static/ {{ alias {static_root}/; }}
        location /portal/ {{
            proxy_pass http://tongban_app;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Connection "";
            include {tmp}/cache-location.conf;
        }}
        location / {{
            proxy_pass http://tongban_app;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - 127.0.0.1 only
    with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def main() -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        print("nginx is not installed; on Debian: apt-get install -y nginx-light (or nginx), then run again.")
        print("ApacheBench makes the figures steadier: apt-get install -y apache2-utils")
        return
    keep = os.environ.get("BENCH_PORTAL_DIR", "")
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="tb-bench-nginx-"))
    tmp.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o755)
    for sub in (
        "nginx-cache",
        "nginx-body",
        "nginx-proxy",
        "nginx-fastcgi",
        "nginx-uwsgi",
        "nginx-scgi",
        "static",
    ):
        (tmp / sub).mkdir(exist_ok=True)
    ready = tmp / "bench-ready.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_TEST")}
    env.pop("TONGBAN_DEBUG", None)
    env.update(
        TONGBAN_VAR_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="tongban.settings",
        PYTHONPATH=str(ROOT / "src"),
        PYTHONUNBUFFERED="1",
    )
    tool = "ab (ApacheBench)" if shutil.which("ab") else "Python asyncio client"
    measure = bp.with_ab if shutil.which("ab") else bp.with_asyncio
    version = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False).stderr.strip()  # noqa: S603
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {version}; var dir {tmp}")
    print(f"load generator: {tool}; {CONCURRENCY} concurrent connections, {SECONDS} s per measurement")
    if keep and ready.exists():
        info = json.loads(ready.read_text())
        print(f"prepared database and static files reused from {tmp}")
    else:
        bp.run([bp.PY, "manage.py", "migrate", "-v0"], env, "migrate")
        out = bp.run([bp.PY, "-c", bp.SEED], env, "seed (orgs demo + portal demo)")
        info = json.loads(out.strip().splitlines()[-1])
        bp.run([bp.PY, "manage.py", "collectstatic", "--noinput", "-v0"], env, "collectstatic")
        if keep:
            ready.write_text(json.dumps(info))
    app_port, port = bp.free_port(), bp.free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, port, app_port, tmp / "static"))
    gunicorn = subprocess.Popen(  # noqa: S603
        [bp.PY, "-m", "gunicorn", "tongban.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{app_port}", "--no-control-socket", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    server: subprocess.Popen[bytes] | None = None
    try:
        bp.wait_ready(f"http://127.0.0.1:{app_port}/portal/", gunicorn)
        test = subprocess.run(  # noqa: S603
            [nginx, "-t", "-q", "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if test.returncode != 0:
            raise SystemExit(f"nginx -t failed:\n{test.stderr}")
        server = subprocess.Popen(  # noqa: S603
            [nginx, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log"), "-g", "daemon off;"],
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 20
        while True:
            try:
                fetch(base + "/bench-static/")
            except urllib.error.HTTPError:
                break  # nginx answers (403/404 for the folder itself)
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("nginx did not start") from None
                time.sleep(0.2)
            else:
                break
        home = info["home"]
        states = []
        for _ in range(3):
            status, headers, body = fetch(base + home)
            states.append(headers.get("X-Cache-Status", "?"))
        assert status == 200 and states[-1] == "HIT", (status, states)
        (tmp / "static" / "same-size.html").write_bytes(body)
        _s, _sh, sbody = fetch(base + "/bench-static/same-size.html")
        assert len(sbody) == len(body)
        _s, bypass, _b = fetch(base + home, {"Cookie": "sessionid=abc"})
        form_states = [fetch(base + "/portal/letters/write/")[1].get("X-Cache-Status", "?") for _ in range(2)]
        _s, form_headers, _b = fetch(base + "/portal/letters/write/")
        print(
            f"portal home {home}: {len(body):,} bytes; cache states {' → '.join(states)}; "
            f"Cache-Control {headers.get('Cache-Control')!r}"
        )
        print(
            f"with a session cookie: {bypass.get('X-Cache-Status')} (never served from or stored in the cache)"
        )
        print(
            f"letter form (CSRF token): {' → '.join(form_states)}, Cache-Control "
            f"{form_headers.get('Cache-Control')!r} (never stored)"
        )
        assert bypass.get("X-Cache-Status") == "BYPASS"
        assert "HIT" not in form_states
        print()
        results = {}
        for label, path in (
            ("static file, same size (nginx)", "/bench-static/same-size.html"),
            ("portal home, nginx micro-cache", home),
        ):
            measure(base + path, 2, CONCURRENCY)
            rps, p50, p95, done, failed = measure(base + path, SECONDS, CONCURRENCY)
            results[label] = rps
            print(
                f"{label:<34} {rps:9.1f} req/s   p50 {p50:5.1f} ms   p95 {p95:5.1f} ms   ({done} requests, {failed} failed)"
            )
        ratio = results["portal home, nginx micro-cache"] / results["static file, same size (nginx)"]
        print()
        print(
            f"ratio cached page / static file: {ratio:.2f} (target ≥ 0.50: {'met' if ratio >= 0.5 else 'NOT met'})"
        )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        for proc in (server, gunicorn):
            if proc is None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
