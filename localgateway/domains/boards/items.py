"""Routes on board items (``/boards/:id/items…``)."""

from __future__ import annotations

import json
import math
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import db
from ...errors import ApiError
from .item_store import (
    _fields_by_id,
    _processed,
    check_unique,
    delete_rows,
    index_unique,
    insert_item,
    item_create_issues,
    item_out,
    item_row,
    sort_clause,
    transaction,
)
from .store import _board_row, require_board
from .validation import _check, _error, bounded, json_body, org, type_issue, zod
from .values import read_value, search_text


async def list_items(request: Request) -> Response:
    params = request.query_params
    if "filter" in params:
        raise zod([type_issue(["filter"], "record", params["filter"])])
    skip = bounded("skip", params.get("skip"), 0, minimum=0, maximum=None)
    limit = bounded("limit", params.get("limit"), 20, minimum=0, maximum=1000)
    board_id = request.path_params["board_id"]
    board = _board_row(org(request), board_id)
    if board is None:
        return JSONResponse({"data": [], "count": 0, "skip": skip, "limit": limit, "totalPages": 0})
    conn = db.conn()
    total = conn.execute("SELECT COUNT(*) FROM board_items WHERE board_id = ?", (board_id,)).fetchone()[0]
    order = sort_clause(params.get("sort") or "-created_at")
    rows = conn.execute(
        f"SELECT * FROM board_items WHERE board_id = ? ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
        (board_id, limit if limit else -1, skip),
    ).fetchall()
    fields_by_id = _fields_by_id(board)
    data = [item_out(row, fields_by_id, flatten=True) for row in rows]
    if params.get("include_parent") in ("true", "1"):
        return JSONResponse({"data": data, "count": len(data), "total": total, "has_more": skip + len(data) < total})
    total_pages = math.ceil(total / limit) if limit else (1 if total else 0)
    return JSONResponse({"data": data, "count": total, "skip": skip, "limit": limit, "totalPages": total_pages})


async def count_items(request: Request) -> Response:
    board_id = request.path_params["board_id"]
    where, args = ["board_id = ?", "organization_id = ?"], [board_id, org(request)]
    if request.query_params.get("filter"):
        try:
            conditions = json.loads(request.query_params["filter"])
        except json.JSONDecodeError as exc:
            raise _error(500, "Failed to count board items", message=str(exc)) from exc
        for key, value in (conditions if isinstance(conditions, dict) else {}).items():
            if key.startswith("fields.") and re.fullmatch(r"[\w-]+", key[7:]):
                where.append(f"json_extract(fields, '$.\"{key[7:]}\"') = ?")
                args.append(value)
    count = db.conn().execute(f"SELECT COUNT(*) FROM board_items WHERE {' AND '.join(where)}", args).fetchone()[0]  # noqa: S608
    return JSONResponse({"count": count})


def get_item_body(organization_id: str, item_id: str) -> dict:
    """``GET /boards/:any/items/:id``: the item is found by its id alone, whatever board the path names.

    The real service does the same [DB ``src/presentation/controllers/board-item.controller.ts``];
    the stand-in still keeps it inside the caller's organization.
    """
    row = (
        db.conn()
        .execute("SELECT * FROM board_items WHERE id = ? AND organization_id = ?", (item_id, organization_id))
        .fetchone()
    )
    if row is None:
        raise _error(404, f"Board item {item_id} not found")
    board = _board_row(organization_id, row["board_id"])
    return {"data": item_out(row, _fields_by_id(board) if board else {})}


async def get_item(request: Request) -> Response:
    return JSONResponse(get_item_body(org(request), request.path_params["item_id"]))


async def item_details(request: Request) -> Response:
    board = _board_row(org(request), request.path_params["board_id"])
    try:
        row = item_row(org(request), request.path_params["board_id"], request.path_params["item_id"])
    except ApiError as exc:
        raise ApiError(404, {"message": exc.body["error"]}) from exc
    fields_by_id = _fields_by_id(board) if board else {}
    values = db.loads(row["fields"]) or {}
    named = {
        field["name"]: read_value(field, values[field_id])
        for field_id, field in fields_by_id.items()
        if values.get(field_id) is not None
    }
    return JSONResponse({"data": [named], "count": 1})


def create_item_body(organization_id: str, board_id: str, body: dict) -> dict:
    """``POST /boards/:id/items``'s answer (201) for this body, or the ``ApiError`` data-board gives."""
    issues = item_create_issues(body, [])
    if issues:
        raise zod(issues)
    board = require_board(organization_id, board_id)
    with transaction():
        row = insert_item(board, body)
    return {"data": item_out(row, _fields_by_id(board))}


async def create_item(request: Request) -> Response:
    body = await json_body(request)
    return JSONResponse(create_item_body(org(request), request.path_params["board_id"], body), 201)


async def bulk_create_items(request: Request) -> Response:
    body = await json_body(request)
    entries = body.get("items")
    issues = []
    if not isinstance(entries, list):
        issues.append(type_issue(["items"], "array", entries, missing="items" not in body))
    elif not entries:
        issues.append(
            {
                "origin": "array",
                "code": "too_small",
                "minimum": 1,
                "inclusive": True,
                "path": ["items"],
                "message": "Too small: expected array to have >=1 items",
            }
        )
    else:
        for index, entry in enumerate(entries):
            issues.extend(item_create_issues(entry, ["items", index]))
    if issues:
        raise zod(issues)
    board = require_board(org(request), request.path_params["board_id"])
    with transaction():
        rows = [insert_item(board, entry) for entry in entries]
    fields_by_id = _fields_by_id(board)
    return JSONResponse({"data": [item_out(row, fields_by_id) for row in rows], "count": len(rows)}, 201)


async def update_item(request: Request) -> Response:
    body = await json_body(request)
    board_id, item_id = request.path_params["board_id"], request.path_params["item_id"]
    return JSONResponse(update_item_body(org(request), board_id, item_id, body))


def update_item_body(organization_id: str, board_id: str, item_id: str, body: dict) -> dict:
    """``PATCH /boards/:id/items/:itemId``'s answer: ``fields`` by id and/or ``data: [{key, value}]``."""
    issues = _check(body, {"fields": ("object", False), "data": ("array", False)})
    if issues:
        raise zod(issues)
    board = require_board(organization_id, board_id)
    row = item_row(organization_id, board["id"], item_id)
    changes = dict(body.get("fields") or {})
    for entry in body.get("data") or []:
        if isinstance(entry, dict) and entry.get("key"):
            changes[str(entry["key"])] = entry.get("value")
    fields_by_id = _fields_by_id(board)
    processed = _processed(fields_by_id, changes, failure="Failed to update board item")
    check_unique(board["id"], fields_by_id, processed, except_seq=row["seq"])
    values = {**(db.loads(row["fields"]) or {}), **processed}
    with transaction() as conn:
        conn.execute(
            "UPDATE board_items SET fields = ?, updated_at = ? WHERE seq = ?",
            (db.dumps(values), db.now_iso(), row["seq"]),
        )
        conn.execute("UPDATE board_items_fts SET body = ? WHERE rowid = ?", (search_text(values), row["seq"]))
        index_unique(board["id"], fields_by_id, row["seq"], values)
    updated = conn.execute("SELECT * FROM board_items WHERE seq = ?", (row["seq"],)).fetchone()
    return {"data": item_out(updated, fields_by_id)}


def delete_item_body(organization_id: str, board_id: str, item_id: str) -> dict:
    row = item_row(organization_id, board_id, item_id)
    with transaction():
        delete_rows([row])
    return {"message": "Board item deleted successfully"}


async def delete_item(request: Request) -> Response:
    board_id, item_id = request.path_params["board_id"], request.path_params["item_id"]
    return JSONResponse(delete_item_body(org(request), board_id, item_id))


async def bulk_delete_items(request: Request) -> Response:
    ids: list[str] = []
    for key in ("ids[]", "ids"):
        for value in request.query_params.getlist(key):
            ids.extend(part.strip() for part in value.split(",") if part.strip())
    if not ids:
        body = await json_body(request)
        if isinstance(body.get("ids"), list):
            ids = [str(i) for i in body["ids"] if str(i).strip()]
    if not ids:
        raise _error(400, "At least one ID is required (query ?ids[]=... or JSON body)")
    ids = list(dict.fromkeys(ids))
    board_id = request.path_params["board_id"]
    marks = ",".join("?" * len(ids))
    rows = (
        db.conn()
        .execute(
            f"SELECT seq, id FROM board_items WHERE board_id = ? AND organization_id = ? AND id IN ({marks})",  # noqa: S608
            [board_id, org(request), *ids],
        )
        .fetchall()
    )
    found = {row["id"] for row in rows}
    missing = [item_id for item_id in ids if item_id not in found]
    if missing:
        raise _error(404, f"Board items not found: {', '.join(missing)}")
    with transaction():
        delete_rows(rows)
    return JSONResponse({"message": f"{len(rows)} items deleted", "count": len(rows)})


async def bulk_update_items(request: Request) -> Response:
    body = await json_body(request)
    issues = _check(body, {"ids": ("strings", True), "updates": ("object", True)})
    if issues:
        raise zod(issues)
    board = require_board(org(request), request.path_params["board_id"])
    fields_by_id = _fields_by_id(board)
    processed = _processed(fields_by_id, body["updates"], failure="Failed to update board items")
    count = 0
    now = db.now_iso()
    with transaction() as conn:
        for item_id in dict.fromkeys(body["ids"]):
            row = conn.execute(
                "SELECT * FROM board_items WHERE id = ? AND board_id = ?", (item_id, board["id"])
            ).fetchone()
            if row is None:
                continue
            check_unique(board["id"], fields_by_id, processed, except_seq=row["seq"])
            values = {**(db.loads(row["fields"]) or {}), **processed}
            conn.execute(
                "UPDATE board_items SET fields = ?, updated_at = ? WHERE seq = ?", (db.dumps(values), now, row["seq"])
            )
            conn.execute("UPDATE board_items_fts SET body = ? WHERE rowid = ?", (search_text(values), row["seq"]))
            index_unique(board["id"], fields_by_id, row["seq"], values)
            count += 1
    return JSONResponse({"message": f"{count} items updated", "count": count})
