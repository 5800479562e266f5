"""Fault injection, switched at run time by tests through ``/_local/faults``.

A rule matches requests by path prefix (and optionally method) and does one
of: ``latency`` (delay, then answer normally), ``status`` (an error status
with a JSON body), ``rate_limit`` (429 with ``Retry-After``), ``malformed``
(200 with a JSON body cut short), ``reset`` (the connection is closed after
the headers), ``stall`` (a streamed body stops after ``after_chunks`` chunks
and never resumes), ``drop`` (a streamed body is cut after
``after_chunks`` chunks), ``gateway_timeout`` and ``sse_line_endings``.
``times`` limits how often a rule fires.

``gateway_timeout`` is the real gateway's proxy idle timeout (60 s on ``/data-board``, 30 s on
``/activepieces``; docs/contract/platform/auth.md#timeouts-retries-and-rate-limits): when the service sends nothing for
``timeout_ms`` (default 60000, or 30000 under ``/activepieces``) the client gets a 504 with
http-proxy-middleware's text body while the service goes on with the work (an import keeps
importing); a stream that goes quiet that long after it started is cut. ``sse_line_endings``
rewrites a streamed body's ``\n`` as ``\r\n`` (or ``\r`` with ``line_ending: "cr"``) and, with
``chunk_bytes``, re-cuts it into chunks of that many bytes, so an SSE parser can be tested against
CRLF separators and events split anywhere.

The middleware also keeps a short log of the requests it saw, so tests can
check that the console never sent a POST twice.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KINDS = {
    "latency",
    "status",
    "rate_limit",
    "malformed",
    "reset",
    "stall",
    "drop",
    "gateway_timeout",
    "sse_line_endings",
}
LINE_ENDINGS = {"crlf": b"\r\n", "cr": b"\r"}
_background: set[asyncio.Task] = set()


class InjectedReset(Exception):
    """Raised inside the ASGI app so the server drops the connection."""


@dataclass
class Rule:
    path: str
    kind: str
    method: str | None = None
    status: int = 503
    delay_ms: int = 0
    retry_after: int = 1
    after_chunks: int = 1
    times: int | None = None
    timeout_ms: int = 0
    line_ending: str = "crlf"
    chunk_bytes: int = 0
    fired: int = 0
    id: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        return path.startswith(self.path) and (self.method is None or self.method == method)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class FaultState:
    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.requests: deque[dict] = deque(maxlen=2000)
        self._ids = itertools.count(1)

    def add(self, spec: dict) -> Rule:
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        if spec.get("line_ending", "crlf") not in LINE_ENDINGS:
            raise ValueError(f"line_ending must be one of {sorted(LINE_ENDINGS)}")
        rule = Rule(
            path=str(spec.get("path", "/")),
            kind=kind,
            method=(spec.get("method") or None) and str(spec["method"]).upper(),
            status=int(spec.get("status", 503)),
            delay_ms=int(spec.get("delay_ms", 0)),
            retry_after=int(spec.get("retry_after", 1)),
            after_chunks=int(spec.get("after_chunks", 1)),
            times=None if spec.get("times") is None else int(spec["times"]),
            timeout_ms=int(spec.get("timeout_ms", 0)),
            line_ending=str(spec.get("line_ending", "crlf")),
            chunk_bytes=int(spec.get("chunk_bytes", 0)),
            id=next(self._ids),
        )
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self.requests.clear()

    def match(self, method: str, path: str) -> Rule | None:
        for rule in self.rules:
            if rule.matches(method, path):
                rule.fired += 1
                return rule
        return None


state = FaultState()


class FaultMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_local/"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        state.requests.append({"method": method, "path": path, "query": scope["query_string"].decode()})
        rule = state.match(method, path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.kind == "latency":
            await asyncio.sleep(rule.delay_ms / 1000)
            await self.app(scope, receive, send)
        elif rule.kind == "status":
            await JSONResponse({"message": "Injected fault", "status": rule.status}, rule.status)(scope, receive, send)
        elif rule.kind == "rate_limit":
            response = JSONResponse(
                {"message": "Too Many Requests"}, 429, headers={"Retry-After": str(rule.retry_after)}
            )
            await response(scope, receive, send)
        elif rule.kind == "malformed":
            await Response('{"data": [{"id": ', 200, media_type="application/json")(scope, receive, send)
        elif rule.kind == "reset":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]})
            raise InjectedReset(path)
        elif rule.kind == "gateway_timeout":
            await _idle_timeout(self.app, scope, receive, send, rule)
        elif rule.kind == "sse_line_endings":
            await self.app(scope, receive, _rewriting_send(send, rule))
        else:
            await self.app(scope, receive, _cutting_send(send, rule))


def _timeout_seconds(rule: Rule, path: str) -> float:
    if rule.timeout_ms > 0:
        return rule.timeout_ms / 1000
    return 30.0 if path.startswith("/activepieces") else 60.0


async def _whole_body_first(receive: Receive) -> Receive:
    """``receive`` for the service with the request's whole body read already: the gateway's proxy has passed
    the body on before its idle timer can fire, so a service that goes on with the work always has it."""
    chunks, message = [], {"more_body": True}
    while message.get("more_body", False):
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
    first: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replay() -> Message:
        return first.pop() if first else await receive()

    return replay


async def _idle_timeout(app: ASGIApp, scope: Scope, receive: Receive, send: Send, rule: Rule) -> None:
    """Relay the service's answer unless it stays silent longer than the gateway's proxy timeout."""
    receive = await _whole_body_first(receive)
    messages: asyncio.Queue[Message] = asyncio.Queue()
    task = asyncio.get_running_loop().create_task(app(scope, receive, messages.put))
    _background.add(task)  # the service carries on after the gateway gave up
    task.add_done_callback(_background.discard)
    timeout, started = _timeout_seconds(rule, scope["path"]), False
    while True:
        getter = asyncio.ensure_future(messages.get())
        done, _ = await asyncio.wait({getter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            message = getter.result()
            await send(message)
            started = True
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                return
            continue
        getter.cancel()
        if task in done and messages.empty():
            task.result()  # re-raise what the service raised
            return
        if started:
            raise InjectedReset("idle timeout mid-response")
        host = dict(scope.get("headers") or []).get(b"host", b"").decode()
        url = scope["path"] + (f"?{scope['query_string'].decode()}" if scope.get("query_string") else "")
        body = f"Error occurred while trying to proxy: {host}{url}"
        await Response(body, 504, media_type="text/plain")(scope, receive, send)
        return


def _rewriting_send(send: Send, rule: Rule) -> Send:
    """Wrap ``send`` so body newlines become CRLF (or CR) and chunks are re-cut to ``chunk_bytes``."""
    ending = LINE_ENDINGS[rule.line_ending]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
            await send({**message, "headers": headers})
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        body = message.get("body", b"").replace(b"\r\n", b"\n").replace(b"\n", ending)
        more = message.get("more_body", False)
        size = rule.chunk_bytes if rule.chunk_bytes > 0 else max(len(body), 1)
        pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        for index, piece in enumerate(pieces):
            await send({"type": "http.response.body", "body": piece, "more_body": more or index < len(pieces) - 1})

    return wrapped


def _cutting_send(send: Send, rule: Rule) -> Send:
    """Wrap ``send`` so a streamed body stalls or drops after some chunks."""
    chunks = 0

    async def wrapped(message: Message) -> None:
        nonlocal chunks
        if message["type"] == "http.response.body" and message.get("body"):
            if chunks >= rule.after_chunks:
                if rule.kind == "stall":
                    await asyncio.Event().wait()  # until the client goes away and we are cancelled
                raise InjectedReset("dropped mid-stream")
            chunks += 1
        await send(message)

    return wrapped
