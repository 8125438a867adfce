"""CPU seconds spent by the platform's server processes (bench/load/run.sh calls it before and
after the run): the gunicorn master's workers and the PostgreSQL backends serving the load
database. On a machine shared with other work, wall-clock rates understate capacity; CPU per
request does not, and is what the province sizing in docs/deploy.md uses.

Usage: python bench/load/cpu.py GUNICORN_MASTER_PID DBNAME  → prints JSON {"web": s, "db": s}."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """utime + stime (+ those of waited-for children, e.g. workers gunicorn already replaced)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICKS


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout  # noqa: S603, S607
    return [int(x) for x in out.split()]


def _db_backends(dbname: str) -> list[int]:
    sql = f"select pid from pg_stat_activity where datname = '{dbname}'"  # noqa: S608 — our own argument
    url = os.environ.get("TONGBAN_DATABASE_URL", "")
    host = "127.0.0.1"
    user = "postgres"
    if url.startswith("postgres"):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host, user = parts.hostname or host, parts.username or user
    out = subprocess.run(  # noqa: S603
        ["psql", "-h", host, "-U", user, "-d", "postgres", "-Atc", sql],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout
    return [int(x) for x in out.split()]


def main() -> None:
    master, dbname = int(sys.argv[1]), sys.argv[2]
    web = _cpu(master) + sum(_cpu(p) for p in _children(master))
    db = sum(_cpu(p) for p in _db_backends(dbname))
    print(json.dumps({"web": round(web, 2), "db": round(db, 2)}))


if __name__ == "__main__":
    main()
