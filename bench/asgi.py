"""One HTTP request handed straight to an ASGI application, as uvicorn hands it.

``bench.instructions`` counts the console's work this way, with no server in
between, and ``tests/console/core/test_request_garbage.py`` serves requests
this way to look at what each leaves for the garbage collector.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]], *, query: str = "") -> dict:
    """The scope of one HTTP/1.1 request from 127.0.0.1 (``headers`` as uvicorn passes them: lowercase bytes)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
    }


def body_then_wait(body: bytes, gone: asyncio.Event) -> Callable[[], Awaitable[dict]]:
    """An ASGI ``receive``: the whole body at once, then nothing until ``gone`` is set (the client left)."""
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    return receive
