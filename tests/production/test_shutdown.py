"""A rolling restart's SIGTERM on the production stack (tests/production/stack.py): chat answers open through
nginx on the stopped instance end with the interrupted event after the grace period (the stack runs with
``CONSOLE_SHUTDOWN_GRACE=2``), Retry through nginx is answered by the other instance, and the instance exits
within uvicorn's ``--timeout-graceful-shutdown``. The instance is started again for the tests after this one.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.chat_helpers import make_assistant, make_folder
from tests.production.stack import CONSOLE_UNIT, unit_setting

pytestmark = [pytest.mark.production, pytest.mark.timeout(300)]

STREAM = {"HX-Request": "true", "Accept": "text/event-stream"}  # as static/js/chat.js posts a message
STREAMS = 4  # nginx sends them round-robin: each instance gets some whatever its workers' turns


def events_of(lines) -> list[tuple[str, str]]:
    """(event, data) of an SSE response's lines, read to the end."""
    events, name, data = [], "", []
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))
        elif not line and name:
            events.append((name, "\n".join(data)))
            name, data = "", []
    return events


def test_sigterm_interrupts_open_answers_retry_goes_to_the_other_instance(stack, admin, gw):
    graceful = float(re.search(r"--timeout-graceful-shutdown (\d+)", CONSOLE_UNIT.read_text()).group(1))
    assert float(stack.env["CONSOLE_SHUTDOWN_GRACE"]) < graceful < float(unit_setting(CONSOLE_UNIT, "TimeoutStopSec"))
    # About 40 words, 200 ms apart: longer than the grace period after the first word.
    folder = make_folder(gw, {"refunds.md": "Refunds are paid within 14 days of the return. " * 3})
    assistant = make_assistant(gw, folder_ids=[folder], metadata={"word_delay_ms": 200})
    started = threading.Barrier(STREAMS + 1, timeout=60)

    def ask(_) -> tuple[list[tuple[str, str]], float]:
        """The answer's events after its first word, and when it ended."""
        with stack.client() as client:
            client.cookies.update(admin.cookies)
            client.headers["X-CSRFToken"] = admin.headers["X-CSRFToken"]
            url = f"/assistants/{assistant['id']}/chat/send/"
            with client.stream("POST", url, data={"message": "refund policy"}, headers=STREAM) as relay:
                assert relay.status_code == 200
                lines = relay.iter_lines()
                while next(lines) != "event: delta":  # the answer is under way
                    pass
                started.wait()
                return events_of(lines), time.monotonic()

    instance = stack.instances[0]
    try:
        with ThreadPoolExecutor(STREAMS) as pool:
            answers = pool.map(ask, range(STREAMS))
            started.wait()
            signalled = time.monotonic()
            instance.process.send_signal(signal.SIGTERM)
            ended = list(answers)
        answers = [events for events, _ in ended]
        instance.process.wait(timeout=graceful)
        exited = time.monotonic() - signalled
        log = instance.log_path.read_text(errors="replace")
        assert instance.process.returncode == 0, log[-3000:]
        assert "timeout graceful shutdown exceeded" not in log, "the relay ended the answers, not uvicorn"
        assert exited < graceful, exited

        interrupted = [events for events in answers if "interrupted" in dict(events)]
        assert interrupted, "the stopped instance had open answers"
        grace = float(stack.env["CONSOLE_SHUTDOWN_GRACE"])
        cut = [at - signalled for events, at in ended if "interrupted" in dict(events)]
        assert min(cut) > grace * 0.9, f"the answers went on for the grace period: {cut}"
        for events in answers:
            names = [name for name, _ in events]
            assert names[-1] == "done" and "failure" not in names, names
        for events in interrupted:
            names = [name for name, _ in events]
            assert names[-2:] == ["interrupted", "done"], names
            assert "Interrupted by a restart" in dict(events)["interrupted"]
            assert "block" in names, "the answer so far was sent in full"

        # Before the instance is started again: nginx passes the refused connection on to the other one.
        retry_url = re.search(r'data-retry-url="([^"]+)"', dict(interrupted[0])["interrupted"]).group(1)
        with admin.stream("POST", retry_url, headers=STREAM) as retried:
            assert retried.status_code == 200
            names = [name for name, _ in events_of(retried.iter_lines())]
        assert names[0] == "answer" and names[-1] == "done", names
        assert "failure" not in names and "interrupted" not in names, "the other instance answered in full"
    finally:
        if instance.process.poll() is None:
            instance.stop()
        instance.restart()
