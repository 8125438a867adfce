"""Django's ``flush`` (empty every table), allowed past the audit log's SQLite delete trigger:
wiping the whole database, chain head included, is an installation act, not an alteration of
the log (the trigger still refuses every other DELETE)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from tongban.core.dbguard import whole_database_flush


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        with whole_database_flush():
            super().handle(**options)
