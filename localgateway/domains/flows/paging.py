"""SeekPage lists with opaque cursors (flows.md#lists-and-cursors) and typebox query params."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection

from starlette.requests import Request
from starlette.responses import JSONResponse

from ... import db
from .errors import schema_error


def _encode_cursor(direction: str, key: str, row_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([direction, key, row_id]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str, str] | None:
    try:
        direction, key, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if direction not in ("n", "p") or not isinstance(key, str) or not isinstance(row_id, str):
        return None
    return direction, key, row_id


def seek(
    *, table: str, where: str, params: list, order: str, limit: int, cursor: str | None
) -> tuple[list, str | None, str | None]:
    """Keyset paging newest first on ``(order, id)``; returns rows, next and previous cursors."""
    direction, key, row_id = "n", None, None
    if cursor:
        decoded = _decode_cursor(cursor)
        if decoded is None:
            raise schema_error("querystring/cursor must be a valid cursor")
        direction, key, row_id = decoded
    conn = db.conn()
    older = f"({order} < ? OR ({order} = ? AND id < ?))"
    newer = f"({order} > ? OR ({order} = ? AND id > ?))"
    if key is None:
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {where} ORDER BY {order} DESC, id DESC LIMIT ?",  # noqa: S608
            [*params, limit + 1],
        ).fetchall()
        more_after, more_before = len(rows) > limit, False
        rows = rows[:limit]
    elif direction == "n":
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {where} AND {older} ORDER BY {order} DESC, id DESC LIMIT ?",  # noqa: S608
            [*params, key, key, row_id, limit + 1],
        ).fetchall()
        more_after, more_before = len(rows) > limit, True
        rows = rows[:limit]
    else:
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {where} AND {newer} ORDER BY {order} ASC, id ASC LIMIT ?",  # noqa: S608
            [*params, key, key, row_id, limit + 1],
        ).fetchall()
        more_before, more_after = len(rows) > limit, True
        rows = list(reversed(rows[:limit]))
    next_cursor = _encode_cursor("n", rows[-1][order], rows[-1]["id"]) if rows and more_after else None
    previous_cursor = _encode_cursor("p", rows[0][order], rows[0]["id"]) if rows and more_before else None
    return rows, next_cursor, previous_cursor


def page_limit(request: Request) -> int:
    raw = request.query_params.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        raise schema_error("querystring/limit must be number") from None
    if not 1 <= limit <= 1000:
        raise schema_error("querystring/limit must be between 1 and 1000")
    return limit


def where_in(where: list[str], params: list, column: str, values: list[str]) -> None:
    """Add ``column IN (values)`` to a list's conditions, when the filter has values."""
    if values:
        where.append(f"{column} IN ({','.join('?' * len(values))})")
        params.extend(values)


def status_filter(request: Request, allowed: Collection[str]) -> list[str]:
    """The list's ``status`` values; one the engine does not know is refused as typebox refuses it."""
    statuses = multi(request, "status")
    if any(status not in allowed for status in statuses):
        raise schema_error("querystring/status/0 must be equal to one of the allowed values")
    return statuses


def seek_response(
    request: Request, *, table: str, where: list[str], params: list, order: str, limit: int, as_json: Callable
) -> JSONResponse:
    """One SeekPage of ``table`` from the request's ``cursor``: ``{data, next, previous}``, each row ``as_json``."""
    cursor = request.query_params.get("cursor")
    rows, next_cursor, previous_cursor = seek(
        table=table, where=" AND ".join(where), params=params, order=order, limit=limit, cursor=cursor
    )
    data = [as_json(dict(row)) for row in rows]
    return JSONResponse({"data": data, "next": next_cursor, "previous": previous_cursor})


def multi(request: Request, name: str) -> list[str]:
    """A typebox array query param: repeated, or ``name[]``."""
    return [*request.query_params.getlist(name), *request.query_params.getlist(f"{name}[]")]
