"""Delete finished or abandoned CSV import jobs and their uploaded files.

Run it once per deployment on a schedule (cron or a systemd timer), never in the web workers:
docs/guide/boards-import.md shows both.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.boards.import_jobs import prune


class Command(BaseCommand):
    help = "Delete CSV import jobs untouched for --days days (default BOARD_IMPORT_RETENTION_DAYS) and their files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=settings.BOARD_IMPORT_RETENTION_DAYS)

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        jobs, files = prune(days=days)
        self.stdout.write(f"Deleted {jobs} import job(s) and {files} file(s) older than {days} day(s).")
