"""A form body is never parsed on the event loop: a 20 MB CSV import leaves every open stream running.

Django's CSRF check reads ``request.POST``, which parses the whole body. The
console's inline CSRF middleware (``fastpath.middleware``) sends that check
to a worker thread when the request has a form body; Django's own runs it in
its sync thread. Either way the parse must not run on the loop. The request
goes through the ASGI handler the settings choose, as uvicorn would call it;
whatever runs ``MultiPartParser.parse`` records whether its thread runs an
event loop. Timing the loop's stall would depend on the machine; where the
parse runs does not.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading

import pytest
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import multipartparser
from django.urls import reverse

from bench.asgi import body_then_wait, http_scope
from imbrace_console.fastpath.asgi import ConsoleASGIHandler

CSRF = secrets.token_hex(16)
BOUNDARY = "----console-test-boundary"


def multipart_csv(size: int) -> bytes:
    rows = b"Name,Amount\n" + b"Deal number one,12345\n" * (size // 22)
    return (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{CSRF}\r\n"
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="deals.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + rows
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.fixture
async def cookies(async_client, console_user) -> str:
    user = await asyncio.to_thread(console_user, "Operator", f"operator-{os.urandom(3).hex()}")
    await async_client.aforce_login(user)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in async_client.cookies.items())


@pytest.fixture
def parses(monkeypatch) -> list[bool]:
    """For each multipart parse: whether it ran in a thread with a running event loop."""
    on_loop: list[bool] = []
    parse = multipartparser.MultiPartParser.parse

    def recording(self):
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return parse(self)

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", recording)
    return on_loop


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_20_mb_csv_import_is_parsed_off_the_loop(cookies, gw, parses):
    fields = [{"name": "Name", "type": "ShortText"}, {"name": "Amount", "type": "Number"}]
    board = gw.post("/data-board/boards", json={"name": f"Import {os.urandom(4).hex()}", "fields": fields}).json()
    body = multipart_csv(20 * 1024 * 1024)
    headers = [
        (b"host", b"testserver"),
        (b"cookie", f"{cookies}; csrftoken={CSRF}".encode()),
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    sent: list[dict] = []
    gone = asyncio.Event()

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            gone.set()

    handler = ConsoleASGIHandler() if settings.CONSOLE_FASTPATH else ASGIHandler()
    path = reverse("boards-import", kwargs={"board_id": board["data"]["id"]})
    loop_thread = threading.current_thread()
    await handler(http_scope("POST", path, headers), body_then_wait(body, gone), send)

    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    assert status < 500 and status != 403, f"the import was refused ({status}): its CSRF token was not read"
    assert parses, "the body was parsed"
    assert not any(parses), "the multipart body was parsed on the event loop"
    assert threading.current_thread() is loop_thread
