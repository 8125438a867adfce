"""The portal under gunicorn: requests/s and p50/p95 latency of
(a) the home page served from the page cache,
(b) a Django view returning the same HTML bytes from memory (bench/portal_bench_urls.py) — the issue's
    target is (a) ≥ 50 % of (b) on the same machine, printed as the ratio,
(c) an article page, cached and uncached (a query string bypasses the page cache: tongban.portal.cache
    caches only anonymous GETs without one), and the home page uncached for comparison.

Steps: a throwaway TONGBAN_VAR_DIR (SQLite), migrate, the orgs demo + the portal demo only (no other
domain's demo), collectstatic (fingerprinted and compressed by WhiteNoise), gunicorn with 2 sync
workers on a free port of 127.0.0.1, then the load generator: ApacheBench (`ab`, apache2-utils) when
installed, otherwise a Python asyncio client (one connection per request, as gunicorn's sync workers
close each). The tool used is printed. Each measurement runs BENCH_SECONDS (default 8) at
BENCH_CONCURRENCY (default 8) connections.

Run: python bench/bench_portal.py   (not part of make test; about 2–3 minutes, most of it migrate).
Set TONGBAN_REDIS_URL to measure with the Redis cache the county deployment uses (the default is
each worker's local-memory cache). BENCH_PORTAL_DIR=/some/dir keeps the prepared database and
static files there: the first run prepares them, later runs skip migrate, seeding and collectstatic
(on a busy machine those take most of the time)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = 2

SEED = """
import json, time, django
django.setup()
from tongban.core.demo import DemoContext
from tongban.orgs import demo
from tongban.orgs.services import seed_apply
from tongban.portal import demo_site
from tongban.portal.models import ArticlePage, HomePage
started = time.perf_counter()
seed_apply(plan=demo.build_plan())
orgs = time.perf_counter() - started
line = demo_site.seed(DemoContext(usernames=[a[1] for a in demo.DEMO_ACCOUNTS]))
home = HomePage.objects.get(county__code=demo.COUNTY_CODE)
article = ArticlePage.objects.descendant_of(home).filter(is_headline=True).order_by("-publish_date").first()
print(json.dumps({"home": home.url, "article": article.url, "line": line, "orgs": orgs,
                  "portal": time.perf_counter() - started - orgs}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(cmd: list[str], env: dict[str, str], label: str) -> str:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{label} failed")
    print(f"{label}: {time.perf_counter() - started:.1f} s")
    return done.stdout


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
        return response.status, dict(response.headers), response.read()


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


# --- load generators --------------------------------------------------------------------------


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def with_ab(url: str, seconds: int, concurrency: int) -> tuple[float, float, float, int, int]:
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("ab") or "ab",
            "-q",
            "-l",
            "-t",
            str(seconds),
            "-n",
            "10000000",
            "-c",
            str(concurrency),
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"^\s+50%\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]
    p95 = float(re.search(r"^\s+95%\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"Complete requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return rps, p50, p95, done, failed + (int(non2xx.group(1)) if non2xx else 0)


async def _client(host: str, port: int, path: str, stop: float, lat: list[float], errors: list[int]) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    while time.perf_counter() < stop:
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            data = await reader.read()
            writer.close()
        except OSError:
            errors.append(1)
            continue
        if not data.startswith(b"HTTP/1.1 200"):
            errors.append(1)
        lat.append((time.perf_counter() - started) * 1000)


def with_asyncio(url: str, seconds: int, concurrency: int) -> tuple[float, float, float, int, int]:
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    assert match
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    lat: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(*(_client(host, port, path, stop, lat, errors) for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    return len(lat) / elapsed, pct(lat, 50), pct(lat, 95), len(lat), len(errors)


def main() -> None:
    keep = os.environ.get("BENCH_PORTAL_DIR", "")
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="tb-bench-portal-"))
    tmp.mkdir(parents=True, exist_ok=True)
    ready = tmp / "bench-ready.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_TEST")}
    env.pop("TONGBAN_DEBUG", None)
    env.update(
        TONGBAN_VAR_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="portal_bench_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
        PORTAL_BENCH_HTML=str(tmp / "home.html"),
        PYTHONUNBUFFERED="1",
    )
    tool = "ab (ApacheBench)" if shutil.which("ab") else "Python asyncio client"
    measure = with_ab if shutil.which("ab") else with_asyncio
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; var dir {tmp}")
    print(f"load generator: {tool}; {CONCURRENCY} concurrent connections, {SECONDS} s per measurement")
    print(
        f"cache: {'Redis ' + env['TONGBAN_REDIS_URL'] if env.get('TONGBAN_REDIS_URL') else 'local memory per worker'}"
    )
    started = time.perf_counter()
    if keep and ready.exists():
        info = json.loads(ready.read_text())
        print(f"prepared database and static files reused from {tmp}")
    else:
        run([PY, "manage.py", "migrate", "-v0"], env, "migrate")
        out = run([PY, "-c", SEED], env, "seed (orgs demo + portal demo)")
        info = json.loads(out.strip().splitlines()[-1])
        print(f"  orgs {info['orgs']:.1f} s, portal {info['portal']:.1f} s — {info['line']}")
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env, "collectstatic")
        if keep:
            ready.write_text(json.dumps(info))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(  # noqa: S603
        [PY, "-m", "gunicorn", "tongban.wsgi:application", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_ready(f"{base}/portal/", gunicorn)
        home, article = info["home"], info["article"]
        # the home page's bytes, as served from the cache, for the in-memory view
        for _ in range(4):
            status, headers, body = get(base + home)
        assert status == 200 and headers.get("X-Portal-Cache") == "hit", headers
        (tmp / "home.html").write_bytes(body)
        status, _h, memory_body = get(base + "/__bench__/memory/")
        assert status == 200 and memory_body == body
        _s, article_headers, _b = get(base + article + "?bench=1")
        assert article_headers.get("X-Portal-Cache") == "bypass", article_headers
        print(
            f"home page {len(body):,} bytes; article {article}; setup {time.perf_counter() - started:.1f} s"
        )
        print()
        cases = [
            ("home page, cached", home),
            ("same HTML from memory (Django view)", "/__bench__/memory/"),
            ("article page, cached", article),
            ("article page, uncached", article + "?bench=1"),
            ("home page, uncached", home + "?bench=1"),
        ]
        results: dict[str, float] = {}
        for label, path in cases:
            measure(base + path, 2, CONCURRENCY)  # warm both workers
            rps, p50, p95, done, failed = measure(base + path, SECONDS, CONCURRENCY)
            results[label] = rps
            print(
                f"{label:<38} {rps:8.1f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({done} requests, {failed} failed)"
            )
        ratio = results["home page, cached"] / results["same HTML from memory (Django view)"]
        print()
        print(
            f"ratio home cached / from memory: {ratio:.2f} (target ≥ 0.50: {'met' if ratio >= 0.5 else 'NOT met'})"
        )
        print(
            f"article cached / uncached: {results['article page, cached'] / results['article page, uncached']:.1f}×"
        )
        print(f"total {time.perf_counter() - started:.1f} s")
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
