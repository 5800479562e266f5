"""Boards and their field definitions in SQLite (one JSON list of fields per board, as the service keeps them)."""

from __future__ import annotations

import os
import re
from typing import Any

from ... import db
from ...errors import ApiError
from .schema import OPTION_TYPES
from .validation import _error

# --- Fields ---------------------------------------------------------------------------------


def flag(field: dict, camel: str) -> bool:
    """A field flag in either spelling (``isIdentifier`` or ``is_identifier``)."""
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    value = field.get(camel)
    return bool(field.get(snake) if value is None else value)


def _field_id(field: dict) -> str:
    return str(field.get("id") or field.get("_id") or "")


def _snake_flags() -> bool:
    return os.environ.get("LOCALGATEWAY_BOARD_FIELD_FLAGS", "camel").lower() == "snake"


def _options(data: list | None) -> list[dict]:
    options = []
    for index, option in enumerate(data or []):
        option_id = str(option.get("id") or option.get("_id") or db.new_uuid())
        stored = {"id": option_id, "_id": option_id, "value": str(option.get("value", "")).strip()}
        if option.get("color") is not None:
            stored["color"] = option["color"]
        stored["order"] = option.get("order", index)
        options.append(stored)
    return options


def new_field(body: dict, *, order: int, identifier: bool) -> dict:
    field_id = db.new_uuid()
    unique = bool(body.get("isUniqueIdentifier", False))
    field: dict[str, Any] = {"id": field_id, "_id": field_id, "name": body["name"]}
    if body.get("description"):
        field["description"] = body["description"]
    field["type"] = body["type"]
    if _snake_flags():
        field.update({"is_unique_identifier": unique, "is_default": False, "is_identifier": identifier and unique})
        field.update({"hidden": False, "hidden_on_record": False})
    else:
        field.update({"isUniqueIdentifier": unique, "isDefault": False, "hidden": False, "hiddenOnRecord": False})
        field["isIdentifier"] = identifier and unique
    if "data" in body or body["type"] in OPTION_TYPES:
        field["data"] = _options(body.get("data"))
    if body.get("settings") is not None:
        field["settings"] = body["settings"]
    if body.get("role"):
        field["role"] = body["role"]
    field["isDeprecated"] = False
    field["order"] = order
    return field


def name_taken(fields: list[dict], name: str, *, except_id: str = "") -> bool:
    return any(f.get("name", "").strip().lower() == name.strip().lower() and _field_id(f) != except_id for f in fields)


def field_public(field: dict) -> dict:
    field_id = _field_id(field)
    return {**field, "id": field_id, "_id": field_id}


# --- Boards ---------------------------------------------------------------------------------


def _board_row(organization_id: str, board_id: str) -> Any:
    return (
        db.conn()
        .execute("SELECT * FROM boards WHERE id = ? AND organization_id = ?", (board_id, organization_id))
        .fetchone()
    )


def require_board(organization_id: str, board_id: str) -> Any:
    row = _board_row(organization_id, board_id)
    if row is None:
        raise _error(404, f"Board {board_id} not found")
    return row


def board_out(row: Any, *, items_count: int | None = None) -> dict:
    fields = [field_public(f) for f in db.loads(row["fields"]) or []]
    for field in fields:
        if field.get("type") == "TableInTable":
            child = db.conn().execute("SELECT fields FROM boards WHERE id = ?", (_field_id(field),)).fetchone()
            field["child_board_fields"] = db.loads(child["fields"]) if child else []
    managers = db.loads(row["managers"]) or []
    board: dict[str, Any] = {
        "_id": row["id"],
        "id": row["id"],
        "business_unit_id": row["business_unit_id"],
        "organization_id": row["organization_id"],
        "name": row["name"],
    }
    if row["description"]:
        board["description"] = row["description"]
    board.update(
        {
            "type": row["type"],
            "order": row["sort_order"],
            "hidden": bool(row["hidden"]),
            "fields": fields,
            "managers": managers,
            "team_ids": [m.get("teamId") for m in managers if isinstance(m, dict) and m.get("teamId")],
            "show_id": bool(row["show_id"]),
            "is_child_table": bool(row["is_child_table"]),
            "attached_from": None,
            "from_schema_id": None,
            "category_id": row["category_id"],
        }
    )
    if row["journey"]:
        board["journey"] = db.loads(row["journey"])
    board["created_at"] = row["created_at"]
    board["updated_at"] = row["updated_at"]
    if items_count is not None:
        board["items_count"] = items_count
    return board


def _managers(raw: list) -> list[dict]:
    managers = []
    for manager in raw:
        if isinstance(manager, dict):
            permissions = dict(manager.get("permissions") or {})
            permissions["manageFields"] = bool(permissions.get("write"))
            managers.append({**manager, "permissions": permissions})
    return managers


def insert_board(organization_id: str, body: dict, *, child: bool = False) -> str:
    """Store a validated create body; returns the new board id. TableInTable fields get child boards."""
    conn = db.conn()
    name = body["name"]
    if not name.strip():
        raise _error(400, "Board name is required")
    if len(name) > 255:
        raise ApiError(
            500, {"error": "Failed to create board", "message": "value too long for type character varying(255)"}
        )
    definitions = list(body.get("fields") or [])
    if not definitions and os.environ.get("LOCALGATEWAY_BOARD_AUTO_NAME_FIELD", "") in ("1", "true"):
        definitions = [{"name": "Name", "type": "ShortText", "isUniqueIdentifier": True}]
    seen: set[str] = set()
    for definition in definitions:
        key = definition["name"].strip().lower()
        if key in seen:
            raise _error(400, f"Field with name '{definition['name']}' already exists")
        seen.add(key)
    if sum(1 for d in definitions if d.get("isUniqueIdentifier")) > 1:
        raise _error(400, "Board can only have one unique identifier field")
    fields = [new_field(d, order=i, identifier=True) for i, d in enumerate(definitions)]
    board_id = db.new_uuid()
    now = db.now_iso()
    if "order" in body:
        order = int(body["order"])
    else:
        order = conn.execute("SELECT COUNT(*) FROM boards WHERE organization_id = ?", (organization_id,)).fetchone()[0]
    conn.execute(
        "INSERT INTO boards (id, organization_id, name, description, type, sort_order, hidden, fields, managers, "
        "show_id, is_child_table, category_id, journey, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            board_id,
            organization_id,
            name,
            body.get("description") or None,
            body.get("type", "General"),
            order,
            int(bool(body.get("hidden", child))),
            db.dumps(fields),
            db.dumps(_managers(body.get("managers") or [])),
            int(bool(body.get("show_id", False))),
            int(bool(body.get("is_child_table", child))),
            body.get("category"),
            db.dumps(body["journey"]) if body.get("journey") else None,
            now,
            now,
        ),
    )
    for definition, field in zip(definitions, fields, strict=True):
        if field["type"] == "TableInTable":
            create_child_board(organization_id, field, definition)
    if any(f["type"] == "TableInTable" for f in fields):
        conn.execute("UPDATE boards SET fields = ? WHERE id = ?", (db.dumps(fields), board_id))
    return board_id


def create_child_board(organization_id: str, field: dict, definition: dict) -> None:
    """A TableInTable field's hidden child board; the field takes the child board's id."""
    child_id = insert_board(
        organization_id,
        {"name": definition.get("child_board_name") or field["name"], "fields": definition.get("fields") or []},
        child=True,
    )
    field["id"] = field["_id"] = child_id


def save_fields(board_id: str, fields: list[dict]) -> None:
    db.conn().execute(
        "UPDATE boards SET fields = ?, updated_at = ? WHERE id = ?", (db.dumps(fields), db.now_iso(), board_id)
    )


def _items_count(board_ids: list[str]) -> dict[str, int]:
    if not board_ids:
        return {}
    marks = ",".join("?" * len(board_ids))
    rows = db.conn().execute(
        f"SELECT board_id, COUNT(*) AS n FROM board_items WHERE board_id IN ({marks}) GROUP BY board_id",  # noqa: S608
        board_ids,
    )
    return {row["board_id"]: row["n"] for row in rows}
