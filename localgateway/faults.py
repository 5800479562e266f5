"""Fault injection, switched at run time by tests through ``/_local/faults``.

A rule matches requests by path prefix (and optionally method) and does one
of: ``latency`` (delay, then answer normally), ``status`` (an error status
with a JSON body), ``rate_limit`` (429 with ``Retry-After``), ``malformed``
(200 with a JSON body cut short), ``reset`` (the connection is closed after
the headers), ``stall`` (a streamed body stops after ``after_chunks`` chunks
and never resumes) and ``drop`` (a streamed body is cut after
``after_chunks`` chunks). ``times`` limits how often a rule fires.

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

KINDS = {"latency", "status", "rate_limit", "malformed", "reset", "stall", "drop"}


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
        rule = Rule(
            path=str(spec.get("path", "/")),
            kind=kind,
            method=(spec.get("method") or None) and str(spec["method"]).upper(),
            status=int(spec.get("status", 503)),
            delay_ms=int(spec.get("delay_ms", 0)),
            retry_after=int(spec.get("retry_after", 1)),
            after_chunks=int(spec.get("after_chunks", 1)),
            times=None if spec.get("times") is None else int(spec["times"]),
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
        else:
            await self.app(scope, receive, _cutting_send(send, rule))


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
