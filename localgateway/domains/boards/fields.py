"""Routes on a board's fields (``/boards/:id/fields…``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import db
from .item_store import backfill_unique, is_unique, transaction
from .schema import FIELD_TYPES, OPTION_TYPES
from .store import (
    _board_row,
    _field_id,
    _options,
    board_out,
    create_child_board,
    field_public,
    flag,
    name_taken,
    new_field,
    require_board,
    save_fields,
)
from .validation import FIELD_SPEC, FIELD_UPDATE_SPEC, _check, _error, check_field, json_body, org, type_issue, zod


def _require_field(fields: list[dict], field_id: str) -> dict:
    for field in fields:
        if _field_id(field) == field_id:
            return field
    raise _error(404, f"Field {field_id} not found in board")


async def _field_request(request: Request, spec) -> tuple:
    """The board the path names, the request's field body checked against ``spec`` (zod's 400), the board's fields."""
    row = require_board(org(request), request.path_params["board_id"])
    body = await json_body(request)
    issues = check_field(body, [], spec)
    if issues:
        raise zod(issues)
    return row, body, db.loads(row["fields"]) or []


async def create_field(request: Request) -> Response:
    row, body, fields = await _field_request(request, FIELD_SPEC)
    if not body["name"].strip():
        raise _error(400, "Field name cannot be empty")
    if name_taken(fields, body["name"]):
        raise _error(400, f"Field with name '{body['name']}' already exists")
    if body.get("isUniqueIdentifier") and any(flag(f, "isUniqueIdentifier") for f in fields):
        raise _error(400, "Board already has a unique identifier field")
    field = new_field(body, order=len(fields), identifier=False)
    with transaction():
        if field["type"] == "TableInTable":
            create_child_board(org(request), field, body)
        fields.append(field)
        save_fields(row["id"], fields)
    return JSONResponse({"data": board_out(_board_row(org(request), row["id"]))}, 201)


async def get_field(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    field = _require_field(db.loads(row["fields"]) or [], request.path_params["field_id"])
    return JSONResponse({"data": field_public(field)})


async def update_field(request: Request) -> Response:
    row, body, fields = await _field_request(request, FIELD_UPDATE_SPEC)
    field = _require_field(fields, request.path_params["field_id"])
    if "name" in body:
        if not body["name"].strip():
            raise _error(400, "Field name cannot be empty")
        if name_taken(fields, body["name"], except_id=_field_id(field)):
            raise _error(400, f"Field with name '{body['name']}' already exists")
    became_unique = body.get("isUniqueIdentifier") is True and not is_unique(field)
    for key in FIELD_UPDATE_SPEC:
        if key in body:
            field[key] = _options(body["data"]) if key == "data" else body[key]
    with transaction():
        save_fields(row["id"], fields)
        if became_unique:
            backfill_unique(row["id"], _field_id(field))
    return JSONResponse({"data": board_out(_board_row(org(request), row["id"]))})


async def delete_field(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    fields = db.loads(row["fields"]) or []
    field = _require_field(fields, request.path_params["field_id"])
    if field.get("isDefault") is True:
        raise _error(400, "Cannot delete default field")
    with transaction() as conn:
        fields = [f for f in fields if f is not field]
        save_fields(row["id"], fields)
        if field.get("type") == "TableInTable":
            conn.execute("DELETE FROM boards WHERE id = ? AND is_child_table = 1", (_field_id(field),))
    return JSONResponse({"data": board_out(_board_row(org(request), row["id"]))})


async def reorder_fields(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    body = await json_body(request)
    raw = body.get("fieldIds", body.get("fields"))
    if not isinstance(raw, list) or not raw:
        key = "fieldIds" if "fields" not in body else "fields"
        raise zod([type_issue([key], "array", raw, missing=raw is None)])
    wanted = [str(e.get("id") or e.get("_id") or e.get("field_id")) if isinstance(e, dict) else str(e) for e in raw]
    fields = db.loads(row["fields"]) or []
    by_id = {_field_id(f): f for f in fields}
    unknown = [field_id for field_id in wanted if field_id not in by_id]
    if unknown:
        raise _error(400, f"Invalid field IDs: {', '.join(unknown)}")
    ordered = [by_id[field_id] for field_id in dict.fromkeys(wanted)]
    ordered += [f for f in fields if _field_id(f) not in set(wanted)]
    for index, field in enumerate(ordered):
        field["order"] = index
    save_fields(row["id"], ordered)
    return JSONResponse({"data": board_out(_board_row(org(request), row["id"]))})


async def bulk_fields(request: Request) -> Response:
    row = require_board(org(request), request.path_params["board_id"])
    body = await json_body(request)
    entries = body.get("fields")
    if not isinstance(entries, list):
        raise zod([type_issue(["fields"], "array", entries, missing="fields" not in body)])
    issues = []
    for index, entry in enumerate(entries):
        spec = {"field_id": ("string", False), "name": ("name", True), "type": (FIELD_TYPES, True)}
        issues.extend(_check(entry, spec, ["fields", index]) if isinstance(entry, dict) else [])
    if issues:
        raise zod(issues)
    fields = db.loads(row["fields"]) or []
    with transaction():
        for entry in entries:
            updates = {
                "name": entry["name"],
                "type": entry["type"],
                "description": entry.get("description"),
                "isUniqueIdentifier": entry.get("is_unique_identifier"),
                "hidden": entry.get("hidden"),
                "hiddenOnRecord": entry.get("hidden_on_record"),
                "settings": entry.get("settings"),
                "role": entry.get("role"),
            }
            updates = {key: value for key, value in updates.items() if value is not None}
            if entry.get("field_id"):
                field = _require_field(fields, entry["field_id"])
                if name_taken(fields, entry["name"], except_id=_field_id(field)):
                    raise _error(400, f"Field with name '{entry['name']}' already exists")
                became_unique = updates.get("isUniqueIdentifier") is True and not is_unique(field)
                field.update(updates)
                if became_unique:
                    backfill_unique(row["id"], _field_id(field))
                if "data" in entry:
                    field["data"] = _options(entry["data"])
            else:
                if name_taken(fields, entry["name"]):
                    raise _error(400, f"Field with name '{entry['name']}' already exists")
                field = new_field({**updates, "data": entry.get("data") or []}, order=len(fields), identifier=False)
                if "data" not in entry and field["type"] not in OPTION_TYPES:
                    field.pop("data", None)
                if field["type"] == "TableInTable":
                    create_child_board(org(request), field, entry)
                fields.append(field)
        save_fields(row["id"], fields)
    return JSONResponse({"data": board_out(_board_row(org(request), row["id"]))})
