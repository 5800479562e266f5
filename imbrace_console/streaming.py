"""Django's ASGI handler, with request bodies a view can read as they arrive.

``ASGIHandler`` reads the whole request body (spooling it to a temporary file,
with a thread hop per chunk once on disk) before any middleware or view runs,
so a large upload is first received, then sent on. For a *raw-body upload*
(the file itself is the body, named by an ``X-File-Name`` header, with a
content type Django would not parse as a form) to a view marked
``@streamed_body``, ``ConsoleASGIHandler`` instead:

- answers Django's body read at once with an empty body, so middleware and the
  view (sessions, authentication, CSRF, roles) run straight away;
- leaves the real body in a ``BodyChannel`` at ``request.scope[BODY_SCOPE_KEY]``
  (see ``body_channel``), whose ``chunks()`` the view iterates after its
  checks. The server keeps reading the socket only as fast as the view asks,
  so nothing piles up in memory;
- holds Django's disconnect listener (which also calls ``receive``) until the
  body has been read to its end, then lets it through, so a later disconnect
  is still seen. A view that stops reading early (a refusal) leaves it held:
  Django cancels it when the response has been sent.

A request to an async view (every console view but Django's own log-in,
log-out and password pages) is served without Django's per-request thread.
Django runs each request in a ``ThreadSensitiveContext``: a new thread for the
request's sync steps, with a new SQLite connection opened and closed in it
(closing the last connection to a WAL database also checkpoints it), and the
thread lives as long as the response, so each open chat stream held an idle
thread for minutes. An async view's sync steps are few and short (the session,
the user, its database rows), so they share the process-wide sync thread and
its one long-lived connection (``CONN_MAX_AGE = None``). Requests to sync views
keep a thread of their own, whose connection is closed when the request ends.

Everything else about a request is Django's.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.core import signals
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import connections
from django.http import HttpRequest
from django.urls import Resolver404, get_resolver

BODY_SCOPE_KEY = "imbrace.body"
FILE_NAME_HEADER = "X-File-Name"
# Bodies Django parses itself (into request.POST / FILES): never streamed raw.
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})

Receive = Callable[[], Awaitable[dict[str, Any]]]


def is_raw_body_upload(*, content_type: str, has_file_name: bool) -> bool:
    """The raw-body upload shape: a file name header and a body that is not a form.

    ``content_type`` is the media type without parameters, lower case (as
    ``HttpRequest.content_type`` has it).
    """
    return has_file_name and content_type not in FORM_TYPES


def streamed_body[V: Callable[..., Any]](view: V) -> V:
    """Mark a view as reading raw-body uploads from ``body_channel(request)``."""
    view.streams_body = True  # type: ignore[attr-defined]
    return view


class BodyDisconnected(Exception):
    """The client went away before the whole body arrived."""


class BodyChannel:
    """The request body of one streamed request, between the ASGI server, Django and the view."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._answered_django = False
        self._reading = False
        self._ended = asyncio.Event()

    @property
    def ended(self) -> bool:
        """True once the whole body has been read."""
        return self._ended.is_set()

    async def receive(self) -> dict[str, Any]:
        """The ``receive`` Django gets: an empty body first, then (once the body is read) the server's."""
        if not self._answered_django:
            self._answered_django = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._ended.wait()
        return await self._receive()

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as the client sends them; raises ``BodyDisconnected`` if it goes away."""
        if self._reading:
            raise RuntimeError("The request body can be read only once.")
        self._reading = True
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise BodyDisconnected("The connection closed before the whole file arrived.")
            more = message.get("more_body", False)
            if not more:
                self._ended.set()
            body = message.get("body", b"")
            if body:
                yield body
            if not more:
                return


def body_channel(request: HttpRequest) -> BodyChannel | None:
    """The streamed body of this request, or None (the body was read by Django, e.g. in tests)."""
    scope = getattr(request, "scope", None)
    return scope.get(BODY_SCOPE_KEY) if isinstance(scope, dict) else None


# Whether the current request runs in a thread of its own (None outside ConsoleASGIHandler: tests, commands).
_OWN_THREAD: ContextVar[bool | None] = ContextVar("imbrace_request_own_thread", default=None)


def _close_own_thread_connections(**kwargs: Any) -> None:
    """Close the connections of a request's own thread, which ends with the request."""
    if _OWN_THREAD.get():
        connections.close_all()


signals.request_finished.connect(_close_own_thread_connections)


class ConsoleASGIHandler(ASGIHandler):
    """``ASGIHandler`` that streams raw-body uploads and runs async views without a thread per request."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self._view_is_async(scope):
            _OWN_THREAD.set(False)
            await self.handle(scope, receive, send)  # no ThreadSensitiveContext: see the module docstring
            return
        _OWN_THREAD.set(True)
        await super().__call__(scope, receive, send)

    async def handle(self, scope, receive, send):
        if self.streams_body(scope):
            channel = BodyChannel(receive)
            scope = {**scope, BODY_SCOPE_KEY: channel}
            receive = channel.receive
        await super().handle(scope, receive, send)

    def _view_is_async(self, scope: dict[str, Any]) -> bool:
        view = self._view(scope)
        return view is not None and iscoroutinefunction(view)

    def streams_body(self, scope: dict[str, Any]) -> bool:
        if scope.get("method") != "POST":
            return False
        content_type, has_file_name = "", False
        for name, value in scope.get("headers", ()):
            if name == b"content-type":
                content_type = value.decode("latin1").split(";", 1)[0].strip().lower()
            elif name == b"x-file-name":
                has_file_name = True
        if not is_raw_body_upload(content_type=content_type, has_file_name=has_file_name):
            return False
        return bool(getattr(self._view(scope), "streams_body", False))

    @staticmethod
    def _view(scope: dict[str, Any]) -> Callable[..., Any] | None:
        """The view the path resolves to (as ASGIRequest sets path_info), or None."""
        path = scope["path"]
        prefix = get_script_prefix(scope).rstrip("/")
        if prefix and (path.startswith(prefix + "/") or path == prefix):
            path = path[len(prefix) :]
        return _view_for(path or "/")


@functools.lru_cache(maxsize=4096)
def _view_for(path_info: str) -> Callable[..., Any] | None:
    """The view of a path, remembered: every request asks before Django resolves it again, and URLs do not change."""
    try:
        return get_resolver().resolve(path_info).func
    except Resolver404:
        return None
