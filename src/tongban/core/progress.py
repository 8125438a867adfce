"""A one-line console progress bar for long jobs (seeding, imports): bar, percentage, count, rate
and time left, redrawn in place with \\r."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """A one-line progress bar on the console: bar, percentage, count, rate and ETA, redrawn with \\r."""

    def __init__(self, total: int, out: TextIO | None, label: str = "") -> None:
        self.total, self.out, self.label = max(1, total), out, label
        self.started = time.perf_counter()
        self.last = 0.0
        self.shown = 0

    def update(self, done: int, *, force: bool = False) -> None:
        if self.out is None:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.25 and done < self.total:
            return
        self.last, self.shown = now, done
        elapsed = max(1e-6, now - self.started)
        rate = done / elapsed
        left = (self.total - done) / rate if rate > 0 else 0
        filled = int(30 * done / self.total)
        bar = "█" * filled + "░" * (30 - filled)
        self.out.write(
            f"\r{self.label}[{bar}] {100 * done / self.total:5.1f}% {done:,}/{self.total:,}"
            f"  {rate:,.0f} 件/秒  已用 {_mmss(elapsed)}  剩余 {_mmss(left)} "
        )
        self.out.flush()

    def finish(self) -> None:
        if self.out is not None:
            if self.shown < self.total:
                self.update(self.total, force=True)
            self.out.write("\n")
            self.out.flush()


def _mmss(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"
