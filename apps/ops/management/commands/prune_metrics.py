"""Delete the dashboard's aggregates older than the retention.

Run it on a schedule on the task worker's host (a systemd timer or cron: docs/guide/dashboard.md),
never in the web workers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.ops.aggregates import prune


class Command(BaseCommand):
    help = "Delete measurement aggregates older than --days days (default CONSOLE_METRICS_RETENTION_DAYS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=settings.CONSOLE_METRICS_RETENTION_DAYS)

    def handle(self, *args, days: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = prune(days=days)
        self.stdout.write(f"Deleted {deleted} aggregate row(s) older than {days} day(s).")
