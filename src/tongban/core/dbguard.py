"""The SQLite side of the append-only audit log (see migration core 0003).

Every SQLite connection Tongban opens gets a ``tongban_audit_guard()`` SQL function that the
DELETE trigger on core_auditrecord consults. It answers 1 (refuse) except inside
:func:`whole_database_flush`, which only ``manage.py flush`` uses: wiping every table of the
database (test teardown, reinstall) is not an alteration of the log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()


def _guard() -> int:
    return 0 if getattr(_state, "flushing", False) else 1


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("tongban_audit_guard", 0, _guard)


@contextmanager
def whole_database_flush() -> Iterator[None]:
    _state.flushing = True
    try:
        yield
    finally:
        _state.flushing = False
