"""How late the machine lets an idle process wake: stalls that no server's code caused.

``python -m bench.pauses`` prints ``ready``, then sleeps 10 ms at a time and
prints, as a JSON line, each wake-up that came more than ``LATE_MS`` late,
with the monotonic time it came at (the clock every process on the machine
shares). It does nothing else, so lateness here is the machine's: the
hypervisor taking the CPUs away, or more runnable processes than cores. A
hundred wake-ups a second cost next to nothing, so the watcher hardly adds to
what it watches. ``Pauses`` runs it beside a case and says how late it woke
within a window of the case's own.
"""

from __future__ import annotations

import asyncio
import json
import time

from .client import ready_process

SLEEP_S = 0.01
LATE_MS = 1.0


def main() -> None:
    print("ready", flush=True)
    last = time.monotonic()
    while True:
        time.sleep(SLEEP_S)
        now = time.monotonic()
        late_ms = (now - last - SLEEP_S) * 1000
        if late_ms > LATE_MS:
            print(json.dumps({"at": now, "late_ms": round(late_ms, 1)}), flush=True)
        last = now


class Pauses:
    """``async with Pauses() as pauses``: the watcher runs until the block ends; then ``worst(start, end)``."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._events: list[tuple[float, float]] = []

    async def __aenter__(self) -> Pauses:
        self._process = await ready_process("bench.pauses")  # watching before the case goes on
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._process is not None
        self._process.terminate()
        stdout, _ = await self._process.communicate()
        for line in stdout.decode().splitlines():
            event = json.loads(line)
            self._events.append((event["at"], event["late_ms"]))

    def worst(self, start: float, end: float) -> float:
        """How late (ms) the most overdue wake-up between ``start`` and ``end`` (monotonic) came; 0 if none was."""
        return max((late for at, late in self._events if start <= at <= end), default=0.0)


if __name__ == "__main__":
    main()
