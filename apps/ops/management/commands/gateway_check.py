"""``manage.py gateway_check``: what works on the configured gateway, and what does not.

Read-only unless ``--write`` (a board and a folder of its own, created then deleted); ``--chat``
also sends one message to an existing assistant. Exit status 1 when any probe failed.
"""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.ops.services import gateway_checks


class Command(BaseCommand):
    help = "Probe the configured Imbrace gateway (IMBRACE_BASE_URL): read-only unless --write."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chat", action="store_true", help="also chat with an existing assistant")
        parser.add_argument("--assistant", default="", help="the assistant id for --chat (default: the first)")
        parser.add_argument("--write", action="store_true", help="create and delete a test board and folder")

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Gateway: {settings.IMBRACE_BASE_URL}")
        probes = asyncio.run(
            gateway_checks(chat=options["chat"], write=options["write"], assistant_id=options["assistant"])
        )
        for probe in probes:
            mark = self.style.SUCCESS("ok  ") if probe.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {probe.name}: {probe.summary}")
            if probe.surprise:
                self.stdout.write(f"       response: {probe.surprise}")
        failed = [probe.name for probe in probes if not probe.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(probes)} checks failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS(f"All {len(probes)} checks passed."))
