"""Graceful shutdown of chat answers: the drain module (SIGTERM chained onto the server's handler) and
the relay cutting an open answer off once the grace period after the drain began is over.

The relay tests begin the drain with ``drain.begin()``, as the SIGTERM handler does on the loop, and
read the answer from the local gateway's slow stream (``metadata.word_delay_ms``).
"""

from __future__ import annotations

import asyncio
import signal

import pytest

from apps.assistants.chat import drain
from apps.assistants.chat.selectors import chat_message_list
from apps.assistants.models import ChatTurn
from tests.console.assistants import test_chat_relay as relay
from tests.console.assistants.test_chat_relay import open_slow_to_start, open_stream, wait_closed

slow_assistant = relay.slow_assistant  # fixtures
viewer_client = relay.viewer_client

QUESTION = "What is the refund policy?"


@pytest.fixture(autouse=True)
def serving():
    """Each test starts with a worker that is not draining, and leaves none behind."""
    drain.reset()
    yield
    drain.reset()


@pytest.fixture
def server_handler(monkeypatch):
    """A Python SIGTERM handler in place, as uvicorn's Server.capture_signals installs: the calls it got."""
    calls: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    monkeypatch.setattr(drain, "_installed", False)
    yield calls
    signal.signal(signal.SIGTERM, previous)


async def until(condition, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_sigterm_begins_the_drain_and_still_reaches_the_server_handler(server_handler):
    drain.watch()
    assert signal.getsignal(signal.SIGTERM) is not None
    assert not drain.draining()
    signal.raise_signal(signal.SIGTERM)
    await until(drain.draining)
    assert server_handler == [signal.SIGTERM], "the server's own handler ran too: it shuts down as before"


async def test_watching_again_chains_once(server_handler):
    drain.watch()
    chained = signal.getsignal(signal.SIGTERM)
    drain.watch()
    assert signal.getsignal(signal.SIGTERM) is chained
    signal.raise_signal(signal.SIGTERM)
    await until(drain.draining)
    assert server_handler == [signal.SIGTERM], "one chained handler, so the server's ran once"


async def test_without_a_python_handler_nothing_is_installed(monkeypatch):
    """manage.py runserver and tests: SIGTERM keeps its default (ending the process at once)."""
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    monkeypatch.setattr(drain, "_installed", False)
    try:
        drain.watch()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_the_deadline_counts_from_the_first_begin():
    waiting = asyncio.ensure_future(drain.deadline(0.2))
    await asyncio.sleep(0.05)
    assert not waiting.done(), "no drain, no deadline"
    drain.begin()
    began = drain._began
    await asyncio.sleep(0.1)
    drain.begin()
    assert drain._began == began, "beginning again changes nothing"
    await asyncio.wait_for(waiting, 2)
    assert drain._waiting == set()
    # A stream opened after the drain began gets only what is left of the grace period.
    await asyncio.wait_for(drain.deadline(0.2), 0.15)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_open_answer_is_interrupted_after_the_grace_and_kept(
    viewer_client,
    slow_assistant,
    localgateway,
    settings,
):
    settings.CONSOLE_SHUTDOWN_GRACE = 0.5
    assistant = await asyncio.to_thread(slow_assistant, 150)
    conversation_id, reader = await open_stream(viewer_client, assistant["id"], QUESTION)
    await reader.until("delta")
    drain.begin()
    events = await reader.until("done")
    names = [name for name, _ in events]
    assert names[-2:] == ["interrupted", "done"], events
    assert "failure" not in names
    interrupted = dict(events)["interrupted"]
    assert "Interrupted by a restart" in interrupted and 'data-testid="chat-retry"' in interrupted
    turn = await ChatTurn.objects.aget(conversation_id=conversation_id)
    assert turn.token in interrupted, "Retry asks the same question again"
    blocks = [data for name, data in events if name == "block"]
    assert blocks and "Here is what" in "".join(blocks), "the answer so far is sent in full"
    assert "30 days" not in "".join(blocks), "cut off before the end"
    assert await reader.next_event() is None

    record = await wait_closed(localgateway, conversation_id)
    assert record["cancelled"] is True and record["completed"] is False, "the gateway saw the disconnect"
    history = await chat_message_list(conversation_id=conversation_id)
    assert [message.role for message in history] == ["user", "assistant"]
    assert QUESTION in history[0].html
    assert history[1].stopped and "Here is what" in history[1].html, "the partial answer is kept, marked"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_answer_that_ends_within_the_grace_is_not_interrupted(viewer_client, slow_assistant, settings):
    settings.CONSOLE_SHUTDOWN_GRACE = 30
    assistant = await asyncio.to_thread(slow_assistant, 5)
    _, reader = await open_stream(viewer_client, assistant["id"], QUESTION)
    drain.begin()
    names = [name for name, _ in await reader.until("done")]
    assert "interrupted" not in names and "failure" not in names


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_message_the_gateway_has_not_answered_is_interrupted_and_kept_for_retry(
    viewer_client,
    gw,
    docs_folder,
    gateway_faults,
    settings,
):
    settings.CONSOLE_SHUTDOWN_GRACE = 0.2
    conversation_id, waiting = await open_slow_to_start(viewer_client, gw, docs_folder, gateway_faults)
    drain.begin()
    event = await asyncio.wait_for(waiting, 2)
    assert event[0] == "interrupted", event
    assert await ChatTurn.objects.filter(conversation_id=conversation_id).aexists(), "kept for Retry"
