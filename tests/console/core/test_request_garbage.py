"""A served request is freed by reference counting, not left in reference cycles.

What a request leaves in cycles waits for the garbage collector's full passes,
and ``make bench`` saw those pause the console for 75-150 ms once enough pages
had been served. Here the console's own handler (``ConsoleASGIHandler``)
serves requests in this process, so that its garbage can be looked at, against
the local gateway. The collector keeps what it frees (``gc.DEBUG_SAVEALL``):
no request, page context, gateway response, exception or class may be in it.
Each was there before: Django's handler, its template contexts and httpx's
responses all made such cycles.
"""

from __future__ import annotations

import asyncio
import gc
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from django.http import HttpRequest
from django.template.context import BaseContext, ContextDict
from django.urls import reverse

from bench.asgi import body_then_wait, http_scope
from imbrace_console.fastpath.asgi import ConsoleASGIHandler
from tests.chat_helpers import make_assistant
from tests.fastpath import fastpath_only

pytestmark = fastpath_only

# What each request used to leave in cycles (the classes: Django defines one per request in its handler).
LEFT_IN_CYCLES = (HttpRequest, BaseContext, ContextDict, httpx.Response, BaseException, type)
CSRF = secrets.token_hex(16)


@contextmanager
def freed_by_the_collector() -> Iterator[list]:
    """The objects the garbage collector frees (so, in cycles) that were made inside the block."""
    gc.collect()
    debug = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list = []
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(debug)
        gc.garbage.clear()


def is_request(thing) -> bool:
    """``type()``, not ``isinstance()``: isinstance asks a lazy object (Django's admin site, which
    django-tasks-db imports) for its ``__class__`` and so builds it, outside any installed admin app."""
    return issubclass(type(thing), HttpRequest)


def left_in_cycles(found: list) -> list[str]:
    return sorted({type(thing).__name__ for thing in found if issubclass(type(thing), LEFT_IN_CYCLES)})


async def serve(path: str, cookies: str, *, body: bytes = b"", leave_on: bytes = b"", on_body=None) -> bytes:
    """One request through the console's handler, as uvicorn makes it; a POST if there is a ``body``.

    ``leave_on``: the client goes away as soon as the response holds these bytes
    (``on_body()`` is called first, and awaited: the client is still there meanwhile).
    """
    headers = [
        (b"host", b"testserver"),
        (b"cookie", f"{cookies}; csrftoken={CSRF}".encode()),
        (b"x-csrftoken", CSRF.encode()),
        (b"hx-request", b"true"),
        (b"accept", b"text/event-stream"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"content-length", str(len(body)).encode()),
    ]
    out, gone = bytearray(), asyncio.Event()

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body":
            out.extend(message.get("body", b""))
            if leave_on and leave_on in out and on_body is not None and not gone.is_set():
                on_body()
                await asyncio.sleep(0.05)  # the answer waits on this send while its objects are looked at
            if not message.get("more_body") or (leave_on and leave_on in out):
                gone.set()

    scope = http_scope("POST" if body else "GET", path, headers)
    await ConsoleASGIHandler()(scope, body_then_wait(body, gone), send)
    return bytes(out)


@pytest.fixture
async def cookies(async_client, console_user) -> str:
    user = await asyncio.to_thread(console_user, "Support", f"support-{os.urandom(3).hex()}")
    await async_client.aforce_login(user)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in async_client.cookies.items())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_items_page_and_its_gateway_calls_leave_nothing_in_cycles(cookies, gw):
    fields = [{"name": "Name", "type": "ShortText", "isUniqueIdentifier": True}, {"name": "Amount", "type": "Number"}]
    board = gw.post("/data-board/boards", json={"name": f"Board {os.urandom(4).hex()}", "fields": fields}).json()
    name_id = board["data"]["fields"][0]["id"]
    for number in range(5):
        gw.post(f"/data-board/boards/{board['data']['id']}/items", json={"fields": {name_id: f"Deal {number}"}})
    page = reverse("boards-detail", kwargs={"board_id": board["data"]["id"]})
    await serve(page, cookies)  # once first: what a first request sets up (caches, the pool) is kept on purpose
    with freed_by_the_collector() as found:
        html = await serve(page, cookies)
    assert b"Deal 4" in html, "the page was served with its rows"
    assert left_in_cycles(found) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_chat_message_answered_or_left_leaves_nothing_in_cycles(cookies, gw, docs_folder):
    assistant = make_assistant(gw, folder_ids=[docs_folder], metadata={"word_delay_ms": 5})
    send = reverse("assistants-chat-send", kwargs={"assistant_id": assistant["id"]})
    message = b"message=What+is+the+refund+policy%3F&conversation_id="
    await serve(send, cookies, body=message)
    with freed_by_the_collector() as found:
        answered = await serve(send, cookies, body=message)
    assert b"event: done" in answered
    assert left_in_cycles(found) == []

    with freed_by_the_collector() as found:
        left = await serve(send, cookies, body=message, leave_on=b"event: delta")
    assert b"event: delta" in left and b"event: done" not in left, "the client left mid-answer"
    assert left_in_cycles(found) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_streaming_answer_does_not_keep_its_request(cookies, gw, docs_folder):
    """A chat answer streams for minutes; the request it came in is freed once the response is made."""
    assistant = make_assistant(gw, folder_ids=[docs_folder], metadata={"word_delay_ms": 200})
    send = reverse("assistants-chat-send", kwargs={"assistant_id": assistant["id"]})
    streaming = asyncio.Event()
    seen: list[int] = []

    async def look_while_streaming() -> None:
        await streaming.wait()
        gc.collect()
        seen.append(sum(1 for thing in gc.get_objects() if is_request(thing) and thing.path == send))

    looking = asyncio.ensure_future(look_while_streaming())
    body = await serve(
        send, cookies, body=b"message=Refunds%3F&conversation_id=", leave_on=b"event: delta", on_body=streaming.set
    )
    await looking
    assert b"event: delta" in body
    assert seen == [0], "no request of the answer is alive while it streams"
