"""The only module that speaks HTTP to the Imbrace gateway.

``get_client()`` returns one pooled ``httpx.AsyncClient`` wrapper per event
loop (and per configuration). Credentials go in headers chosen by the same
rules as the official SDK; they never reach a log line. Safe methods are
retried with backoff on network errors, 429 and 502-504; POST and PATCH are
never retried, so a write is never sent twice.

Reads share one time budget per page (``IMBRACE_PAGE_DEADLINE``, set by
``page_deadline()`` around each request): every try and every wait between
tries fits in it, so a slow gateway is an error page with Retry within about
that long, not three full read timeouts. Streams and requests given their own
``timeout`` (chat, uploads, downloads, exports, the sync webhook) keep it.
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

import httpx
from django.conf import settings

from apps.ops import metrics as ops_metrics

from .deadline import page_budget
from .errors import (
    GatewayAuthError,
    GatewayConflict,
    GatewayError,
    GatewayGaveUp,
    GatewayNotFound,
    GatewayTimeout,
    GatewayUnavailable,
    GatewayValidationError,
)
from .paths import checked_path, gateway_path  # noqa: F401 (gateway_path: imported from here too)

logger = logging.getLogger("imbrace_console.gateway")

RETRY_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 5.0
_NOT_FOUND = re.compile(r"not found", re.IGNORECASE)
_AI_ERROR = re.compile(r"^\[ERROR:\s*(?:\d{3}:\s*)?(.*)\]$", re.DOTALL)


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
    page_deadline: float = 10.0

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
            page_deadline=settings.IMBRACE_PAGE_DEADLINE,
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
    except (TypeError, ValueError, RecursionError):
        return {}
    fields: dict[str, str] = {}
    for issue in issues if isinstance(issues, list) else []:
        if not isinstance(issue, dict):
            continue
        key = ".".join(str(part) for part in issue.get("path") or []) or "__all__"
        fields.setdefault(key, str(issue.get("message") or "Invalid value"))
    return fields


def _refused_path_id(body: Any) -> bool:
    """Activepieces (Fastify) checked an id in the path against its shape (21 of [0-9a-zA-Z]) and refused
    it: ``{"code": "FST_ERR_VALIDATION", "message": "params/id must match pattern ..."}``. Nothing has it."""
    return (
        isinstance(body, dict)
        and body.get("code") == "FST_ERR_VALIDATION"
        and str(body.get("message") or "").startswith("params/")
    )


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
    except (ValueError, RecursionError):  # undecodable, or nested or numbered past what Python reads
        body = response.text[:500]
    message = _message_from(body)
    context = {"status": status, "method": method, "path": path, "request_id": request_id}
    zod = _zod_field_errors(body)
    if zod is not None:
        summary = "; ".join(f"{name}: {text}" if name != "__all__" else text for name, text in zod.items())
        return GatewayValidationError(summary or message, field_errors=zod, **context)
    if status in (401, 403):
        return GatewayAuthError(message, **context)
    if status == 404 or (status == 400 and _refused_path_id(body)):
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
    if status == 504:  # the gateway's own idle timeout cut the reply; the service may go on
        return GatewayGaveUp(message, **context)
    if status == 429 or status in (502, 503):
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
        """Send one request (retrying only safe methods) and return a 2xx response or raise.

        Without its own ``timeout``, a read's tries and the waits between them end by the page's
        deadline (``page_deadline``), and a retried write is tried again only within it.
        """
        method = method.upper()
        checked_path(path)
        request_id = uuid.uuid4().hex
        retries = self.config.retries if method in RETRY_METHODS else 0
        kwargs: dict[str, Any] = {"params": params, "json": json, "data": data, "files": files, "content": content}
        budget = page_budget.get()
        deadline = None
        if timeout is not None:
            kwargs["timeout"] = timeout
        else:
            deadline = budget.ends if budget is not None else time.monotonic() + self.config.page_deadline
        bounded = deadline is not None and method in READ_METHODS
        try:
            attempt = 0
            while True:
                started = time.perf_counter()
                try:
                    if bounded:
                        response = await self._bounded(method, path, deadline, headers, request_id, kwargs)
                    else:
                        response = await self._http.request(
                            method, path, headers=self._headers(path, headers, request_id), **kwargs
                        )
                except httpx.TransportError as exc:
                    self._log(method, path, _outcome(exc), started, request_id, attempt)
                    if attempt < retries and await self._wait_to_retry(attempt, None, deadline):
                        attempt += 1
                        continue
                    raise error_for_transport(exc, method=method, path=path, request_id=request_id) from exc
                self._log(method, path, response.status_code, started, request_id, attempt)
                _unlink(response)
                if response.is_success:
                    return response
                if (
                    response.status_code in RETRY_STATUSES
                    and attempt < retries
                    and await self._wait_to_retry(attempt, _retry_after(response), deadline)
                ):
                    attempt += 1
                    continue
                raise error_for_response(response, method=method, path=path, request_id=request_id)
        finally:
            if budget is not None and method not in READ_METHODS:
                # The page a write re-renders gets a whole budget of its own.
                budget.ends = max(budget.ends, time.monotonic() + budget.seconds)

    async def _bounded(
        self, method: str, path: str, deadline: float, headers: dict[str, str] | None, request_id: str, kwargs: dict
    ) -> httpx.Response:
        """One try of a read that ends by ``deadline``, whatever the gateway does meanwhile."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpx.ReadTimeout("the page's time for the gateway ran out")
        limit = httpx.Timeout(min(self.config.read_timeout, left), connect=min(self.config.connect_timeout, left))
        try:
            async with asyncio.timeout(left):
                return await self._http.request(
                    method, path, headers=self._headers(path, headers, request_id), timeout=limit, **kwargs
                )
        except TimeoutError as exc:
            raise httpx.ReadTimeout("the page's time for the gateway ran out") from exc

    async def _wait_to_retry(self, attempt: int, retry_after: float | None, deadline: float | None) -> bool:
        """Sleep before the next try and answer True, or answer False if it would not fit before ``deadline``."""
        pause = self._backoff(attempt, retry_after)
        if deadline is not None and time.monotonic() + pause >= deadline:
            return False
        await asyncio.sleep(pause)
        return True

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` and decode the JSON body; an unreadable body is a GatewayError."""
        response = await self.request(method, path, **kwargs)
        try:
            return response.json()
        except (ValueError, RecursionError) as exc:  # undecodable, or nested or numbered past what Python reads
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
