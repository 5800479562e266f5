"""Each request's id, metrics and (with ``CONSOLE_ACCESS_LOG``) its own log line."""

from __future__ import annotations

import logging
import random
import re
import time

from asgiref.sync import markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

from .logs import REQUEST_ID
from .metrics import request_done

logger = logging.getLogger("imbrace_console.requests")

# An id from X-Request-ID is kept only if it is short and plain (it is written into every log line).
_GIVEN_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_QUIET_VIEWS = frozenset({"ops-healthz", "ops-readyz", "ops-metrics"})


def view_label(request: HttpRequest) -> str:
    """The URL name that answered (bounded, unlike the path), ``static`` or ``unmatched``."""
    match = request.resolver_match
    if match is not None:
        return match.view_name or "unnamed"
    return "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"


def _username(request: HttpRequest) -> str | None:
    """The user if this request has already read them; never a database read of its own."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped if user._wrapped is not empty else None
    if user is None or not user.is_authenticated:
        return None
    return user.get_username()


class RequestObservabilityMiddleware:
    """First in the chain: gives the request an id, times it, counts it, returns ``X-Request-ID``.

    Per request: two clock reads, one context variable, two metric updates and one header; no
    database or network. The id stays set while a streamed body (a chat answer) is sent, so the
    gateway calls made for it carry it.
    """

    sync_capable = False
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.access_log = settings.CONSOLE_ACCESS_LOG
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest):
        started = time.perf_counter()
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        # An id to find the request's lines by, not a secret: no system call for randomness.
        request_id = given if given and _GIVEN_ID.fullmatch(given) else f"{random.getrandbits(128):032x}"
        request.request_id = request_id
        token = REQUEST_ID.set(request_id)
        response = await self.get_response(request)
        seconds = time.perf_counter() - started
        view = view_label(request)
        request_done(view, request.method, response.status_code, seconds)
        response["X-Request-ID"] = request_id
        if self.access_log and view not in _QUIET_VIEWS:
            logger.info(
                "%s %s %s",
                request.method,
                view,
                response.status_code,
                extra={
                    "user": _username(request),
                    "view": view,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
        if not response.streaming:
            REQUEST_ID.reset(token)
        return response
