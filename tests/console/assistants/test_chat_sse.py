"""The chat relay's SSE parsing (httpx-sse): line endings, multi-line data, comments, id/retry, any split.

The unit tests feed the relay's own parsing path (``EventSource(response).aiter_sse()`` then
``_sse_part``) a fake byte stream: the local gateway cannot cut a body at *every* offset or send
arbitrary comments and fields. The live tests use the local gateway's ``sse_line_endings`` fault.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpx_sse import EventSource

from apps.assistants.chat.services import _sse_part
from tests.chat_helpers import make_assistant
from tests.console.assistants.test_chat_relay import open_stream, viewer_client  # noqa: F401 (fixture)

DELTA = {"type": "text-delta", "id": "0", "delta": "Hello"}


class Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    async def __aiter__(self):
        for chunk in self.chunks:
            yield chunk


def parts_of(chunks: list[bytes]) -> list:
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunks(chunks))

    async def read() -> list:
        return [part async for event in EventSource(response).aiter_sse() if (part := _sse_part(event)) is not None]

    return asyncio.run(read())


BODY = (
    b": a comment the service may send\n"
    b"id: 7\n"
    b"retry: 3000\n"
    b'data: {"type": "text-delta",\n'
    b'data:  "id": "0", "delta": "Hello"}\n'
    b"\n"
    b"event: ping\n"
    b"data: \n"
    b"\n"
    b"data: [DONE]\n"
    b"\n"
)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_every_line_ending_gives_the_same_parts(ending):
    body = BODY.replace(b"\n", ending)
    assert parts_of([body]) == [DELTA, "[DONE]"]


def test_multi_line_data_is_joined_with_a_newline():
    assert parts_of([b'data: {"a":\ndata: 1}\n\n']) == [{"a": 1}]


def test_comments_and_id_retry_fields_do_not_become_parts():
    assert parts_of([b": keepalive\n\nid: 1\nretry: 10\n\n"]) == []


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_an_event_split_at_every_offset_is_read_whole(ending):
    body = BODY.replace(b"\n", ending)
    for cut in range(1, len(body)):
        assert parts_of([body[:cut], body[cut:]]) == [DELTA, "[DONE]"], cut
    assert parts_of([bytes([byte]) for byte in body]) == [DELTA, "[DONE]"]


def test_a_crlf_split_between_its_cr_and_lf_is_one_line_end():
    body = b'data: {"a": 1}\r\n\r\ndata: [DONE]\r\n\r\n'
    cut = body.index(b"\n")  # ends a chunk with a bare CR
    assert parts_of([body[:cut], body[cut:]]) == [{"a": 1}, "[DONE]"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "fault",
    [{"line_ending": "crlf"}, {"line_ending": "cr"}, {"line_ending": "crlf", "chunk_bytes": 7}],
    ids=["crlf", "cr", "crlf-7-byte-chunks"],
)
async def test_an_answer_sent_with_other_line_endings_arrives(viewer_client, gw, docs_folder, gateway_faults, fault):  # noqa: F811
    assistant = await asyncio.to_thread(make_assistant, gw, folder_ids=[docs_folder])
    await asyncio.to_thread(gateway_faults.add_fault, path="/ai-agent/v2/chat", kind="sse_line_endings", **fault)
    _, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    events = await reader.until("done")
    names = [name for name, _ in events]
    assert "failure" not in names, events
    blocks = [data for name, data in events if name == "block"]
    assert blocks and "30 days" in "".join(blocks)
    rules = (await asyncio.to_thread(httpx.get, f"{gateway_faults.base_url}/_local/faults")).json()
    assert any(rule.get("fired") for rule in rules["rules"]), rules
