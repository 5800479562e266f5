"""Board items in SQLite: rows, the unique-value index and the FTS body beside them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from ... import db
from ...errors import ApiError
from .schema import CREATED_TYPES
from .store import _field_id, flag
from .validation import _check, _error, type_issue
from .values import is_empty, js_string, process_value, read_value, search_text

# --- Items ----------------------------------------------------------------------------------


def item_out(row: Any, fields_by_id: dict[str, dict], *, flatten: bool = False) -> dict:
    values = {key: read_value(fields_by_id.get(key), value) for key, value in (db.loads(row["fields"]) or {}).items()}
    item: dict[str, Any] = {
        "_id": row["id"],
        "id": row["id"],
        "board_item_id": row["id"],
        "business_unit_id": row["business_unit_id"],
        "organization_id": row["organization_id"],
        "board_id": row["board_id"],
        "created_type": row["created_type"],
        "fields": values,
        "related_board_item_list": [],
        "conversation_ids": [],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if row["created_by"]:
        item["created_by"] = row["created_by"]
    if row["related_board_item_id"]:
        item["related_board_item_id"] = row["related_board_item_id"]
    if flatten:
        for key, value in values.items():
            item.setdefault(key, value)
    return item


def hit_out(row: Any) -> dict:
    return {
        "id": row["id"],
        "business_unit_id": row["business_unit_id"],
        "organization_id": row["organization_id"],
        "board_id": row["board_id"],
        "created_by": row["created_by"],
        "created_type": row["created_type"],
        "fields": db.loads(row["fields"]) or {},
        "related_board_item_id": row["related_board_item_id"],
        "related_board_item_list": [],
        "conversation_ids": [],
        "logo_url": None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _fields_by_id(board_row: Any) -> dict[str, dict]:
    return {_field_id(f): f for f in db.loads(board_row["fields"]) or []}


def _values_from_body(raw: Any) -> dict:
    """``{"fields": {id: v}}`` or ``{"fields": [{"board_field_id", "value"}]}`` as one mapping."""
    if isinstance(raw, dict):
        return dict(raw)
    values = {}
    for entry in raw:
        if isinstance(entry, dict) and entry.get("board_field_id"):
            values[str(entry["board_field_id"])] = entry.get("value")
    return values


def _processed(fields_by_id: dict[str, dict], values: dict, *, failure: str) -> dict:
    result = {}
    for key, value in values.items():
        field = fields_by_id.get(key)
        if field is None:
            result[key] = value
            continue
        try:
            result[key] = process_value(field, value)
        except ValueError as exc:
            raise ApiError(500, {"error": failure, "message": str(exc)}) from exc
    return result


def is_unique(field: dict | None) -> bool:
    return bool(field and field.get("isUniqueIdentifier"))


def check_unique(board_id: str, fields_by_id: dict[str, dict], values: dict, *, except_seq: int | None) -> None:
    """409 when a unique field's value is already on another item (looked up in ``board_item_unique``)."""
    for key, value in values.items():
        field = fields_by_id.get(key)
        if not is_unique(field) or is_empty(value):
            continue
        row = (
            db.conn()
            .execute(
                "SELECT 1 FROM board_item_unique WHERE board_id = ? AND field_id = ? AND value = ? AND item_seq != ?",
                (board_id, key, db.dumps(value), except_seq or -1),
            )
            .fetchone()
        )
        if row is not None:
            raise ApiError(
                409, {"error": f"Value '{js_string(value)}' already exists for unique field '{field['name']}'"}
            )


def index_unique(board_id: str, fields_by_id: dict[str, dict], seq: int, values: dict) -> None:
    """Keep the item's unique values findable without scanning the board."""
    conn = db.conn()
    conn.execute("DELETE FROM board_item_unique WHERE item_seq = ?", (seq,))
    conn.executemany(
        "INSERT INTO board_item_unique (board_id, field_id, value, item_seq) VALUES (?, ?, ?, ?)",
        [
            (board_id, key, db.dumps(value), seq)
            for key, value in values.items()
            if is_unique(fields_by_id.get(key)) and not is_empty(value)
        ],
    )


def backfill_unique(board_id: str, field_id: str) -> None:
    """A field that became unique: index the values its items already hold."""
    conn = db.conn()
    conn.execute("DELETE FROM board_item_unique WHERE board_id = ? AND field_id = ?", (board_id, field_id))
    rows = conn.execute("SELECT seq, fields FROM board_items WHERE board_id = ?", (board_id,)).fetchall()
    entries = []
    for row in rows:
        value = (db.loads(row["fields"]) or {}).get(field_id)
        if not is_empty(value):
            entries.append((board_id, field_id, db.dumps(value), row["seq"]))
    conn.executemany("INSERT INTO board_item_unique (board_id, field_id, value, item_seq) VALUES (?, ?, ?, ?)", entries)


@contextlib.contextmanager
def transaction() -> Iterator[Any]:
    conn = db.conn()
    conn.execute("BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def insert_item(board_row: Any, body: dict, *, now: str | None = None) -> Any:
    """Validate and store one create body (already shape-checked); returns the new row."""
    fields_by_id = _fields_by_id(board_row)
    values = _processed(fields_by_id, _values_from_body(body["fields"]), failure="Failed to create board item")
    for field in fields_by_id.values():
        if flag(field, "isIdentifier") and is_empty(values.get(_field_id(field))):
            raise _error(400, f"Field '{field.get('name')}' is required")
    check_unique(board_row["id"], fields_by_id, values, except_seq=None)
    item_id = db.new_uuid()
    now = now or db.now_iso()
    conn = db.conn()
    cursor = conn.execute(
        "INSERT INTO board_items (id, board_id, organization_id, business_unit_id, created_type, "
        "related_board_item_id, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item_id,
            board_row["id"],
            board_row["organization_id"],
            str(body.get("business_unit_id") or ""),
            body.get("created_type") or "manual",
            body.get("related_board_item_id"),
            db.dumps(values),
            now,
            now,
        ),
    )
    conn.execute("INSERT INTO board_items_fts (rowid, body) VALUES (?, ?)", (cursor.lastrowid, search_text(values)))
    index_unique(board_row["id"], fields_by_id, cursor.lastrowid, values)
    return conn.execute("SELECT * FROM board_items WHERE seq = ?", (cursor.lastrowid,)).fetchone()


ITEM_CREATE_SPEC: dict[str, tuple] = {
    "created_type": (CREATED_TYPES, False),
    "related_board_item_id": ("string", False),
    "contact_id": ("string", False),
    "organization_id": ("string", False),
    "business_unit_id": ("string", False),
}


def item_create_issues(body: Any, path: list) -> list[dict]:
    if not isinstance(body, dict):
        return [type_issue(path, "object", body)]
    issues = _check(body, ITEM_CREATE_SPEC, path)
    raw = body.get("fields")
    if not isinstance(raw, dict | list):
        issues.append(
            {
                "code": "invalid_union",
                "errors": [
                    [type_issue([], "record", raw, missing="fields" not in body)],
                    [type_issue([], "array", raw, missing="fields" not in body)],
                ],
                "path": [*path, "fields"],
                "message": "Invalid input",
            }
        )
    return issues


def item_row(organization_id: str, board_id: str, item_id: str) -> Any:
    row = (
        db.conn()
        .execute(
            "SELECT * FROM board_items WHERE id = ? AND board_id = ? AND organization_id = ?",
            (item_id, board_id, organization_id),
        )
        .fetchone()
    )
    if row is None:
        raise _error(404, f"Board item {item_id} not found")
    return row


def delete_rows(rows: list[Any]) -> None:
    conn = db.conn()
    seqs = [(row["seq"],) for row in rows]
    conn.executemany("DELETE FROM board_items_fts WHERE rowid = ?", seqs)
    conn.executemany("DELETE FROM board_item_unique WHERE item_seq = ?", seqs)
    conn.executemany("DELETE FROM board_items WHERE seq = ?", seqs)


def sort_clause(sort: str) -> str:
    """``-created_at,fields.<id>`` as SQL; unknown keys are ignored."""
    parts = []
    for token in (t.strip() for t in sort.split(",")):
        descending = token.startswith("-")
        key = token.lstrip("-+")
        direction = "DESC" if descending else "ASC"
        if key in ("created_at", "updated_at"):
            parts.append(f"{key} {direction}")
        elif key.startswith("fields.") and re.fullmatch(r"[\w-]+", key[7:]):
            parts.append(f"json_extract(fields, '$.\"{key[7:]}\"') {direction}")
    if not parts:
        parts = ["created_at DESC"]
    tiebreak = "DESC" if parts[0].endswith("DESC") else "ASC"
    return ", ".join(parts) + f", seq {tiebreak}"
