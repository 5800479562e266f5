"""Log records are written by a thread of their own, so a slow write never holds up the code that logs."""

from __future__ import annotations

import logging
import threading
import time


def test_a_write_that_waits_holds_up_only_the_log_writer():
    """The event loop logs every gateway call; a disk busy with other writes must not stall it."""
    stderr = logging.getHandlerByName("stderr")
    release = threading.Event()
    written: list[str] = []

    class SlowStream:
        def write(self, text: str) -> None:
            release.wait(5)
            written.append(text)

        def flush(self) -> None:
            pass

    previous = stderr.setStream(SlowStream())
    try:
        logging.getLogger("imbrace_console.gateway").warning("queued here, written by the log writer")
        assert written == [], "the caller waited for the write"
        release.set()
        deadline = time.monotonic() + 5
        while not any("queued here, written by the log writer" in text for text in written):
            assert time.monotonic() < deadline, "the log writer never wrote the record"
            time.sleep(0.01)
    finally:
        release.set()
        stderr.setStream(previous)
