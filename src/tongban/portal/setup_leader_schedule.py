"""Wiring of the portal's side of the leaders' schedules: hands :func:`publish_week` to the
meetings module (which may not import the portal). Listed in ``PortalConfig``'s parts."""

from __future__ import annotations


def ready() -> None:
    from tongban.portal import leader_schedule

    leader_schedule.register()
