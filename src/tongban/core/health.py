"""Optional health checks that other domains add to /healthz (e.g. the video server).

A domain calls :func:`register` in its ``ready()`` with a function that answers a small dict with
at least ``"ok": bool`` — or ``None`` when the check does not apply (the service is not
configured), in which case it is left out. No secrets, host names or process ids in the answer:
/healthz is open to anyone who can reach the server. A failing check makes the platform
"degraded", never unavailable (503 is for the database alone)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[], "dict[str, Any] | None"]

_CHECKS: dict[str, Check] = {}


def register(name: str, fn: Check) -> None:
    """Add (or replace) the check ``name``."""
    if not callable(fn):
        raise TypeError(f"{name}: expected a callable")
    _CHECKS[name] = fn


def checks() -> dict[str, Check]:
    """The registered checks by name, in name order."""
    return dict(sorted(_CHECKS.items()))


def run_checks() -> dict[str, dict[str, Any]]:
    """Every applicable check's answer; a check that raises is reported as failed (its exception's
    class name only)."""
    results: dict[str, dict[str, Any]] = {}
    for name, fn in checks().items():
        try:
            answer = fn()
        except Exception as exc:  # a broken check is "not ok", never a crash of /healthz
            answer = {"ok": False, "error": exc.__class__.__name__}
        if answer is None:
            continue
        results[name] = {**answer, "ok": bool(answer.get("ok"))}
    return results
