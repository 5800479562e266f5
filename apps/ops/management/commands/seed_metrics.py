"""Sample measurements for a demo console, so the dashboard's charts show something before any use.

``make run`` runs it with ``--if-empty`` when it starts the local gateway (never against a real one).
The rows are sample numbers: the sample assistants say so in their names.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.ops.demo import seed_aggregates
from apps.ops.models import Aggregate


class Command(BaseCommand):
    help = "Insert sample dashboard aggregates (a week of gateway calls and chats for sample routes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Only when no aggregates are stored yet.")
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("--routes", type=int, default=12)
        parser.add_argument("--minute-days", type=float, default=1 / 24, help="Days of minute rows (default: an hour).")

    def handle(self, *args, if_empty: bool, days: int, routes: int, minute_days: float, **options) -> None:
        if if_empty and Aggregate.objects.exists():
            self.stdout.write("Aggregates are already stored; no samples added.")
            return
        written = seed_aggregates(days=days, routes=routes, minute_days=minute_days)
        self.stdout.write(f"Added {written} sample aggregate row(s) over {days} day(s).")
