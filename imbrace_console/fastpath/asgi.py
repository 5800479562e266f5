"""Django's ASGI handler, with request bodies a view can read as they arrive.

Stands in for ``ASGIHandler.__call__``, ``handle`` and ``send_response`` of
``django/core/handlers/asgi.py`` (``imbrace_console.asgi`` serves it unless
``CONSOLE_FASTPATH`` is off). Under Django's own handler, ``body_channel``
answers None and a ``@streamed_body`` view reads the body Django has read.

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

Each request is then served as Django's ``ASGIHandler.handle`` serves it
(read the body, make the response, send it, close it; cancel the work if the
client disconnects), without the two reference cycles its way of doing so
leaves per request: a ``RequestProcessed`` class defined anew each time, and
the exception group ``asyncio.TaskGroup`` raises to end it. The handler also
drops what middleware hangs on the request that points back at it. A request
is then freed by reference counting when it ends. Left to the garbage
collector, the requests of a busy minute made its full passes long enough
(75-150 ms) to stall every open stream; see ``make bench``.

A streamed response (a chat answer lasts minutes) keeps only what it needs:
the request is let go of once the response is made, and the encoded headers
once they are sent. At 500 open answers that is about 10 KB less per answer.
A streamed body must therefore not use its request.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import aclosing, closing
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_resolver, set_script_prefix

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
    """``ASGIHandler`` that streams raw-body uploads, runs async views without a thread per request
    and leaves no reference cycle behind a request."""

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
        await self.serve(scope, receive, send)

    async def serve(self, scope, receive, send):
        """Serve the request as ``ASGIHandler.handle`` does, leaving no reference cycle (module docstring)."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        await signals.request_started.asend(sender=self.__class__, scope=scope)
        disconnected = asyncio.ensure_future(_disconnected(receive))
        try:
            with closing(body_file):  # the request's, so done with once the response is made
                response = await self._response(scope, body_file, disconnected)
            if response is None:
                await signals.request_finished.asend(sender=self.__class__)
                return
            try:
                await _unless(disconnected, self.send_response(response, send))
            finally:
                await sync_to_async(response.close)()
        finally:
            disconnected.cancel()

    async def _response(self, scope, body_file, disconnected: asyncio.Future) -> HttpResponseBase | None:
        """The request's response (None if the client left first), which does not keep the request.

        A streamed body must not use the request: the request is let go of as
        soon as the response is made (its uploaded files, which Django closes
        with the response, are closed then). A chat answer streams for minutes,
        and the request it came in (about 8 KB) would be kept all that time.
        """
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            return error_response
        try:
            response = await _unless(disconnected, self.run_get_response(request))
        finally:
            _let_go(request)
        if response is not None and response.streaming:
            response._resource_closers.remove(request.close)  # added by Django's get_response_async
            request.close()
        return response

    async def send_response(self, response, send):
        """Django's, except that a streamed body does not keep the encoded headers while it streams.

        Django's keeps them in a local variable until the body ends: about 2 KB
        for each chat answer, for as long as it lasts.
        """
        if not response.streaming:
            await super().send_response(response, send)
            return
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": _encoded_headers(response)}
        )
        async with aclosing(aiter(response)) as content:
            async for part in content:
                for chunk, _ in self.chunk_bytes(part):
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body"})

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


# What middleware hangs on a request that points back at it: django-htmx's details and the message storages.
_BACK_REFERENCES = ("htmx", "_messages")


async def _disconnected(receive: Receive) -> None:
    """Return once the client has gone away (the only message a server sends once the body is read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _unless[T](disconnected: asyncio.Future, work: Coroutine[Any, Any, T]) -> T | None:
    """``work``'s result, or None if the client leaves first (``disconnected`` is done); ``work`` is then cancelled.

    ``work`` runs in this task, as in Django's handler: the disconnect cancels
    the task, and the cancellation is taken back here (as ``asyncio.timeout`` does).
    """
    task = asyncio.current_task()
    left = False

    def cancel(_: asyncio.Future) -> None:
        nonlocal left
        left = True
        task.cancel()

    disconnected.add_done_callback(cancel)
    try:
        result = await work
    except asyncio.CancelledError:
        if left and task.uncancel() == 0:
            return None
        raise
    except RequestAborted:
        return None
    finally:
        disconnected.remove_done_callback(cancel)
    if left:  # work went on to its end all the same: the cancellation is not for later steps
        task.uncancel()
    return result


def _encoded_headers(response: HttpResponseBase) -> list[tuple[bytes, bytes]]:
    """A response's headers and cookies as an ASGI start message has them (as Django encodes them)."""
    headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
    headers.extend((b"Set-Cookie", cookie.OutputString().encode("ascii")) for cookie in response.cookies.values())
    return headers


def _let_go(request: HttpRequest) -> None:
    """Drop the request's back references, so it is freed as soon as nothing else holds it."""
    for name in _BACK_REFERENCES:
        request.__dict__.pop(name, None)


@functools.lru_cache(maxsize=4096)
def _view_for(path_info: str) -> Callable[..., Any] | None:
    """The view of a path, remembered: every request asks before Django resolves it again, and URLs do not change."""
    try:
        return get_resolver().resolve(path_info).func
    except Resolver404:
        return None
