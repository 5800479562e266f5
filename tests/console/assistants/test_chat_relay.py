"""The chat relay read as it streams (Django's async client, and the live console over HTTP).

Events pass through in order and unbuffered, a cancelled or disconnected
reader closes the upstream request, silence gets keepalive comments, and a
stream the gateway cuts short is shown as a failure.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from apps.assistants.chat import services as chat_services
from apps.assistants.models import ChatTurn
from apps.audit.models import AuditEvent
from tests.chat_helpers import make_assistant
from tests.support import ROLE_PASSWORDS

STREAM = {"HX-Request": "true", "Accept": "text/event-stream"}  # as static/js/chat.js posts a message


@pytest.fixture
def slow_assistant(gw, docs_folder):
    """An assistant whose answers take seconds: the local gateway paces it by ``metadata.word_delay_ms``."""

    def make(word_delay_ms: int) -> dict:
        return make_assistant(gw, folder_ids=[docs_folder], metadata={"word_delay_ms": word_delay_ms})

    return make


class Reader:
    """Reads a relay's async body one SSE event at a time."""

    def __init__(self, content) -> None:
        self.content = aiter(content)
        self.buffer = ""

    async def next_event(self) -> tuple[str, str] | None:
        while "\n\n" not in self.buffer:
            try:
                self.buffer += (await anext(self.content)).decode()
            except StopAsyncIteration:
                return None
        block, self.buffer = self.buffer.split("\n\n", 1)
        if block.startswith(":"):
            return "comment", block[1:].strip()
        name = re.search(r"^event: (.*)$", block, re.M).group(1)
        data = "\n".join(line[6:] for line in block.split("\n") if line.startswith("data: "))
        return name, data

    async def until(self, name: str) -> list[tuple[str, str]]:
        seen = []
        while (event := await self.next_event()) is not None:
            seen.append(event)
            if event[0] == name:
                return seen
        raise AssertionError(f"the stream ended without a {name!r} event: {seen}")


async def open_stream(async_client, assistant_id: str, text: str) -> tuple[str, Reader]:
    """Send a message as a logged-in user, reading past the turn's markup: (conversation id, reader of the answer)."""
    response = await async_client.post(
        reverse("assistants-chat-send", kwargs={"assistant_id": assistant_id}), {"message": text}, headers=STREAM
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    conversation_id = response["X-Conversation-Url"].rstrip("/").rsplit("/", 1)[-1]
    reader = Reader(response.streaming_content)
    assert (await reader.next_event())[0] == "turn"
    return conversation_id, reader


def upstream_streams(localgateway, conversation_id: str) -> list[dict]:
    response = httpx.get(
        f"{localgateway.base_url}/_local/chat/streams",
        params={"chat_id": conversation_id},
        headers=localgateway.headers,
    )
    return response.json()["streams"]


async def wait_closed(localgateway, conversation_id: str) -> dict:
    deadline = time.monotonic() + 5
    while True:
        records = await asyncio.to_thread(upstream_streams, localgateway, conversation_id)
        if records and records[0]["closed_at"]:
            return records[0]
        assert time.monotonic() < deadline, "the upstream stream stayed open"
        await asyncio.sleep(0.02)


@pytest.fixture
async def viewer_client(async_client, console_user):
    user = await asyncio.to_thread(console_user, "Viewer", f"viewer-{uuid.uuid4().hex[:6]}")
    await async_client.aforce_login(user)
    return async_client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_events_arrive_in_order_while_the_upstream_still_streams(viewer_client, slow_assistant, localgateway):
    assistant = await asyncio.to_thread(slow_assistant, 40)
    conversation_id, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    first = await reader.until("delta")
    assert first[-1][0] == "delta"
    [record] = await asyncio.to_thread(upstream_streams, localgateway, conversation_id)
    assert record["closed_at"] is None, "the first words reached the reader before the upstream finished"

    rest = await reader.until("done")
    tails = [data for name, data in first + rest if name == "delta"]
    blocks = [data for name, data in first + rest if name == "block"]
    assert len(tails) > 5
    words = [re.sub(r"<[^>]+>", "", tail).strip() for tail in tails[:3]]
    assert words[1].startswith(words[0]) and words[2].startswith(words[1]), "each tail grows the block before it"
    assert all(tail.startswith("<") for tail in tails[:-1]), "the open block comes rendered"
    assert len(blocks) == len(set(blocks)) > 1, "each finished block is sent once"
    assert "30 days" in "".join(blocks)
    assert await reader.next_event() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_finished_answer_leaves_its_connection_for_the_next_message(
    viewer_client, slow_assistant, localgateway
):
    """The relay reads the answer's body to its very end, so the gateway client can reuse the connection.

    (This test's event loop has a gateway client of its own, so no other request holds a connection.)
    """
    assistant = await asyncio.to_thread(slow_assistant, 0)
    sources = []
    for text in ("What is the refund policy?", "How long does a refund take?"):
        conversation_id, reader = await open_stream(viewer_client, assistant["id"], text)
        await reader.until("done")
        assert await reader.next_event() is None
        [record] = await asyncio.to_thread(upstream_streams, localgateway, conversation_id)
        assert record["completed"] is True
        sources.append(record["client"])
    assert sources[0], "the local gateway records where each stream came from"
    assert sources[1] == sources[0], "the second message went on a new connection"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_cancelling_the_reader_closes_the_upstream(viewer_client, slow_assistant, localgateway):
    """Django's ASGI handler cancels the response task when the browser disconnects; this does the same."""
    assistant = await asyncio.to_thread(slow_assistant, 1000)
    conversation_id, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    await reader.until("delta")
    waiting = asyncio.ensure_future(reader.next_event())
    await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    record = await wait_closed(localgateway, conversation_id)
    assert record["cancelled"] is True and record["completed"] is False


async def open_slow_to_start(client, gw, docs_folder, gateway_faults) -> tuple[str, asyncio.Future]:
    """A message whose answer starts after 3 s: (conversation id, the pending read of the answer's first event)."""
    assistant = await asyncio.to_thread(make_assistant, gw, folder_ids=[docs_folder])
    await asyncio.to_thread(gateway_faults.add_fault, path="/ai-agent/v2/chat", kind="latency", delay_ms=3000, times=1)
    conversation_id, reader = await open_stream(client, assistant["id"], "What is the refund policy?")
    return conversation_id, asyncio.ensure_future(reader.next_event())


async def stop(client, conversation_id: str):
    turn = await ChatTurn.objects.aget(conversation_id=conversation_id)
    return await client.post(reverse("assistants-chat-stop", kwargs={"token": turn.token}), headers=STREAM)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_message_left_before_the_gateway_answers_is_saved_for_stop(
    viewer_client, gw, docs_folder, gateway_faults
):
    """A browser that leaves while the gateway works on the message (before any save was due) can still stop it."""
    conversation_id, waiting = await open_slow_to_start(viewer_client, gw, docs_folder, gateway_faults)
    await asyncio.sleep(0.05)
    assert not waiting.done(), "the gateway is still thinking"
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    stopped = await stop(viewer_client, conversation_id)
    assert stopped.status_code == 200
    assert 'data-testid="chat-retry"' in stopped.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_message_whose_answer_is_slow_to_start_is_saved_for_stop_meanwhile(
    viewer_client, gw, docs_folder, gateway_faults
):
    """The save waits for the first word, but never longer than TURN_SAVE_DELAY: Stop finds the message."""
    conversation_id, waiting = await open_slow_to_start(viewer_client, gw, docs_folder, gateway_faults)
    deadline = time.monotonic() + 2
    while not await ChatTurn.objects.filter(conversation_id=conversation_id).aexists():
        assert time.monotonic() < deadline, "the message was not saved while its answer was slow to start"
        await asyncio.sleep(0.02)
    assert not waiting.done(), "the gateway is still thinking"
    assert (await stop(viewer_client, conversation_id)).status_code == 200
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_answer_goes_on_while_its_message_is_being_saved(viewer_client, slow_assistant, monkeypatch):
    """A slow save (patched: the local gateway cannot slow the console's own database) holds up no word.

    Five of the answer's words (20 ms apart) arrive within the 1 s the save takes; the
    conversation's start is recorded once the save is done, before the answer's ``done``.
    """
    save = chat_services.chat_turn_save.func
    saved_at: list[float] = []

    def slow_save(turn) -> None:
        time.sleep(1.0)
        save(turn)
        saved_at.append(time.monotonic())

    monkeypatch.setattr(chat_services, "chat_turn_save", sync_to_async(slow_save))
    assistant = await asyncio.to_thread(slow_assistant, 20)
    conversation_id, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    words = 0
    while words < 5:
        await reader.until("delta")
        words += 1
    assert not saved_at, "five words were relayed while the message was being saved"
    await reader.until("done")
    assert saved_at, "the answer ends once its message is saved"
    assert await ChatTurn.objects.filter(conversation_id=conversation_id).aexists()
    starts = AuditEvent.objects.filter(action="chat.start", changes__conversation=conversation_id)
    assert await starts.acount() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_silence_is_filled_with_keepalive_comments(viewer_client, slow_assistant, settings):
    settings.CHAT_HEARTBEAT_SECONDS = 0.05
    assistant = await asyncio.to_thread(slow_assistant, 400)
    _, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    seen = await reader.until("delta")
    seen += await reader.until("comment")
    assert seen[-1] == ("comment", "keepalive")
    assert all(name != "failure" for name, _ in seen)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_upstream_silent_too_long_is_given_up_with_retry(viewer_client, slow_assistant, settings):
    settings.CHAT_HEARTBEAT_SECONDS = 0.05
    settings.CHAT_STALL_SECONDS = 0.2
    assistant = await asyncio.to_thread(slow_assistant, 2000)
    _, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    events = await reader.until("done")
    failure = next(html for name, html in events if name == "failure")
    assert "stopped answering" in failure
    assert "Retry" in failure


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_upstream_cut_mid_answer_is_a_failure(viewer_client, slow_assistant, gateway_faults):
    assistant = await asyncio.to_thread(slow_assistant, 10)
    await asyncio.to_thread(gateway_faults.add_fault, path="/ai-agent/v2/chat", kind="drop", after_chunks=6)
    _, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    events = await reader.until("done")
    names = [name for name, _ in events]
    assert "delta" in names
    assert names[-2:] == ["failure", "done"]
    assert "before the answer was complete" in events[-2][1] or "ended the answer early" in events[-2][1]


def login_http(console) -> httpx.Client:
    """An httpx session logged into the live console as the viewer."""
    client = httpx.Client(base_url=console.url, timeout=10, follow_redirects=True)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    client.post(
        "/login/", data={"username": "viewer", "password": ROLE_PASSWORDS["viewer"], "csrfmiddlewaretoken": token}
    )
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    return client


def test_a_browser_disconnect_closes_the_upstream_on_the_live_console(live_console, localgateway, gw, docs_folder):
    """Over real HTTP through uvicorn: dropping the relay connection ends the gateway's stream."""
    assistant = make_assistant(gw, folder_ids=[docs_folder], metadata={"word_delay_ms": 1000})
    client = login_http(live_console)
    try:
        with client.stream(
            "POST", f"/assistants/{assistant['id']}/chat/send/", data={"message": "refund policy"}, headers=STREAM
        ) as relay:
            assert relay.status_code == 200
            assert relay.headers["content-type"] == "text/event-stream"
            assert relay.headers["x-accel-buffering"] == "no"
            conversation_id = relay.headers["x-conversation-url"].rstrip("/").rsplit("/", 1)[-1]
            lines = relay.iter_lines()
            while next(lines) != "event: delta":
                pass
    finally:
        client.close()
    deadline = time.monotonic() + 5
    while not (records := upstream_streams(localgateway, conversation_id)) or not records[0]["closed_at"]:
        assert time.monotonic() < deadline, "the upstream stream stayed open after the disconnect"
        time.sleep(0.02)
    assert records[0]["cancelled"] is True and records[0]["completed"] is False
