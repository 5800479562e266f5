"""Open answer streams hold no thread of the console's (async views share one: ``imbrace_console.fastpath.asgi``)."""

from __future__ import annotations

import contextlib

import psutil

from tests.chat_helpers import make_assistant, make_folder
from tests.console.assistants.test_chat_relay import STREAM, login_http, upstream_streams
from tests.fastpath import fastpath_only

pytestmark = fastpath_only

STREAMS = 12


def test_open_streams_do_not_each_hold_a_thread(live_console, localgateway, gw):
    folder = make_folder(gw, {"refunds.md": "Refunds are paid within 14 days of the return."})
    assistant = make_assistant(
        gw, folder_ids=[folder], metadata={"word_delay_ms": 5000}
    )  # open long after a slow machine logs 12 in
    console = psutil.Process(live_console.process.pid)
    with contextlib.ExitStack() as stack:
        login_http(live_console).close()  # warm up: the process's own threads exist before counting
        baseline = console.num_threads()
        conversations, readers = [], []  # keep every line reader: a dropped one closes its connection
        for _ in range(STREAMS):
            client = login_http(live_console)
            stack.callback(client.close)
            relay = stack.enter_context(
                client.stream(
                    "POST",
                    f"/assistants/{assistant['id']}/chat/send/",
                    data={"message": "refund policy"},
                    headers=STREAM,
                )
            )
            conversations.append(relay.headers["x-conversation-url"].rstrip("/").rsplit("/", 1)[-1])
            readers.append(lines := relay.iter_lines())
            while next(lines) != "event: delta":  # the answer is streaming now, and stays open for seconds
                pass
        still_open = [c for c in conversations if not upstream_streams(localgateway, c)[0]["closed_at"]]
        open_threads = console.num_threads()
    assert len(still_open) == STREAMS
    assert open_threads - baseline < STREAMS // 2, (baseline, open_threads)
