"""data-board's Knowledge Hub envelopes: ``{success, message, data}`` answers and the errors handlers raise."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...errors import ApiError


def ok(message: str, data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "message": message, "data": data}, status)


def fail(message: str, status: int) -> ApiError:
    return ApiError(status, {"success": False, "message": message, "data": None})


def found(row, kind: str):
    """``row``, or the service's 404 ``"<kind> not found"`` when there is none (a missing file or folder)."""
    if row is None:
        raise fail(f"{kind} not found", 404)
    return row


async def delete_ids(request: Request) -> list:
    """The ``ids`` of a delete; none, or not a list, is the service's 400."""
    ids = (await json_body(request)).get("ids")
    if not isinstance(ids, list) or not ids:
        raise fail("ids array is required and must not be empty", 400)
    return ids


def search_pattern(request: Request) -> re.Pattern:
    """A search's ``q`` as the service reads it: a case-insensitive regex; an invalid one is its 500."""
    try:
        return re.compile(request.query_params.get("q") or "", re.IGNORECASE)
    except re.error as exc:
        raise crash(f"Invalid regular expression: {exc}") from exc


def crash(message: str, code: str | None = "50000") -> ApiError:
    error: dict[str, Any] = {"message": message}
    if code:
        error["code"] = code
    return ApiError(500, {"success": False, "error": error})


async def json_body(request: Request) -> dict:
    """The JSON body, or the service's answer to an unreadable one (500, data-board.md#errors)."""
    raw = await request.body()
    if "application/json" not in request.headers.get("content-type", ""):
        return {}
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise crash("Internal server error", None) from None
    return body if isinstance(body, dict) else {}


def _org(request: Request) -> str:
    return request.state.identity.organization_id
