"""Run every benchmark under bench/ (``make bench``) and print their figures.

Each ``bench_*.py`` is a standalone script that sets up its own throwaway database and prints
plain lines of figures; this runner only runs them one after another and reports failures.
One exception: ``bench_cases.py`` leaves its seeded cases (1,000,000 on PostgreSQL) to
``bench_sweep.py``, which runs after it and drops them (TONGBAN_BENCH_CASES_SHARED), so the
cases are seeded once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    env = {**os.environ, "TONGBAN_BENCH_CASES_SHARED": "1"}
    scripts = sorted(HERE.glob("bench_*.py"))
    # the sweep bench reuses (and then drops) the cases bench_cases.py seeded: it runs after it
    scripts.sort(key=lambda s: s.stem == "bench_sweep")
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], check=False, env=env)  # noqa: S603
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
