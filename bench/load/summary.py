"""The load test's result table (Markdown) from locust's CSV, gunicorn's access log (server time per
request, field ``<n>ms``) and the CPU counters of bench/load/cpu.py. Called by bench/load/run.sh."""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

P95_TARGET_MS = 300


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("out", "users", "time", "started", "finished", "load-before", "load-after"):
        ap.add_argument(f"--{name}", required=True)
    ap.add_argument("--cpu-before", required=True)
    ap.add_argument("--cpu-after", required=True)
    ap.add_argument("--workers", default="default")
    ap.add_argument("--invariants-rc", type=int, required=True)
    a = ap.parse_args()
    out = Path(a.out)
    rows = list(csv.DictReader((out / "locust_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    reqs = int(total["Request Count"])
    fails = int(total["Failure Count"])
    rps = float(total["Requests/s"])
    p95 = float(total["95%"] or 0)
    server_ms = [
        float(m.group(1))
        for m in (re.search(r" (\d+)ms ", line) for line in (out / "access.log").open())
        if m
    ]
    before, after = json.loads(a.cpu_before), json.loads(a.cpu_after)
    web_cpu = after["web"] - before["web"]
    db_cpu = after["db"] - before["db"]
    served = len(server_ms) or reqs
    print(f"### Run {a.started} → {a.finished}\n")
    print(f"- users {a.users}, duration {a.time}, gunicorn workers {a.workers}")
    print(f"- load average (1/5/15 min) before: {a.load_before}; after: {a.load_after}")
    print(
        f"- requests {reqs:,}, failures {fails} ({(fails / reqs * 100 if reqs else 0):.2f} %), "
        f"{rps:.1f} requests/s; p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms "
        f"(client side, includes queueing on the shared machine)"
    )
    print(
        f"- server time per request (gunicorn access log, {len(server_ms):,} requests): p50 "
        f"{_pct(server_ms, 0.5):.0f} ms, p95 {_pct(server_ms, 0.95):.0f} ms"
    )
    print(
        f"- CPU: web {web_cpu:.1f} s, PostgreSQL {db_cpu:.1f} s → "
        f"{web_cpu / served * 1000:.1f} + {db_cpu / served * 1000:.1f} ms CPU per request "
        f"→ {served / max(web_cpu, 0.001):.0f} requests/s per web core"
    )
    verdict_err = "met" if fails == 0 else "MISSED"
    verdict_p95 = "met" if p95 < P95_TARGET_MS else "MISSED"
    print(f"- targets: zero errors {verdict_err}; p95 < {P95_TARGET_MS} ms {verdict_p95}")
    print(
        f"- invariants afterwards: {'hold' if a.invariants_rc == 0 else 'VIOLATED'} (bench/load/out/invariants.txt)\n"
    )
    print("| request | count | fail | p50 ms | p95 ms | p99 ms | max ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r["Name"] == "Aggregated":
            continue
        print(
            f"| {r['Type']} {r['Name']} | {int(r['Request Count']):,} | {r['Failure Count']} | {r['50%']} | "
            f"{r['95%']} | {r['99%']} | {float(r['Max Response Time']):.0f} | {float(r['Requests/s']):.2f} |"
        )
    print(
        f"| **all** | **{reqs:,}** | **{fails}** | **{total['50%']}** | **{total['95%']}** | "
        f"**{total['99%']}** | **{float(total['Max Response Time']):.0f}** | **{rps:.2f}** |"
    )
    failures = out / "locust_failures.csv"
    if fails and failures.exists():
        print("\nFailures:\n")
        for r in csv.DictReader(failures.open()):
            print(f"- {r['Occurrences']} × {r['Method']} {r['Name']}: {r['Error'][:200]}")


if __name__ == "__main__":
    main()
