"""The only module that speaks HTTP to the Imbrace gateway.

``get_client()`` returns one pooled ``httpx.AsyncClient`` wrapper per event
loop (and per configuration). Credentials go in headers chosen by the same
rules as the official SDK; they never reach a log line. Safe methods are
retried with backoff on network errors, 429 and 502-504; POST and PATCH are
never retried, so a write is never sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import httpx
from django.conf import settings

from apps.ops import metrics as ops_metrics

from .errors import (
    GatewayAuthError,
    GatewayBadPath,
    GatewayConflict,
    GatewayError,
    GatewayNotFound,
    GatewayTimeout,
    GatewayUnavailable,
    GatewayValidationError,
)

logger = logging.getLogger("imbrace_console.gateway")

RETRY_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 5.0
_NOT_FOUND = re.compile(r"not found", re.IGNORECASE)
_AI_ERROR = re.compile(r"^\[ERROR:\s*(?:\d{3}:\s*)?(.*)\]$", re.DOTALL)


# One path segment as RFC 3986 writes it (unreserved, sub-delims, ":" "@", percent-escapes).
_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+")
# What a segment must not mean once decoded: a separator, an escape, a control character.
_UNSAFE_DECODED = re.compile(r"[/\\%\x00-\x1f\x7f]")


def checked_path(path: str) -> str:
    """``path`` unchanged if every server on the way reads it as written, else ``GatewayBadPath``.

    Refused: a ``.`` or ``..`` segment (also percent-encoded: httpx, nginx or express would
    resolve it to the parent), an empty segment, an encoded slash or backslash, a control
    character, a query or fragment, anything not already percent-encoded. So an id that is not
    an id can never make the console send its request to another object.
    """
    if path == "/":
        return path
    segments = path.split("/")
    if segments[0] or len(segments) < 2:
        raise GatewayBadPath("refused gateway path", path=path[:200])
    for segment in segments[1:]:
        try:
            decoded = unquote(segment, errors="strict") if _SEGMENT.fullmatch(segment) else ""
        except UnicodeDecodeError:
            decoded = ""
        if not decoded or decoded in (".", "..") or _UNSAFE_DECODED.search(decoded):
            raise GatewayBadPath("refused gateway path", path=path[:200])
    return path


def gateway_path(template: str, *values: object) -> str:
    """The gateway path ``template`` with each ``{}`` replaced by one value as one percent-encoded segment.

    ``gateway_path("/data-board/boards/{}/items/{}", board_id, item_id)``. The only way a service or
    selector puts an id into a path: a value that could change the path (``..``, ``/``, ``%2e``, a
    control character, empty) raises ``GatewayBadPath``, a ``GatewayNotFound`` (404), before anything
    is sent.
    """
    try:
        return checked_path(template.format(*(quote(str(value), safe="") for value in values)))
    except UnicodeError as exc:  # a lone surrogate cannot be encoded
        raise GatewayBadPath("refused gateway path", path=template) from exc


def _is_jwt(token: str) -> bool:
    return token.startswith("eyJ") and token.count(".") == 2


@dataclass(frozen=True)
class GatewaySettings:
    base_url: str
    api_key: str = ""
    access_token: str = ""
    organization_id: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 2
    retry_backoff: float = 0.25
    max_connections: int = 1000

    @classmethod
    def from_django(cls) -> GatewaySettings:
        return cls(
            base_url=settings.IMBRACE_BASE_URL.rstrip("/"),
            api_key=settings.IMBRACE_API_KEY,
            access_token=settings.IMBRACE_ACCESS_TOKEN,
            organization_id=settings.IMBRACE_ORGANIZATION_ID,
            connect_timeout=settings.IMBRACE_CONNECT_TIMEOUT,
            read_timeout=settings.IMBRACE_READ_TIMEOUT,
            retries=settings.IMBRACE_RETRIES,
            retry_backoff=settings.IMBRACE_RETRY_BACKOFF,
            max_connections=settings.IMBRACE_MAX_CONNECTIONS,
        )

    @property
    def auth_mode(self) -> str:
        if self.api_key:
            return "api_key"
        if self.access_token and self.organization_id and _is_jwt(self.access_token):
            return "jwt"
        if self.access_token:
            return "access_token"
        return "none"

    def auth_headers(self, path: str = "") -> dict[str, str]:
        """The SDK's three modes: API key; JWT with its organization; opaque access token."""
        mode = self.auth_mode
        if mode == "api_key":
            return {"x-api-key": self.api_key}
        if mode == "jwt":
            headers = {"authorization": f"Bearer {self.access_token}", "x-organization-id": self.organization_id}
            if path.startswith("/ai-agent/"):
                # ai-agent ignores Authorization; the official chat client repeats the JWT here.
                headers["x-access-token"] = self.access_token
            return headers
        if mode == "access_token":
            headers = {"x-access-token": self.access_token}
            if self.organization_id:
                headers["x-organization-id"] = self.organization_id
            return headers
        return {}


def _message_from(body: Any) -> str:
    """The human part of any of the services' error bodies."""
    if isinstance(body, str):
        return body.strip()
    if not isinstance(body, dict):
        return ""
    detail = body.get("detail")
    if isinstance(detail, str):
        match = _AI_ERROR.match(detail.strip())
        return (match.group(1) if match else detail).strip()
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    params = body.get("params")
    if isinstance(params, dict) and isinstance(params.get("message"), str):
        return params["message"]
    for key in ("message", "error", "errorText"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _zod_field_errors(body: Any) -> dict[str, str] | None:
    """Per-field messages from a ZodError, whose issues arrive as a JSON string."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if not (isinstance(error, dict) and error.get("name") == "ZodError"):
        return None
    try:
        issues = json.loads(error.get("message") or "[]")
    except (TypeError, json.JSONDecodeError):
        return {}
    fields: dict[str, str] = {}
    for issue in issues if isinstance(issues, list) else []:
        if not isinstance(issue, dict):
            continue
        key = ".".join(str(part) for part in issue.get("path") or []) or "__all__"
        fields.setdefault(key, str(issue.get("message") or "Invalid value"))
    return fields


def _outcome(exc: httpx.TransportError) -> str:
    return "timeout" if isinstance(exc, httpx.TimeoutException) else "unreachable"


def _unanswered(exc: httpx.TransportError) -> bool:
    """Whether the request may have reached the gateway (it was not refused before sending)."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def error_for_transport(exc: httpx.TransportError, *, method: str, path: str, request_id: str) -> GatewayError:
    """Map a request that got no answer (timeout, refused, reset) to the typed error."""
    context = {"method": method, "path": path, "request_id": request_id, "unanswered": _unanswered(exc)}
    if isinstance(exc, httpx.TimeoutException):
        return GatewayTimeout(str(exc) or "timed out", **context)
    return GatewayUnavailable(str(exc) or exc.__class__.__name__, **context)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_for_response(response: httpx.Response, *, method: str, path: str, request_id: str) -> GatewayError:
    """Map a non-2xx response to the typed error the console shows."""
    status = response.status_code
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text[:500]
    message = _message_from(body)
    context = {"status": status, "method": method, "path": path, "request_id": request_id}
    zod = _zod_field_errors(body)
    if zod is not None:
        summary = "; ".join(f"{name}: {text}" if name != "__all__" else text for name, text in zod.items())
        return GatewayValidationError(summary or message, field_errors=zod, **context)
    if status in (401, 403):
        return GatewayAuthError(message, **context)
    if status == 404:
        return GatewayNotFound(message, **context)
    if status in (400, 500) and path.startswith(("/v3/ai/", "/ai-agent/")) and _NOT_FOUND.search(message):
        # The AI services say "not found" with 400 (chat-ai) or 500 (ai-agent).
        return GatewayNotFound(message, **context)
    if status == 409:
        if isinstance(body, dict) and body.get("code") == "VALIDATION":
            return GatewayValidationError(message, **context)
        return GatewayConflict(message, **context)
    if status in (400, 422):
        return GatewayValidationError(message, **context)
    if status == 429 or status in (502, 503, 504):
        return GatewayUnavailable(message, retry_after=_retry_after(response), **context)
    return GatewayError(message, **context)


class GatewayClient:
    """Async access to the gateway: ``request``, ``json``, ``stream``, ``request_in_thread``."""

    def __init__(self, config: GatewaySettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=100),
            transport=transport,
            follow_redirects=False,
        )
        self._sync_http: httpx.Client | None = None

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._sync_http is not None:
            self._sync_http.close()

    def _headers(self, path: str, extra: dict[str, str] | None, request_id: str) -> dict[str, str]:
        return {**self.config.auth_headers(path), "x-request-id": request_id, **(extra or {})}

    def _log(self, method: str, path: str, status: int | str, started: float, request_id: str, attempt: int) -> None:
        ops_metrics.gateway_call(method, path, status, started, request_id)  # metrics and the JSON log's gateway id
        logger.info(
            "gateway %s %s -> %s in %.1fms request_id=%s attempt=%d",
            method,
            path,
            status,
            (time.perf_counter() - started) * 1000,
            request_id,
            attempt,
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        return self.config.retry_backoff * (2**attempt)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        content: Any = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | float | None = None,  # noqa: ASYNC109 (httpx per-request timeout, e.g. a sync webhook)
    ) -> httpx.Response:
        """Send one request (retrying only safe methods) and return a 2xx response or raise."""
        method = method.upper()
        checked_path(path)
        request_id = uuid.uuid4().hex
        retries = self.config.retries if method in RETRY_METHODS else 0
        kwargs: dict[str, Any] = {"params": params, "json": json, "data": data, "files": files, "content": content}
        if timeout is not None:
            kwargs["timeout"] = timeout
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    method, path, headers=self._headers(path, headers, request_id), **kwargs
                )
            except httpx.TransportError as exc:
                self._log(method, path, _outcome(exc), started, request_id, attempt)
                if attempt < retries:
                    await asyncio.sleep(self._backoff(attempt, None))
                    attempt += 1
                    continue
                raise error_for_transport(exc, method=method, path=path, request_id=request_id) from exc
            self._log(method, path, response.status_code, started, request_id, attempt)
            _unlink(response)
            if response.is_success:
                return response
            if response.status_code in RETRY_STATUSES and attempt < retries:
                await asyncio.sleep(self._backoff(attempt, _retry_after(response)))
                attempt += 1
                continue
            raise error_for_response(response, method=method, path=path, request_id=request_id)

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` and decode the JSON body; an unreadable body is a GatewayError."""
        response = await self.request(method, path, **kwargs)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise GatewayError(
                "The gateway sent a response the console could not read.",
                status=response.status_code,
                method=method.upper(),
                path=path,
            ) from exc

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        read_timeout: float | None = None,
        sent: asyncio.Future[None] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Open a streamed response (never retried). Non-2xx answers raise before yielding.

        ``sent``, if given, is resolved once the whole request has been written, so a
        caller can do other work while the gateway answers. Leaving the
        ``async with`` closes the upstream connection, which is how the chat
        relay stops the gateway's work when the browser goes away.
        """
        method = method.upper()
        checked_path(path)
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        request = self._http.build_request(
            method,
            path,
            json=json,
            params=params,
            headers=self._headers(path, headers, request_id),
            timeout=httpx.Timeout(read_timeout, connect=self.config.connect_timeout),
            extensions={"trace": _set_when_sent(sent)} if sent is not None else None,
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as exc:
            self._log(method, path, _outcome(exc), started, request_id, 0)
            raise error_for_transport(exc, method=method, path=path, request_id=request_id) from exc
        self._log(method, path, response.status_code, started, request_id, 0)
        try:
            if not response.is_success:
                await response.aread()
                raise error_for_response(response, method=method, path=path, request_id=request_id)
            yield response
        finally:
            await response.aclose()
            _unlink(response)

    async def request_in_thread(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Run a blocking request in a worker thread: for bodies read from disk (uploads).

        httpx reads a file body synchronously, so doing it on the event loop would
        stall every other stream; a worker thread keeps the loop free. Never retried.
        """
        method = method.upper()
        checked_path(path)
        if self._sync_http is None:
            self._sync_http = httpx.Client(
                base_url=self.config.base_url,
                timeout=httpx.Timeout(self.config.read_timeout, connect=self.config.connect_timeout),
            )
        request_id = uuid.uuid4().hex
        headers = self._headers(path, kwargs.pop("headers", None), request_id)
        started = time.perf_counter()

        def send() -> httpx.Response:
            return self._sync_http.request(method, path, headers=headers, **kwargs)

        try:
            response = await asyncio.get_running_loop().run_in_executor(_body_senders, send)
        except httpx.TransportError as exc:
            self._log(method, path, _outcome(exc), started, request_id, 0)
            raise error_for_transport(exc, method=method, path=path, request_id=request_id) from exc
        self._log(method, path, response.status_code, started, request_id, 0)
        _unlink(response)
        if not response.is_success:
            raise error_for_response(response, method=method, path=path, request_id=request_id)
        return response


def _unlink(response: httpx.Response) -> None:
    """Untie a read or closed response from its stream.

    httpx's response and the stream it reads from point at each other: a cycle
    holding the request, the headers and the connection's details (about 45
    objects per call) that only the garbage collector's full passes free. The
    body, once read, is kept on the response; the stream is not needed again.
    """
    response.stream = httpx.ByteStream(b"")


def _set_when_sent(sent: asyncio.Future[None]):
    """An httpcore ``trace`` hook that resolves ``sent`` once the request body has gone out."""

    async def trace(event: str, info: dict) -> None:
        if event.endswith("send_request_body.complete") and not sent.done():
            sent.set_result(None)

    return trace


# Uploads wait here rather than in the loop's default executor, which Django and
# asyncio.to_thread share: a few long uploads must not starve everything else.
_body_senders = ThreadPoolExecutor(max_workers=settings.IMBRACE_UPLOAD_THREADS, thread_name_prefix="gateway-body")

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[GatewaySettings, GatewayClient]] = (
    weakref.WeakKeyDictionary()
)


def get_client() -> GatewayClient:
    """The pooled client for the running event loop and the current settings."""
    loop = asyncio.get_running_loop()
    config = GatewaySettings.from_django()
    per_loop = _clients.setdefault(loop, {})
    client = per_loop.get(config)
    if client is None:
        client = per_loop[config] = GatewayClient(config)
    return client
