"""Turn a gateway failure that a view did not handle into a page, never a stack trace."""

from __future__ import annotations

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from imbrace_console.gateway import GatewayError

from .htmx import render_gateway_error

logger = logging.getLogger("imbrace_console.errors")


class GatewayErrorMiddleware:
    """Pass-through on the way in (no thread hop); renders ``GatewayError`` from views."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, GatewayError):
            return None
        logger.warning(
            "gateway failure on %s %s: %s %s request_id=%s",
            request.method,
            request.path,
            exception.__class__.__name__,
            exception.status,
            exception.request_id,
        )
        return render_gateway_error(request, exception)
