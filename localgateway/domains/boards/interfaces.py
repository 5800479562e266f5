"""What other domains of the stand-in call in-process (the chat responder, the flow engine)."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from ... import db
from ...errors import ApiError
from .export import export_cell
from .item_store import _fields_by_id, insert_item, item_out, transaction
from .store import _board_row, _field_id, flag
from .values import is_empty, js_string, parse_date, read_value


def _text_value(field: dict, value: Any) -> str:
    value = read_value(field, value)
    kind = field.get("type")
    if kind in ("Date", "Datetime"):
        moment = parse_date(value)
        return moment.strftime("%Y-%m-%d" if kind == "Date" else "%Y-%m-%d %H:%M UTC") if moment else str(value)
    if kind == "Checkbox":
        return "yes" if value is True else "no"
    if isinstance(value, list):
        return ", ".join(js_string(v) for v in value)
    if isinstance(value, dict):
        return export_cell(field, value, ZoneInfo("UTC")) or json.dumps(value, ensure_ascii=False)
    return js_string(value)


def board_item_texts(organization_id: str, board_ids: list[str]) -> list[tuple[str, str]]:
    """Every item of these boards as (``"Board / Item"``, ``"Field: value. ..."``), for the chat responder."""
    texts = []
    for board_id in board_ids:
        board = _board_row(organization_id, board_id)
        if board is None:
            continue
        fields = db.loads(board["fields"]) or []
        identifier = next((f for f in fields if flag(f, "isIdentifier")), fields[0] if fields else None)
        rows = db.conn().execute(
            "SELECT id, fields FROM board_items WHERE board_id = ? ORDER BY created_at DESC, seq DESC", (board_id,)
        )
        for row in rows:
            values = db.loads(row["fields"]) or {}
            parts = []
            for field in fields:
                value = values.get(_field_id(field))
                if is_empty(value):
                    continue
                parts.append(f"{field.get('name')}: {_text_value(field, value)}.")
            title = _text_value(identifier, values.get(_field_id(identifier))) if identifier else ""
            texts.append((f"{board['name']} / {title or row['id']}", " ".join(parts)))
    return texts


def board_item_create(organization_id: str, board_id: str, fields: dict) -> dict:
    """Create an item as ``POST /boards/:id/items`` would; keys may be field ids or names. ValueError if invalid."""
    board = _board_row(organization_id, board_id)
    if board is None:
        raise ValueError(f"Board {board_id} not found")
    by_id = _fields_by_id(board)
    by_name = {f.get("name", "").strip().lower(): field_id for field_id, f in by_id.items()}
    values = {}
    for key, value in fields.items():
        if key in by_id:
            values[key] = value
        elif str(key).strip().lower() in by_name:
            values[by_name[str(key).strip().lower()]] = value
        else:
            raise ValueError(f"Board {board['name']} has no field '{key}'")
    try:
        with transaction():
            row = insert_item(board, {"fields": values, "created_type": "automation"})
    except ApiError as exc:
        raise ValueError(exc.body.get("error") or exc.body.get("message") or "Invalid item") from exc
    return item_out(row, by_id)
