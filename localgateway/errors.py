"""One error style for every service: raise, and the app's exception handler answers.

Handlers raise ``ApiError(status, body)`` (or a service's helper that builds
one, e.g. data-board's ``error(404, "Board not found")``) instead of returning
an error response early. ``body`` is the exact JSON the real service sends for
that case, so the bytes on the wire do not change with the style.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """An answer other than success: ``status`` and the service's JSON body."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(body)
        self.status = status
        self.body = body
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, self.status, headers=self.headers)


async def handle_api_error(request: Request, exc: Exception) -> Response:
    """The app-wide exception handler for :class:`ApiError`."""
    assert isinstance(exc, ApiError)
    return exc.response()
