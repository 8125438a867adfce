"""``manage.py portal_desks_sync [--county CODE]``: rebuild the units' editorial desks (Wagtail
groups, page and collection permissions, workflows) and everyone's group membership from the
portal role grants. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.orgs.models import County
from tongban.portal import editorial


class Command(BaseCommand):
    help = "Rebuild the portal's editorial desks and group memberships from the role grants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", help="county code (default: every county with a portal)")

    def handle(self, *args: Any, **options: Any) -> None:
        counties = County.objects.all()
        if options.get("county"):
            counties = counties.filter(code=options["county"])
            if not counties.exists():
                raise CommandError(f"no county with code {options['county']}")
        else:
            counties = counties.filter(portal_home__isnull=False)
        for county in counties:
            summary = editorial.sync_all(county)
            self.stdout.write(f"{county.name}: {summary.desks} desks, {summary.users} users synced")
