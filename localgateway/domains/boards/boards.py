"""Routes on boards themselves: list, create, read, update, delete, reorder, model schema, health."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import db
from .item_store import transaction
from .schema import FIELD_TYPES, OPTION_TYPES
from .store import _board_row, _items_count, _managers, board_out, insert_board, require_board
from .validation import BOARD_SPEC, FIELD_SPEC, _check, _error, check_field, int_param, json_body, org, zod


async def list_boards(request: Request) -> Response:
    params = request.query_params
    limit = int_param(params.get("limit"), 100)
    limit = 100 if limit is None or limit < 0 else min(limit, 500)
    skip = max(int_param(params.get("skip"), 0) or 0, 0)
    where, args = ["organization_id = ?"], [org(request)]
    types = params.getlist("types")
    if types:
        where.append(f"type IN ({','.join('?' * len(types))})")
        args.extend(types)
    if params.get("hidden") in ("true", "false"):
        where.append("hidden = ?")
        args.append(int(params["hidden"] == "true"))
    if params.get("category_id"):
        where.append("category_id = ?")
        args.append(params["category_id"])
    condition = " AND ".join(where)
    rows = (
        db.conn()
        .execute(f"SELECT * FROM boards WHERE {condition} ORDER BY sort_order ASC, created_at ASC", args)  # noqa: S608
        .fetchall()
    )
    if params.get("search"):
        # The service matches names with a case-insensitive regular expression.
        try:
            pattern = re.compile(params["search"], re.IGNORECASE)
        except re.error as exc:
            raise _error(500, "Failed to list boards", message=str(exc)) from exc
        rows = [row for row in rows if pattern.search(row["name"])]
    total = len(rows)
    rows = rows[skip : skip + limit] if limit else rows[skip:]
    counts = _items_count([row["id"] for row in rows])
    data = [board_out(row, items_count=counts.get(row["id"], 0)) for row in rows]
    return JSONResponse({"data": data, "total": total, "count": len(data)})


async def create_board(request: Request) -> Response:
    body = await json_body(request)
    issues = _check(body, BOARD_SPEC)
    for index, definition in enumerate(body.get("fields") or [] if isinstance(body.get("fields"), list) else []):
        issues.extend(check_field(definition, ["fields", index], FIELD_SPEC))
    if issues:
        raise zod(issues)
    with transaction():
        board_id = insert_board(org(request), body)
    return JSONResponse({"data": board_out(_board_row(org(request), board_id))}, 201)


async def get_board(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    return JSONResponse({"data": board_out(row)})


async def update_board(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    body = await json_body(request)
    spec = {key: (kind, False) for key, (kind, _required) in BOARD_SPEC.items()}
    spec["name"] = ("string", False)
    issues = _check(body, spec)
    if issues:
        raise zod(issues)
    if "name" in body and not body["name"].strip():
        raise _error(400, "Board name cannot be empty")
    columns = {
        "name": "name",
        "description": "description",
        "type": "type",
        "hidden": "hidden",
        "order": "sort_order",
        "show_id": "show_id",
        "is_child_table": "is_child_table",
        "category": "category_id",
    }
    sets, args = [], []
    for key, column in columns.items():
        if key in body:
            value = body[key]
            sets.append(f"{column} = ?")
            args.append(int(value) if isinstance(value, bool) else value)
    if "managers" in body:
        sets.append("managers = ?")
        args.append(db.dumps(_managers(body["managers"])))
    elif "team_ids" in body:
        sets.append("managers = ?")
        managers = [{"teamId": t, "permissions": {"read": True, "write": True}} for t in body["team_ids"]]
        args.append(db.dumps(_managers(managers)))
    if "journey" in body:
        sets.append("journey = ?")
        args.append(db.dumps(body["journey"]))
    sets.append("updated_at = ?")
    args.append(db.now_iso())
    db.conn().execute(f"UPDATE boards SET {', '.join(sets)} WHERE id = ?", [*args, row["id"]])  # noqa: S608
    return JSONResponse({"data": board_out(_board_row(org(request), row["id"]))})


async def delete_board(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    db.conn().execute("DELETE FROM boards WHERE id = ?", (row["id"],))
    return JSONResponse({"message": "Board deleted successfully"})


async def reorder_boards(request: Request) -> Response:
    body = await json_body(request)
    issues = _check(body, {"boardIds": ("strings", True)})
    if not issues and not body["boardIds"]:
        issues = [
            {
                "origin": "array",
                "code": "too_small",
                "minimum": 1,
                "inclusive": True,
                "path": ["boardIds"],
                "message": "Too small: expected array to have >=1 items",
            }
        ]
    if issues:
        raise zod(issues)
    for board_id in body["boardIds"]:
        require_board(org(request), board_id)
    with transaction() as conn:
        for index, board_id in enumerate(body["boardIds"]):
            conn.execute("UPDATE boards SET sort_order = ? WHERE id = ?", (index, board_id))
    return JSONResponse({"message": "Boards reordered successfully"})


async def model_schema(request: Request) -> Response:
    settings = {
        "Date": {"time_zone": "UTC", "enable_timezone": False},
        "Datetime": {"time_zone": "UTC", "enable_timezone": False},
        "Phone": {"default_country_code": ""},
        "Currency": {"default_currency_code": ""},
    }
    field_types = [
        {
            "value": kind,
            "text": "field_" + re.sub(r"(?<!^)([A-Z])", r"_\1", kind).lower(),
            "has_data": kind in OPTION_TYPES,
            "settings": settings.get(kind, {}),
        }
        for kind in FIELD_TYPES
    ]
    board_field = {key: kind if isinstance(kind, str) else "enum" for key, (kind, _r) in FIELD_SPEC.items()}
    return JSONResponse({"data": {"board_field": board_field, "field_types": field_types}})


async def health(request: Request) -> Response:
    """``GET /data-board/health``: behind the gateway's credential check like every other path."""
    return JSONResponse({"status": "ok", "service": "data-board"})
