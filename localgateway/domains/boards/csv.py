"""CSV export and the legacy content import/export routes."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ... import db
from ...errors import ApiError
from .export import csv_line, export_cell, export_window, stamp
from .item_store import insert_item, sort_clause, transaction
from .schema import TIMESTAMP_HEADERS
from .store import _field_id, require_board
from .validation import _error, json_body, org
from .values import iso


def _export_rows(board: Any, params: dict[str, str]) -> tuple[str, list[str], list[Any], ZoneInfo]:
    """File name, header and rows of an export, or ApiError."""
    try:
        zone = ZoneInfo(params.get("tz") or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _error(500, "Failed to export CSV", message=f"Invalid time zone specified: {params.get('tz')}") from exc
    now = datetime.now(UTC)
    try:
        start, end, label = export_window(params, zone, now)
    except ValueError as exc:
        raise _error(500, "Failed to export CSV", message=str(exc)) from exc
    column = "updated_at" if params.get("by") == "updated" else "created_at"
    where, args = ["board_id = ?"], [board["id"]]
    if start is not None:
        where.append(f"{column} >= ?")
        args.append(iso(start))
    if end is not None:
        where.append(f"{column} <= ?")
        args.append(iso(end))
    order = sort_clause(params.get("sort") or "-created_at")
    rows = (
        db.conn()
        .execute(
            f"SELECT fields, created_at, updated_at FROM board_items WHERE {' AND '.join(where)} ORDER BY {order}",  # noqa: S608
            args,
        )
        .fetchall()
    )
    by = "updated" if params.get("by") == "updated" else "creation"
    filename = f"{board['name']}_{now.astimezone(zone).strftime('%Y%m%d')}_for-{label}_by-{by}.csv"
    fields = db.loads(board["fields"]) or []
    return filename, [*(f.get("name", "") for f in fields), *TIMESTAMP_HEADERS], rows, zone


async def export_csv(request: Request) -> Response:
    board = require_board(org(request), request.path_params["board_id"])
    params = dict(request.query_params)
    filename, header, rows, zone = _export_rows(board, params)
    fields = db.loads(board["fields"]) or []

    async def body() -> AsyncIterator[bytes]:
        buffer = [csv_line(header)]
        for row in rows:
            values = db.loads(row["fields"]) or {}
            cells = [export_cell(f, values.get(_field_id(f)), zone) for f in fields]
            cells += [stamp(row["created_at"], zone), stamp(row["updated_at"], zone)]
            buffer.append(csv_line(cells))
            if len(buffer) >= 500:
                yield ("\n".join(buffer) + "\n").encode()
                buffer = []
        yield "\n".join(buffer).encode()

    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}"}
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)


async def export_content(request: Request) -> Response:
    board = require_board(org(request), request.path_params["board_id"])
    _filename, header, rows, zone = _export_rows(board, dict(request.query_params))
    fields = db.loads(board["fields"]) or []
    lines = [csv_line(header)]
    for row in rows:
        values = db.loads(row["fields"]) or {}
        cells = [export_cell(f, values.get(_field_id(f)), zone) for f in fields]
        lines.append(csv_line([*cells, stamp(row["created_at"], zone), stamp(row["updated_at"], zone)]))
    return JSONResponse({"message": "Export completed", "content": "\n".join(lines), "record_count": len(rows)})


async def import_content(request: Request) -> Response:
    """``POST /boards/:id/import`` with ``csvContent``: headers matched to field names."""
    board = require_board(org(request), request.path_params["board_id"])
    body = await json_body(request)
    content = body.get("csvContent")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(400, {"status": "error", "message": "csvContent is required"})
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    header = [cell.strip() for cell in rows[0]] if rows else []
    by_name = {f.get("name", "").strip().lower(): _field_id(f) for f in db.loads(board["fields"]) or []}
    success, errors, details = 0, 0, []
    for number, row in enumerate(rows[1:], start=2):
        values = {
            by_name[name.lower()]: cell.strip()
            for name, cell in zip(header, row, strict=False)
            if name.lower() in by_name
        }
        try:
            with transaction():
                insert_item(board, {"fields": values, "created_type": "import"})
            success += 1
        except ApiError as exc:
            errors += 1
            if len(details) < 10:
                details.append({"row": number, "error": exc.body.get("error") or exc.body.get("message")})
    results = {"total": max(len(rows) - 1, 0), "success": success, "errors": errors, "error_details": details}
    return JSONResponse({"status": "success", "message": "Import completed", "results": results})
