"""``make bench``: the Janus publishers benchmark, small (2 and 4 publishers at 720p); run
``python bench/meetings_publishers.py --max 12`` for the full curve. Skips (exit 0) without root,
Janus or Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":
    script = Path(__file__).resolve().parent / "meetings_publishers.py"
    sys.exit(subprocess.run([sys.executable, str(script), "--max", "4"], check=False).returncode)  # noqa: S603
