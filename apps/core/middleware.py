"""Turn a gateway failure that a view did not handle into a page, never a stack trace."""

from __future__ import annotations

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from imbrace_console.gateway.deadline import page_deadline
from imbrace_console.gateway.errors import GatewayError

from .htmx import render_gateway_error

logger = logging.getLogger("imbrace_console.errors")


class GatewayErrorMiddleware:
    """Opens the page's gateway time budget (``page_deadline``); renders ``GatewayError`` from views.

    No thread hop: an async chain gets a coroutine, a sync one a plain call.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self.__acall__(request)
        with page_deadline():
            return self.get_response(request)

    async def __acall__(self, request: HttpRequest):
        with page_deadline():
            return await self.get_response(request)

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
