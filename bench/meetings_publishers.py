"""How many 720p publishers one Janus VideoRoom carries: ``python bench/meetings_publishers.py --max 8``.

Janus runs in its own network namespace (``running_janus(media=True)``: root, iproute2, janus,
Chromium). For K = start, start+step, … up to --max, K headless Chromium pages (one browser
context each, a few pages per browser) publish fake 1280x720@30 video plus audio into one room
(publishers=K, bitrate cap --bitrate), and one more page subscribes to every feed and measures,
over --seconds, the received frame rate per feed (framesDecoded delta), dropped frames and
packet loss from getStats(). The run stops when the median received fps falls under 90 % of the
median sent fps or a page fails. Printed per K: Janus CPU (% of one core, /proc/<pid>/stat),
Janus RSS, Chromium CPU (all its processes), host load, received fps min/median, loss. Both
sides share the machine: the table says which one saturates.

Without root, Janus or Chromium it prints why and exits 0 (``make bench`` runs it through
bench_meetings_publishers.py with a small --max)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from tongban.meetings.janus_testing import (  # noqa: E402
    CHROMIUM_MEDIA_ARGS,
    JanusInstance,
    create_room,
    janus_available,
    make_token,
    netns_available,
    running_janus,
    serve_test_page,
)

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _proc_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _rss_mb(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * PAGE_SIZE / 1e6


def _chromium_pids() -> list[int]:
    """Chromium processes started by this process tree (Playwright launches them under its driver)."""
    me = os.getpid()
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        names[int(entry.name)] = name
    result = []
    for pid, name in names.items():
        if "chrom" not in name.lower():
            continue
        p = pid
        while p > 1:
            p = parents.get(p, 0)
            if p == me:
                result.append(pid)
                break
    return result


def _cpu_sample(janus_pid: int) -> tuple[float, int, dict[int, int]]:
    chrome = {pid: _proc_ticks(pid) for pid in _chromium_pids()}
    return time.monotonic(), _proc_ticks(janus_pid), chrome


def _open_page(browser: Any, url: str) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    return page


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise RuntimeError(f"timed out: {what}")


def run_k(pw: Any, inst: JanusInstance, base: str, k: int, args: argparse.Namespace) -> dict[str, Any]:
    room = 9000 + k
    create_room(inst, room=room, publishers=k + 1, bitrate=args.bitrate)
    browsers: list[Any] = []
    pages: list[Any] = []

    def url(name: str, pub: bool, sub: bool) -> str:
        q = {
            "server": inst.public_url,
            "token": make_token(inst.token_secret),
            "room": room,
            "name": name,
            "pub": "1" if pub else "0",
            "sub": "1" if sub else "0",
            "w": args.width,
            "h": args.height,
            "fps": args.fps,
        }
        return f"{base}/index.html?{urllib.parse.urlencode(q)}"

    # the fake camera captures at 20 fps unless told otherwise
    chrome_args = [
        f"--use-fake-device-for-media-stream=fps={args.fps}"
        if a == "--use-fake-device-for-media-stream"
        else a
        for a in CHROMIUM_MEDIA_ARGS
    ]

    def launch() -> Any:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=chrome_args)
        browsers.append(b)
        return b

    failed = ""
    try:
        browser = None
        for i in range(k):
            if i % args.pages_per_browser == 0:
                browser = launch()
            pages.append(_open_page(browser, url(f"pub{i}", True, False)))
        publishers = list(pages)
        _wait(
            lambda: (
                all(p.evaluate("window.tb.status") == "publishing" for p in publishers)
                or any(p.evaluate("window.tb.errors.length") for p in publishers)
            ),
            60,
            "publishers to publish",
        )
        sub = _open_page(launch(), url("subscriber", False, True))
        pages.append(sub)

        def subscriber_ready() -> bool:
            if sub.evaluate("window.tb.errors.length"):
                return True
            stats = sub.evaluate("window.tb.feedStats()")
            return len(stats) >= k and all(r["framesDecoded"] > 0 for r in stats.values())

        _wait(subscriber_ready, 60, "the subscriber to decode every feed")
        errors = [e for p in pages for e in p.evaluate("window.tb.errors")]
        if errors:
            raise RuntimeError("; ".join(errors[:3]))
        # Chromium's bandwidth estimate ramps up from ~300 kbps: wait (bounded) until every
        # publisher sends full-size frames, then measure whatever was reached
        deadline = time.monotonic() + args.rampup
        while time.monotonic() < deadline:
            if all(p.evaluate("window.tb.sentStats()")["frameWidth"] >= args.width for p in publishers):
                break
            time.sleep(1)
        time.sleep(args.warmup)
        t0, j0, c0 = _cpu_sample(inst.pid)
        s0 = sub.evaluate("window.tb.feedStats()")
        p0 = [p.evaluate("window.tb.sentStats()") for p in publishers]
        time.sleep(args.seconds)
        t1, j1, c1 = _cpu_sample(inst.pid)
        s1 = sub.evaluate("window.tb.feedStats()")
        p1 = [p.evaluate("window.tb.sentStats()") for p in publishers]
        dt = t1 - t0
        fps = [(s1[f]["framesDecoded"] - s0.get(f, {}).get("framesDecoded", 0)) / dt for f in s1]
        dropped = sum(s1[f]["framesDropped"] - s0.get(f, {}).get("framesDropped", 0) for f in s1)
        lost = sum(s1[f]["packetsLost"] - s0.get(f, {}).get("packetsLost", 0) for f in s1)
        received = sum(s1[f]["packetsReceived"] - s0.get(f, {}).get("packetsReceived", 0) for f in s1)
        sent_fps = [(b["framesSent"] - a["framesSent"]) / dt for a, b in zip(p0, p1, strict=True)]
        widths = sorted({r["frameWidth"] for r in s1.values()})
        limits = sorted({b["limitation"] for b in p1} - {"none", ""})
        chrome_ticks = sum(c1[p] - c0.get(p, c1[p]) for p in c1)
        return {
            "k": k,
            "janus_cpu": (j1 - j0) / TICKS / dt * 100,
            "janus_rss": _rss_mb(inst.pid),
            "chrome_cpu": chrome_ticks / TICKS / dt * 100,
            "load": os.getloadavg()[0],
            "fps_min": min(fps) if fps else 0.0,
            "fps_med": statistics.median(fps) if fps else 0.0,
            "sent_med": statistics.median(sent_fps) if sent_fps else 0.0,
            "dropped": dropped,
            "loss": lost / max(1, lost + received) * 100,
            "widths": widths,
            "limits": limits,
            "feeds": len(fps),
        }
    except Exception as exc:  # a failing page ends the run with its reason
        failed = str(exc)
        return {"k": k, "failed": failed}
    finally:
        for p in pages:
            with contextlib.suppress(Exception):  # best effort: the browser closes below anyway
                p.evaluate("window.tb.close()")
        for b in browsers:
            b.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max", type=int, default=12, help="largest number of publishers to try")
    parser.add_argument("--start", type=int, default=2)
    parser.add_argument("--step", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rampup", type=float, default=45.0, help="max wait for full-size frames")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--bitrate", type=int, default=1_000_000)
    parser.add_argument("--pages-per-browser", type=int, default=4)
    args = parser.parse_args()
    missing = [
        why
        for ok, why in (
            (janus_available(), "janus is not installed"),
            (netns_available(), "needs root and iproute2 (network namespace)"),
            (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM), f"no Chromium at {CHROMIUM}"),
        )
        if not ok
    ]
    if missing:
        print("meetings_publishers: skipped —", "; ".join(missing))
        return 0
    from playwright.sync_api import sync_playwright

    print(
        f"Janus VideoRoom, {args.width}x{args.height}@{args.fps} fake video + audio per publisher, "
        f"bitrate cap {args.bitrate / 1e6:.1f} Mbps, one subscriber page receiving every feed, "
        f"{args.seconds:.0f} s per step, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'K':>3} {'janus CPU%':>10} {'janus RSS MB':>12} {'chromium CPU%':>13} {'load':>5} "
        f"{'sent fps':>8} {'recv fps min/med':>16} {'dropped':>7} {'loss %':>6}  recv widths / sender limit"
    )
    rows: list[dict[str, Any]] = []
    with running_janus(media=True) as inst, serve_test_page() as base, sync_playwright() as pw:
        print(header, flush=True)
        k = args.start
        while k <= args.max:
            row = run_k(pw, inst, base, k, args)
            if "failed" in row:
                print(f"{k:>3} failed: {row['failed'][:200]}", flush=True)
                break
            rows.append(row)
            print(
                f"{k:>3} {row['janus_cpu']:>10.1f} {row['janus_rss']:>12.1f} {row['chrome_cpu']:>13.0f} "
                f"{row['load']:>5.1f} {row['sent_med']:>8.1f} "
                f"{row['fps_min']:>7.1f}/{row['fps_med']:<8.1f} {row['dropped']:>7} {row['loss']:>6.2f}  "
                f"{row['widths']} {','.join(row['limits']) or '-'}",
                flush=True,
            )
            if row["feeds"] < k or row["fps_med"] < 0.9 * max(row["sent_med"], 1.0):
                print(f"stopped at K={k}: received fps under 90 % of sent (or feeds missing)")
                break
            k += args.step
    if rows:
        per_pub = [r["janus_cpu"] / r["k"] for r in rows if r["k"]]
        best = max(rows, key=lambda r: r["k"])
        cost = statistics.median(per_pub)
        print(
            f"Janus CPU per 720p publisher (one stream in, one stream out): {cost:.2f} % of a core "
            f"(median over K); at K={best['k']} Janus used {best['janus_cpu']:.1f} % and Chromium "
            f"{best['chrome_cpu']:.0f} % of {(os.cpu_count() or 1) * 100} %."
        )
        if cost > 0:
            print(
                f"Extrapolated: one Janus core forwards about {int(80 / (cost / 2))} such streams "
                f"(in + out, at 80 % of a core)."
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
