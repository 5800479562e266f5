"""data-board: boards, fields, items, search and CSV export (docs/contract/data-board.md).

Boards keep their field definitions as one JSON list, as the service does.
Items keep their values in a JSON object keyed by field id, with a porter-stemmed
FTS5 index beside them for ``POST /search/:boardId`` (whole words, all words).
By-id routes are scoped to the caller's organisation: the real service does not
check it, which is a hole the stand-in does not reproduce.

Two open points of the contract are switches (traps.md#open-questions), read from the environment:
``LOCALGATEWAY_BOARD_AUTO_NAME_FIELD=1`` gives a new board the legacy ``Name``
identifier field, and ``LOCALGATEWAY_BOARD_FIELD_FLAGS=snake`` stores new field
flags as ``is_identifier``/``is_unique_identifier``/``is_default``.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import io
import json
import math
import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute

from .. import db
from ..config import Config
from ..routing import DATA_BOARD, under

SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    business_unit_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    description TEXT,
    type TEXT NOT NULL DEFAULT 'General',
    sort_order INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    fields TEXT NOT NULL DEFAULT '[]',
    managers TEXT NOT NULL DEFAULT '[]',
    show_id INTEGER NOT NULL DEFAULT 0,
    is_child_table INTEGER NOT NULL DEFAULT 0,
    category_id TEXT,
    journey TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS boards_org_order ON boards (organization_id, sort_order, created_at);
CREATE TABLE IF NOT EXISTS board_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    board_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    business_unit_id TEXT NOT NULL DEFAULT '',
    created_type TEXT NOT NULL DEFAULT 'manual',
    created_by TEXT,
    related_board_item_id TEXT,
    fields TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS board_items_board_created ON board_items (board_id, created_at, seq);
CREATE INDEX IF NOT EXISTS board_items_board_updated ON board_items (board_id, updated_at, seq);
CREATE VIRTUAL TABLE IF NOT EXISTS board_items_fts USING fts5(body, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS board_item_unique (
    board_id TEXT NOT NULL,
    field_id TEXT NOT NULL,
    value TEXT NOT NULL,
    item_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS board_item_unique_value ON board_item_unique (board_id, field_id, value);
CREATE INDEX IF NOT EXISTS board_item_unique_item ON board_item_unique (item_seq);
"""

BOARD_TYPES = [
    "Contacts",
    "Companies",
    "Opportunities",
    "OptOut",
    "Tasks",
    "System",
    "General",
    "KnowledgeHub",
    "DocumentAI",
]
FIELD_TYPES = [
    "ShortText",
    "LongText",
    "Number",
    "Email",
    "Phone",
    "Date",
    "Datetime",
    "Time",
    "SingleSelection",
    "MultipleSelection",
    "Assignee",
    "MultipleAssignee",
    "Priority",
    "Currency",
    "Link",
    "Attachment",
    "Notes",
    "Country",
    "Origin",
    "MapToBoard",
    "TableInTable",
    "Checkbox",
    "Formula",
    "Rating",
]
OPTION_TYPES = {"SingleSelection", "MultipleSelection", "Priority", "MapToBoard", "TableInTable"}
CREATED_TYPES = ["manual", "import", "api", "automation", "system"]
TIMESTAMP_HEADERS = ["Record Created On", "Lasted Updated On"]
NOTES_PLACEHOLDER = "(the field format is not supported in export)"
# Postgres' english configuration drops these words from both the document and the query.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    }
)
COUNTRIES = {
    "AE": "United Arab Emirates",
    "AU": "Australia",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CN": "China",
    "DE": "Germany",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "HK": "Hong Kong",
    "ID": "Indonesia",
    "IN": "India",
    "IT": "Italy",
    "JP": "Japan",
    "KR": "South Korea",
    "MO": "Macao",
    "MX": "Mexico",
    "MY": "Malaysia",
    "NL": "Netherlands",
    "NZ": "New Zealand",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "TW": "Taiwan",
    "US": "United States",
    "VN": "Vietnam",
}
_SCRIPT_TAG = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_EVENT_ATTR = re.compile(r"\s+on\w+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)


class ApiError(Exception):
    """An answer other than success: ``status`` and the service's JSON body."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(body)
        self.status = status
        self.body = body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, self.status)


def _error(status: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status, {"error": message, **extra})


# --- Zod-shaped validation ------------------------------------------------------------------


def _received(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "NaN" if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_issue(path: list, expected: str, value: Any, *, missing: bool = False) -> dict:
    received = "undefined" if missing else _received(value)
    return {
        "expected": expected,
        "code": "invalid_type",
        "path": path,
        "message": f"Invalid input: expected {expected}, received {received}",
    }


def _zod(issues: list[dict]) -> ApiError:
    return ApiError(400, {"success": False, "error": {"name": "ZodError", "message": json.dumps(issues, indent=2)}})


_KIND_EXPECTED = {"string": "string", "bool": "boolean", "number": "number", "object": "record", "array": "array"}


def _check(body: dict, spec: dict[str, tuple[str, bool]], path: list | None = None) -> list[dict]:
    """Issues for ``body`` against ``{key: (kind, required)}``; kinds: string, name, bool, number,
    object, array, strings, or ``enum`` lists given as a list."""
    path = path or []
    issues: list[dict] = []
    for key, (kind, required) in spec.items():
        here = [*path, key]
        if key not in body:
            if required:
                expected = "string" if kind in ("name",) or isinstance(kind, list) else _KIND_EXPECTED.get(kind, kind)
                issues.append(_type_issue(here, expected, None, missing=True))
            continue
        value = body[key]
        if isinstance(kind, list):
            if value not in kind:
                issues.append(
                    {
                        "code": "invalid_value",
                        "values": kind,
                        "path": here,
                        "message": "Invalid option: expected one of " + "|".join(f'"{v}"' for v in kind),
                    }
                )
        elif kind in ("string", "name"):
            if not isinstance(value, str):
                issues.append(_type_issue(here, "string", value))
            elif kind == "name" and len(value) < 1:
                issues.append(
                    {
                        "origin": "string",
                        "code": "too_small",
                        "minimum": 1,
                        "inclusive": True,
                        "path": here,
                        "message": "Too small: expected string to have >=1 characters",
                    }
                )
        elif kind == "nullable_string":
            if value is not None and not isinstance(value, str):
                issues.append(_type_issue(here, "string", value))
        elif kind == "bool":
            if not isinstance(value, bool):
                issues.append(_type_issue(here, "boolean", value))
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                issues.append(_type_issue(here, "number", value))
        elif kind == "object":
            if not isinstance(value, dict):
                issues.append(_type_issue(here, "record", value))
        elif kind == "array":
            if not isinstance(value, list):
                issues.append(_type_issue(here, "array", value))
        elif kind == "strings":
            if not isinstance(value, list):
                issues.append(_type_issue(here, "array", value))
            else:
                issues.extend(
                    _type_issue([*here, i], "string", v) for i, v in enumerate(value) if not isinstance(v, str)
                )
    return issues


FIELD_SPEC: dict[str, tuple] = {
    "name": ("name", True),
    "type": (FIELD_TYPES, True),
    "description": ("string", False),
    "isUniqueIdentifier": ("bool", False),
    "isDefault": ("bool", False),
    "data": ("array", False),
    "settings": ("object", False),
    "fields": ("array", False),
    "role": ("string", False),
}
FIELD_UPDATE_SPEC: dict[str, tuple] = {
    "name": ("string", False),
    "description": ("string", False),
    "type": (FIELD_TYPES, False),
    "isUniqueIdentifier": ("bool", False),
    "isDefault": ("bool", False),
    "hidden": ("bool", False),
    "hiddenOnRecord": ("bool", False),
    "settings": ("object", False),
    "data": ("array", False),
    "promptAI": ("string", False),
    "isDeprecated": ("bool", False),
    "role": ("string", False),
}
OPTION_SPEC: dict[str, tuple] = {
    "id": ("string", False),
    "value": ("string", True),
    "color": ("string", False),
    "order": ("number", False),
}
BOARD_SPEC: dict[str, tuple] = {
    "name": ("name", True),
    "description": ("string", False),
    "type": (BOARD_TYPES, False),
    "hidden": ("bool", False),
    "fields": ("array", False),
    "team_ids": ("strings", False),
    "managers": ("array", False),
    "journey": ("object", False),
    "order": ("number", False),
    "show_id": ("bool", False),
    "is_child_table": ("bool", False),
    "category": ("nullable_string", False),
}


def _check_field(body: Any, path: list, spec: dict) -> list[dict]:
    if not isinstance(body, dict):
        return [_type_issue(path, "object", body)]
    issues = _check(body, spec, path)
    for index, option in enumerate(body.get("data") or [] if isinstance(body.get("data"), list) else []):
        if not isinstance(option, dict):
            issues.append(_type_issue([*path, "data", index], "object", option))
        else:
            issues.extend(_check(option, OPTION_SPEC, [*path, "data", index]))
    return issues


async def _json_body(request: Request) -> dict:
    """The body as the service sees it: ``{}`` unless sent as JSON; malformed JSON is a 500."""
    if "application/json" not in request.headers.get("content-type", ""):
        return {}
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(500, {"success": False, "error": {"message": "Internal server error"}}) from exc
    return body if isinstance(body, dict) else {}


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


def _new_field(body: dict, *, order: int, identifier: bool) -> dict:
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


def _name_taken(fields: list[dict], name: str, *, except_id: str = "") -> bool:
    return any(f.get("name", "").strip().lower() == name.strip().lower() and _field_id(f) != except_id for f in fields)


def _field_public(field: dict) -> dict:
    field_id = _field_id(field)
    return {**field, "id": field_id, "_id": field_id}


# --- Boards ---------------------------------------------------------------------------------


def _board_row(organization_id: str, board_id: str) -> Any:
    return (
        db.conn()
        .execute("SELECT * FROM boards WHERE id = ? AND organization_id = ?", (board_id, organization_id))
        .fetchone()
    )


def _require_board(organization_id: str, board_id: str) -> Any:
    row = _board_row(organization_id, board_id)
    if row is None:
        raise _error(404, f"Board {board_id} not found")
    return row


def _board_out(row: Any, *, items_count: int | None = None) -> dict:
    fields = [_field_public(f) for f in db.loads(row["fields"]) or []]
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


def _insert_board(organization_id: str, body: dict, *, child: bool = False) -> str:
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
    fields = [_new_field(d, order=i, identifier=True) for i, d in enumerate(definitions)]
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
            _create_child_board(organization_id, field, definition)
    if any(f["type"] == "TableInTable" for f in fields):
        conn.execute("UPDATE boards SET fields = ? WHERE id = ?", (db.dumps(fields), board_id))
    return board_id


def _create_child_board(organization_id: str, field: dict, definition: dict) -> None:
    """A TableInTable field's hidden child board; the field takes the child board's id."""
    child_id = _insert_board(
        organization_id,
        {"name": definition.get("child_board_name") or field["name"], "fields": definition.get("fields") or []},
        child=True,
    )
    field["id"] = field["_id"] = child_id


def _save_fields(board_id: str, fields: list[dict]) -> None:
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


# --- Item values ----------------------------------------------------------------------------


def _js_number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _parse_float(value: Any) -> float | None:
    """JavaScript's ``parseFloat``: the longest numeric prefix, else NaN (None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else float(value)
    match = re.match(r"\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)", str(value))
    return float(match.group(1)) if match else None


def parse_date(value: Any) -> datetime | None:
    """``new Date(v)`` for the shapes clients send: epoch ms, ISO dates and datetimes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00Z"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _clean_text(value: Any) -> str:
    text = value if isinstance(value, str) else _js_string(value)
    return _EVENT_ATTR.sub("", _SCRIPT_TAG.sub("", text)).strip()


def _js_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(_js_number(value))
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join(_js_string(v) for v in value)
    return str(value)


def _option_match(field: dict, value: Any) -> bool:
    text = str(value).strip()
    return any(text in (o.get("id"), o.get("_id"), str(o.get("value", "")).strip()) for o in field.get("data") or [])


def _attachment(value: Any) -> list[dict]:
    entries: list[Any] = []
    for part in value if isinstance(value, list) else [value]:
        if isinstance(part, str):
            entries.extend(url.strip() for url in part.split(";") if url.strip())
        elif isinstance(part, dict):
            entries.append(part)
    result = []
    for entry in entries:
        if isinstance(entry, str):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            result.append({"type": "url", "data": {"name": name, "url": entry}})
        elif "type" in entry and isinstance(entry.get("data"), dict):
            result.append(entry)
        else:
            keys = ("name", "url", "key", "uploader", "user_id", "uploadDate", "extension")
            result.append({"type": "file", "data": {k: entry[k] for k in keys if k in entry}})
    return result


def process_value(field: dict, value: Any) -> Any:
    """What the service stores for one field's value (data-board.md#items); raises ApiError for invalid options."""
    if value is None or value == "":
        return None
    kind = field.get("type")
    settings = field.get("settings") or {}
    if kind in ("ShortText", "LongText", "Notes"):
        return _clean_text(value)
    if kind == "Email":
        return _js_string(value).strip().lower()
    if kind == "Number":
        number = _parse_float(value)
        return None if number is None else _js_number(number)
    if kind == "Checkbox":
        return value is True or value == "true"
    if kind in ("Date", "Datetime"):
        moment = parse_date(value)
        if moment is None:
            raise ValueError("Invalid time value")
        return iso(moment)
    if kind == "Phone":
        if isinstance(value, dict):
            return value
        digits = re.sub(r"\D", "", _js_string(value))
        code = re.sub(r"\D", "", str(settings.get("countryCode") or ""))
        if code and not _js_string(value).strip().startswith("+"):
            digits = code + digits
        return "+" + digits
    if kind == "Country":
        if isinstance(value, dict):
            return value
        code = _js_string(value).strip().upper()
        return {"country_code": code, "country_name": COUNTRIES.get(code, code)}
    if kind == "Currency":
        if isinstance(value, dict):
            amount = _parse_float(value.get("amounts"))
            return {**value, "amounts": None if amount is None else _js_number(amount)}
        amount = _parse_float(value)
        code = settings.get("default_currency_code")
        return {"amounts": None if amount is None else _js_number(amount), "currency_code": code or None}
    if kind == "Link":
        return _js_string(value).strip()
    if kind == "Attachment":
        return _attachment(value)
    if kind == "SingleSelection":
        if field.get("data") and not _option_match(field, value):
            raise _error(400, f"Field '{field.get('name')}': Invalid option selected")
        return value
    if kind == "MultipleSelection":
        if not isinstance(value, list):
            raise _error(400, f"Field '{field.get('name')}': Invalid options selected")
        if field.get("data") and not all(_option_match(field, v) for v in value):
            raise _error(400, f"Field '{field.get('name')}': Invalid options selected")
        return value
    return value


def _label(field: dict, value: Any) -> Any:
    for option in field.get("data") or []:
        if value in (option.get("id"), option.get("_id")):
            return option.get("value")
    return value


def read_value(field: dict | None, value: Any) -> Any:
    """A stored value as item reads return it: selection ids become their labels."""
    if field is None or value is None:
        return value
    if field.get("type") in ("SingleSelection", "Priority"):
        return _label(field, value)
    if field.get("type") == "MultipleSelection" and isinstance(value, list):
        return [_label(field, v) for v in value]
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _search_text(values: dict) -> str:
    parts = []
    for value in values.values():
        if value is None:
            continue
        parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return " ".join(parts)


# --- Items ----------------------------------------------------------------------------------


def _item_out(row: Any, fields_by_id: dict[str, dict], *, flatten: bool = False) -> dict:
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


def _hit_out(row: Any) -> dict:
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


def _is_unique(field: dict | None) -> bool:
    return bool(field and field.get("isUniqueIdentifier"))


def _check_unique(board_id: str, fields_by_id: dict[str, dict], values: dict, *, except_seq: int | None) -> None:
    """409 when a unique field's value is already on another item (looked up in ``board_item_unique``)."""
    for key, value in values.items():
        field = fields_by_id.get(key)
        if not _is_unique(field) or _is_empty(value):
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
                409, {"error": f"Value '{_js_string(value)}' already exists for unique field '{field['name']}'"}
            )


def _index_unique(board_id: str, fields_by_id: dict[str, dict], seq: int, values: dict) -> None:
    """Keep the item's unique values findable without scanning the board."""
    conn = db.conn()
    conn.execute("DELETE FROM board_item_unique WHERE item_seq = ?", (seq,))
    conn.executemany(
        "INSERT INTO board_item_unique (board_id, field_id, value, item_seq) VALUES (?, ?, ?, ?)",
        [
            (board_id, key, db.dumps(value), seq)
            for key, value in values.items()
            if _is_unique(fields_by_id.get(key)) and not _is_empty(value)
        ],
    )


def _backfill_unique(board_id: str, field_id: str) -> None:
    """A field that became unique: index the values its items already hold."""
    conn = db.conn()
    conn.execute("DELETE FROM board_item_unique WHERE board_id = ? AND field_id = ?", (board_id, field_id))
    rows = conn.execute("SELECT seq, fields FROM board_items WHERE board_id = ?", (board_id,)).fetchall()
    entries = []
    for row in rows:
        value = (db.loads(row["fields"]) or {}).get(field_id)
        if not _is_empty(value):
            entries.append((board_id, field_id, db.dumps(value), row["seq"]))
    conn.executemany("INSERT INTO board_item_unique (board_id, field_id, value, item_seq) VALUES (?, ?, ?, ?)", entries)


@contextlib.contextmanager
def _transaction() -> Iterator[Any]:
    conn = db.conn()
    conn.execute("BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _insert_item(board_row: Any, body: dict, *, now: str | None = None) -> Any:
    """Validate and store one create body (already shape-checked); returns the new row."""
    fields_by_id = _fields_by_id(board_row)
    values = _processed(fields_by_id, _values_from_body(body["fields"]), failure="Failed to create board item")
    for field in fields_by_id.values():
        if flag(field, "isIdentifier") and _is_empty(values.get(_field_id(field))):
            raise _error(400, f"Field '{field.get('name')}' is required")
    _check_unique(board_row["id"], fields_by_id, values, except_seq=None)
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
    conn.execute("INSERT INTO board_items_fts (rowid, body) VALUES (?, ?)", (cursor.lastrowid, _search_text(values)))
    _index_unique(board_row["id"], fields_by_id, cursor.lastrowid, values)
    return conn.execute("SELECT * FROM board_items WHERE seq = ?", (cursor.lastrowid,)).fetchone()


ITEM_CREATE_SPEC: dict[str, tuple] = {
    "created_type": (CREATED_TYPES, False),
    "related_board_item_id": ("string", False),
    "contact_id": ("string", False),
    "organization_id": ("string", False),
    "business_unit_id": ("string", False),
}


def _item_create_issues(body: Any, path: list) -> list[dict]:
    if not isinstance(body, dict):
        return [_type_issue(path, "object", body)]
    issues = _check(body, ITEM_CREATE_SPEC, path)
    raw = body.get("fields")
    if not isinstance(raw, dict | list):
        issues.append(
            {
                "code": "invalid_union",
                "errors": [
                    [_type_issue([], "record", raw, missing="fields" not in body)],
                    [_type_issue([], "array", raw, missing="fields" not in body)],
                ],
                "path": [*path, "fields"],
                "message": "Invalid input",
            }
        )
    return issues


def _item_row(organization_id: str, board_id: str, item_id: str) -> Any:
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


def _delete_rows(rows: list[Any]) -> None:
    conn = db.conn()
    seqs = [(row["seq"],) for row in rows]
    conn.executemany("DELETE FROM board_items_fts WHERE rowid = ?", seqs)
    conn.executemany("DELETE FROM board_item_unique WHERE item_seq = ?", seqs)
    conn.executemany("DELETE FROM board_items WHERE seq = ?", seqs)


def _sort_clause(sort: str) -> str:
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


# --- Search ---------------------------------------------------------------------------------

_FILTER_CLAUSE = re.compile(
    r"\s*(fields_timestamp\.[\w-]+|fields\.[\w-]+|created_at|updated_at|id)\s*(=|!=|>=|<=|>|<)\s*"
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\d+(?:\.\d+)?|true|false)\s*",
    re.IGNORECASE,
)


def _filter_sql(text: str) -> tuple[str, list]:
    """A small subset of the Meilisearch-style filter: clauses joined with AND."""
    clauses, params = [], []
    for part in re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE):
        match = _FILTER_CLAUSE.fullmatch(part)
        if match is None:
            raise ValueError(f"Unsupported filter expression: {part}")
        key, op, raw = match.groups()
        if raw[0] in "'\"":
            value: Any = raw[1:-1]
        elif raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            value = float(raw)
        if key.startswith("fields_timestamp."):
            column = f"CAST(strftime('%s', json_extract(fields, '$.\"{key[17:]}\"')) AS INTEGER) * 1000"
        elif key.startswith("fields."):
            column = f"json_extract(fields, '$.\"{key[7:]}\"')"
        elif key in ("created_at", "updated_at") and isinstance(value, float):
            column = f"CAST(strftime('%s', {key}) AS INTEGER) * 1000"
        else:
            column = key
        clauses.append(f"{column} {'!=' if op == '!=' else op} ?")
        params.append(int(value) if isinstance(value, bool) else value)
    return " AND ".join(clauses), params


def _fts_query(q: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(q)]
    words = [w for w in words if w not in STOP_WORDS]
    if not words:
        return None
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def search_items(
    organization_id: str, board_id: str, *, q: str = "", filter_text: str = "", sort: list[str], limit: int, offset: int
) -> tuple[list[dict], int]:
    """Hits and exact total for one board (data-board.md#search)."""
    conn = db.conn()
    where = ["i.board_id = ?", "i.organization_id = ?"]
    params: list[Any] = [board_id, organization_id]
    source, head, head_params = "board_items i", "", []
    ranked = False
    if q.strip():
        match = _fts_query(q)
        if match is None:
            return [], 0
        # The word index drives the query (CROSS JOIN keeps that order): probing it row by row is slow.
        head = (
            "WITH hits AS (SELECT rowid AS seq, bm25(board_items_fts) AS score "
            "FROM board_items_fts WHERE board_items_fts MATCH ?) "
        )
        head_params = [match]
        source = "hits CROSS JOIN board_items i ON i.seq = hits.seq"
        ranked = not sort
    if filter_text.strip():
        clause, extra = _filter_sql(filter_text)
        where.append(clause.replace("json_extract(fields", "json_extract(i.fields"))
        params.extend(extra)
    condition = " AND ".join(where)
    total = conn.execute(
        f"{head}SELECT COUNT(*) FROM {source} WHERE {condition}",  # noqa: S608
        [*head_params, *params],
    ).fetchone()[0]
    if ranked:
        order = "hits.score, i.created_at DESC"
    elif sort:
        order = _sort_clause(",".join(("-" if s.endswith(":desc") else "") + s.rsplit(":", 1)[0] for s in sort))
    else:
        order = "i.created_at DESC, i.seq DESC"
    order = re.sub(r"(?<![\w.])(created_at|updated_at|seq)\b", r"i.\1", order).replace("(fields", "(i.fields")
    rows = conn.execute(
        f"{head}SELECT i.* FROM {source} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
        [*head_params, *params, limit, offset],
    ).fetchall()
    return [_hit_out(row) for row in rows], total


# --- CSV export -----------------------------------------------------------------------------


def _months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _day_bound(text: str, zone: ZoneInfo, *, end: bool) -> datetime:
    moment = parse_date(text)
    if moment is None:
        raise ValueError(f"Invalid date: {text}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        local = datetime.fromisoformat(text.strip()).replace(tzinfo=zone)
        moment = local + timedelta(days=1) - timedelta(milliseconds=1) if end else local
    return moment.astimezone(UTC)


def export_window(
    params: dict[str, str], zone: ZoneInfo, now: datetime
) -> tuple[datetime | None, datetime | None, str]:
    """The range an export covers and its filename part (``all``, ``YYYYMMDD-YYYYMMDD``, ``begin-…``)."""

    def day(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y%m%d")

    if params.get("all") in ("true", "1"):
        return None, None, "all"
    start: datetime | None
    end: datetime | None
    if params.get("quick_range"):
        spans = {"week": None, "month": 1, "3months": 3, "6months": 6, "12months": 12}
        if params["quick_range"] not in spans:
            raise ValueError(f"Invalid quick_range: {params['quick_range']}")
        months = spans[params["quick_range"]]
        start, end = (now - timedelta(days=7) if months is None else _months_before(now, months)), now
    elif params.get("start_date") or params.get("end_date"):
        start = _day_bound(params["start_date"], zone, end=False) if params.get("start_date") else None
        end = _day_bound(params["end_date"], zone, end=True) if params.get("end_date") else now
    elif params.get("time"):
        moment = parse_date(params["time"])
        if moment is None:
            raise ValueError(f"Invalid time: {params['time']}")
        local = moment.astimezone(zone)
        first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        last_day = calendar.monthrange(first.year, first.month)[1]
        start = first.astimezone(UTC)
        end = (first.replace(day=last_day) + timedelta(days=1) - timedelta(milliseconds=1)).astimezone(UTC)
    else:
        start, end = _months_before(now, 1), now
    label = f"{day(start)}-{day(end)}" if start is not None else f"begin-{day(end)}"
    return start, end, label


def _stamp(value: str | None, zone: ZoneInfo, fmt: str = "%m/%d/%Y %H:%M") -> str:
    moment = parse_date(value) if value else None
    return moment.astimezone(zone).strftime(fmt) if moment else ""


def _currency(value: Any) -> str:
    if not isinstance(value, dict):
        return _js_string(value)
    amount = _parse_float(value.get("amounts"))
    if amount is None:
        return ""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    code = value.get("currency_code")
    return f"{code} {text}" if code else text


def export_cell(field: dict, value: Any, zone: ZoneInfo) -> str:
    """One value as the export writes it (data-board.md#csv-export)."""
    kind = field.get("type")
    if kind == "Notes":
        return NOTES_PLACEHOLDER
    if value is None or value == "":
        return ""
    if kind == "Attachment":
        return "; ".join(str((a.get("data") or {}).get("url", "")) for a in value if isinstance(a, dict))
    if kind == "Origin":
        return str((value.get("data") or {}).get("name", "")) if isinstance(value, dict) else _js_string(value)
    if kind == "Assignee":
        return str(value.get("display_name", "")) if isinstance(value, dict) else _js_string(value)
    if kind == "Phone":
        return str(value.get("calling_code_with_number", "")) if isinstance(value, dict) else _js_string(value)
    if kind == "Country":
        return str(value.get("country_name", "")) if isinstance(value, dict) else _js_string(value)
    if kind == "Date":
        return _stamp(value, ZoneInfo("UTC"), "%m/%d/%Y")
    if kind == "Datetime":
        return _stamp(value, zone)
    if kind == "Time":
        return _stamp(value, zone, "%H:%M") if parse_date(value) else _js_string(value)
    if kind == "MultipleSelection":
        return ", ".join(_js_string(_label(field, v)) for v in value) if isinstance(value, list) else _js_string(value)
    if kind == "Currency":
        return _currency(value)
    if kind == "Checkbox":
        return "Checked" if value is True else "Not checked"
    return _js_string(value)


def _csv_line(cells: list[str]) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)


# --- Routes ---------------------------------------------------------------------------------


def _org(request: Request) -> str:
    return request.state.identity.organization_id


def _handle(endpoint):
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as exc:
            return exc.response()

    return wrapped


def _int_param(value: str | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except ValueError:
        return None


def _bounded(name: str, raw: str | None, default: int, *, minimum: int, maximum: int | None) -> int:
    """A Zod-coerced integer query/body value within bounds, else the 400."""
    value = _int_param(raw, default)
    if value is None:
        raise _zod([_type_issue([name], "number", float("nan"))])
    if value < minimum:
        raise _zod(
            [
                {
                    "origin": "number",
                    "code": "too_small",
                    "minimum": minimum,
                    "inclusive": True,
                    "path": [name],
                    "message": f"Too small: expected number to be >={minimum}",
                }
            ]
        )
    if maximum is not None and value > maximum:
        raise _zod(
            [
                {
                    "origin": "number",
                    "code": "too_big",
                    "maximum": maximum,
                    "inclusive": True,
                    "path": [name],
                    "message": f"Too big: expected number to be <={maximum}",
                }
            ]
        )
    return value


async def list_boards(request: Request) -> Response:
    params = request.query_params
    limit = _int_param(params.get("limit"), 100)
    limit = 100 if limit is None or limit < 0 else min(limit, 500)
    skip = max(_int_param(params.get("skip"), 0) or 0, 0)
    where, args = ["organization_id = ?"], [_org(request)]
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
    data = [_board_out(row, items_count=counts.get(row["id"], 0)) for row in rows]
    return JSONResponse({"data": data, "total": total, "count": len(data)})


async def create_board(request: Request) -> Response:
    body = await _json_body(request)
    issues = _check(body, BOARD_SPEC)
    for index, definition in enumerate(body.get("fields") or [] if isinstance(body.get("fields"), list) else []):
        issues.extend(_check_field(definition, ["fields", index], FIELD_SPEC))
    if issues:
        raise _zod(issues)
    with _transaction():
        board_id = _insert_board(_org(request), body)
    return JSONResponse({"data": _board_out(_board_row(_org(request), board_id))}, 201)


async def get_board(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    return JSONResponse({"data": _board_out(row)})


async def update_board(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    body = await _json_body(request)
    spec = {key: (kind, False) for key, (kind, _required) in BOARD_SPEC.items()}
    spec["name"] = ("string", False)
    issues = _check(body, spec)
    if issues:
        raise _zod(issues)
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
    return JSONResponse({"data": _board_out(_board_row(_org(request), row["id"]))})


async def delete_board(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    db.conn().execute("DELETE FROM boards WHERE id = ?", (row["id"],))
    return JSONResponse({"message": "Board deleted successfully"})


async def reorder_boards(request: Request) -> Response:
    body = await _json_body(request)
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
        raise _zod(issues)
    for board_id in body["boardIds"]:
        _require_board(_org(request), board_id)
    with _transaction() as conn:
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


def _require_field(fields: list[dict], field_id: str) -> dict:
    for field in fields:
        if _field_id(field) == field_id:
            return field
    raise _error(404, f"Field {field_id} not found in board")


async def create_field(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    body = await _json_body(request)
    issues = _check_field(body, [], FIELD_SPEC)
    if issues:
        raise _zod(issues)
    fields = db.loads(row["fields"]) or []
    if not body["name"].strip():
        raise _error(400, "Field name cannot be empty")
    if _name_taken(fields, body["name"]):
        raise _error(400, f"Field with name '{body['name']}' already exists")
    if body.get("isUniqueIdentifier") and any(flag(f, "isUniqueIdentifier") for f in fields):
        raise _error(400, "Board already has a unique identifier field")
    field = _new_field(body, order=len(fields), identifier=False)
    with _transaction():
        if field["type"] == "TableInTable":
            _create_child_board(_org(request), field, body)
        fields.append(field)
        _save_fields(row["id"], fields)
    return JSONResponse({"data": _board_out(_board_row(_org(request), row["id"]))}, 201)


async def get_field(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    field = _require_field(db.loads(row["fields"]) or [], request.path_params["field_id"])
    return JSONResponse({"data": _field_public(field)})


async def update_field(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    body = await _json_body(request)
    issues = _check_field(body, [], FIELD_UPDATE_SPEC)
    if issues:
        raise _zod(issues)
    fields = db.loads(row["fields"]) or []
    field = _require_field(fields, request.path_params["field_id"])
    if "name" in body:
        if not body["name"].strip():
            raise _error(400, "Field name cannot be empty")
        if _name_taken(fields, body["name"], except_id=_field_id(field)):
            raise _error(400, f"Field with name '{body['name']}' already exists")
    became_unique = body.get("isUniqueIdentifier") is True and not _is_unique(field)
    for key in FIELD_UPDATE_SPEC:
        if key in body:
            field[key] = _options(body["data"]) if key == "data" else body[key]
    with _transaction():
        _save_fields(row["id"], fields)
        if became_unique:
            _backfill_unique(row["id"], _field_id(field))
    return JSONResponse({"data": _board_out(_board_row(_org(request), row["id"]))})


async def delete_field(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    fields = db.loads(row["fields"]) or []
    field = _require_field(fields, request.path_params["field_id"])
    if field.get("isDefault") is True:
        raise _error(400, "Cannot delete default field")
    with _transaction() as conn:
        fields = [f for f in fields if f is not field]
        _save_fields(row["id"], fields)
        if field.get("type") == "TableInTable":
            conn.execute("DELETE FROM boards WHERE id = ? AND is_child_table = 1", (_field_id(field),))
    return JSONResponse({"data": _board_out(_board_row(_org(request), row["id"]))})


async def reorder_fields(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    body = await _json_body(request)
    raw = body.get("fieldIds", body.get("fields"))
    if not isinstance(raw, list) or not raw:
        key = "fieldIds" if "fields" not in body else "fields"
        raise _zod([_type_issue([key], "array", raw, missing=raw is None)])
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
    _save_fields(row["id"], ordered)
    return JSONResponse({"data": _board_out(_board_row(_org(request), row["id"]))})


async def bulk_fields(request: Request) -> Response:
    row = _require_board(_org(request), request.path_params["board_id"])
    body = await _json_body(request)
    entries = body.get("fields")
    if not isinstance(entries, list):
        raise _zod([_type_issue(["fields"], "array", entries, missing="fields" not in body)])
    issues = []
    for index, entry in enumerate(entries):
        spec = {"field_id": ("string", False), "name": ("name", True), "type": (FIELD_TYPES, True)}
        issues.extend(_check(entry, spec, ["fields", index]) if isinstance(entry, dict) else [])
    if issues:
        raise _zod(issues)
    fields = db.loads(row["fields"]) or []
    with _transaction():
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
                if _name_taken(fields, entry["name"], except_id=_field_id(field)):
                    raise _error(400, f"Field with name '{entry['name']}' already exists")
                became_unique = updates.get("isUniqueIdentifier") is True and not _is_unique(field)
                field.update(updates)
                if became_unique:
                    _backfill_unique(row["id"], _field_id(field))
                if "data" in entry:
                    field["data"] = _options(entry["data"])
            else:
                if _name_taken(fields, entry["name"]):
                    raise _error(400, f"Field with name '{entry['name']}' already exists")
                field = _new_field({**updates, "data": entry.get("data") or []}, order=len(fields), identifier=False)
                if "data" not in entry and field["type"] not in OPTION_TYPES:
                    field.pop("data", None)
                if field["type"] == "TableInTable":
                    _create_child_board(_org(request), field, entry)
                fields.append(field)
        _save_fields(row["id"], fields)
    return JSONResponse({"data": _board_out(_board_row(_org(request), row["id"]))})


async def list_items(request: Request) -> Response:
    params = request.query_params
    if "filter" in params:
        raise _zod([_type_issue(["filter"], "record", params["filter"])])
    skip = _bounded("skip", params.get("skip"), 0, minimum=0, maximum=None)
    limit = _bounded("limit", params.get("limit"), 20, minimum=0, maximum=1000)
    board_id = request.path_params["board_id"]
    board = _board_row(_org(request), board_id)
    if board is None:
        return JSONResponse({"data": [], "count": 0, "skip": skip, "limit": limit, "totalPages": 0})
    conn = db.conn()
    total = conn.execute("SELECT COUNT(*) FROM board_items WHERE board_id = ?", (board_id,)).fetchone()[0]
    order = _sort_clause(params.get("sort") or "-created_at")
    rows = conn.execute(
        f"SELECT * FROM board_items WHERE board_id = ? ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
        (board_id, limit if limit else -1, skip),
    ).fetchall()
    fields_by_id = _fields_by_id(board)
    data = [_item_out(row, fields_by_id, flatten=True) for row in rows]
    if params.get("include_parent") in ("true", "1"):
        return JSONResponse({"data": data, "count": len(data), "total": total, "has_more": skip + len(data) < total})
    total_pages = math.ceil(total / limit) if limit else (1 if total else 0)
    return JSONResponse({"data": data, "count": total, "skip": skip, "limit": limit, "totalPages": total_pages})


async def count_items(request: Request) -> Response:
    board_id = request.path_params["board_id"]
    where, args = ["board_id = ?", "organization_id = ?"], [board_id, _org(request)]
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


async def get_item(request: Request) -> Response:
    board = _board_row(_org(request), request.path_params["board_id"])
    row = _item_row(_org(request), request.path_params["board_id"], request.path_params["item_id"])
    return JSONResponse({"data": _item_out(row, _fields_by_id(board) if board else {})})


async def item_details(request: Request) -> Response:
    board = _board_row(_org(request), request.path_params["board_id"])
    try:
        row = _item_row(_org(request), request.path_params["board_id"], request.path_params["item_id"])
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


async def create_item(request: Request) -> Response:
    body = await _json_body(request)
    issues = _item_create_issues(body, [])
    if issues:
        raise _zod(issues)
    board = _require_board(_org(request), request.path_params["board_id"])
    with _transaction():
        row = _insert_item(board, body)
    return JSONResponse({"data": _item_out(row, _fields_by_id(board))}, 201)


async def bulk_create_items(request: Request) -> Response:
    body = await _json_body(request)
    entries = body.get("items")
    issues = []
    if not isinstance(entries, list):
        issues.append(_type_issue(["items"], "array", entries, missing="items" not in body))
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
            issues.extend(_item_create_issues(entry, ["items", index]))
    if issues:
        raise _zod(issues)
    board = _require_board(_org(request), request.path_params["board_id"])
    with _transaction():
        rows = [_insert_item(board, entry) for entry in entries]
    fields_by_id = _fields_by_id(board)
    return JSONResponse({"data": [_item_out(row, fields_by_id) for row in rows], "count": len(rows)}, 201)


async def update_item(request: Request) -> Response:
    body = await _json_body(request)
    issues = _check(body, {"fields": ("object", False), "data": ("array", False)})
    if issues:
        raise _zod(issues)
    board = _require_board(_org(request), request.path_params["board_id"])
    row = _item_row(_org(request), board["id"], request.path_params["item_id"])
    changes = dict(body.get("fields") or {})
    for entry in body.get("data") or []:
        if isinstance(entry, dict) and entry.get("key"):
            changes[str(entry["key"])] = entry.get("value")
    fields_by_id = _fields_by_id(board)
    processed = _processed(fields_by_id, changes, failure="Failed to update board item")
    _check_unique(board["id"], fields_by_id, processed, except_seq=row["seq"])
    values = {**(db.loads(row["fields"]) or {}), **processed}
    with _transaction() as conn:
        conn.execute(
            "UPDATE board_items SET fields = ?, updated_at = ? WHERE seq = ?",
            (db.dumps(values), db.now_iso(), row["seq"]),
        )
        conn.execute("UPDATE board_items_fts SET body = ? WHERE rowid = ?", (_search_text(values), row["seq"]))
        _index_unique(board["id"], fields_by_id, row["seq"], values)
    updated = conn.execute("SELECT * FROM board_items WHERE seq = ?", (row["seq"],)).fetchone()
    return JSONResponse({"data": _item_out(updated, fields_by_id)})


async def delete_item(request: Request) -> Response:
    row = _item_row(_org(request), request.path_params["board_id"], request.path_params["item_id"])
    with _transaction():
        _delete_rows([row])
    return JSONResponse({"message": "Board item deleted successfully"})


async def bulk_delete_items(request: Request) -> Response:
    ids: list[str] = []
    for key in ("ids[]", "ids"):
        for value in request.query_params.getlist(key):
            ids.extend(part.strip() for part in value.split(",") if part.strip())
    if not ids:
        body = await _json_body(request)
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
            [board_id, _org(request), *ids],
        )
        .fetchall()
    )
    found = {row["id"] for row in rows}
    missing = [item_id for item_id in ids if item_id not in found]
    if missing:
        raise _error(404, f"Board items not found: {', '.join(missing)}")
    with _transaction():
        _delete_rows(rows)
    return JSONResponse({"message": f"{len(rows)} items deleted", "count": len(rows)})


async def bulk_update_items(request: Request) -> Response:
    body = await _json_body(request)
    issues = _check(body, {"ids": ("strings", True), "updates": ("object", True)})
    if issues:
        raise _zod(issues)
    board = _require_board(_org(request), request.path_params["board_id"])
    fields_by_id = _fields_by_id(board)
    processed = _processed(fields_by_id, body["updates"], failure="Failed to update board items")
    count = 0
    now = db.now_iso()
    with _transaction() as conn:
        for item_id in dict.fromkeys(body["ids"]):
            row = conn.execute(
                "SELECT * FROM board_items WHERE id = ? AND board_id = ?", (item_id, board["id"])
            ).fetchone()
            if row is None:
                continue
            _check_unique(board["id"], fields_by_id, processed, except_seq=row["seq"])
            values = {**(db.loads(row["fields"]) or {}), **processed}
            conn.execute(
                "UPDATE board_items SET fields = ?, updated_at = ? WHERE seq = ?", (db.dumps(values), now, row["seq"])
            )
            conn.execute("UPDATE board_items_fts SET body = ? WHERE rowid = ?", (_search_text(values), row["seq"]))
            _index_unique(board["id"], fields_by_id, row["seq"], values)
            count += 1
    return JSONResponse({"message": f"{count} items updated", "count": count})


def _search_issues(body: dict, path: list, *, max_limit: int) -> list[dict]:
    issues = _check(body, {"q": ("string", False), "filter": ("string", False), "sort": ("strings", False)}, path)
    for key, maximum, minimum in (("limit", max_limit, 1), ("offset", None, 0)):
        if key not in body:
            continue
        value = body[key]
        if isinstance(value, bool) or not isinstance(value, int):
            issues.append(_type_issue([*path, key], "int" if isinstance(value, float) else "number", value))
        elif value < minimum or (maximum is not None and value > maximum):
            bound = minimum if value < minimum else maximum
            code = "too_small" if value < minimum else "too_big"
            relation = ">=" if value < minimum else "<="
            issues.append(
                {
                    "origin": "number",
                    "code": code,
                    "minimum" if code == "too_small" else "maximum": bound,
                    "inclusive": True,
                    "path": [*path, key],
                    "message": f"Too {code[4:]}: expected number to be {relation}{bound}",
                }
            )
    return issues


def _search_error(exc: Exception) -> JSONResponse:
    return JSONResponse({"success": False, "code": 50000, "message": "Search service error", "error": str(exc)}, 500)


def _run_search(organization_id: str, board_id: str, body: dict) -> dict:
    """One search's ``message`` payload (raises ValueError for a filter it cannot read)."""
    limit, offset = body.get("limit", 20), body.get("offset", 0)
    started = datetime.now(UTC)
    hits, total = search_items(
        organization_id,
        board_id,
        q=body.get("q") or "",
        filter_text=body.get("filter") or "",
        sort=body.get("sort") or [],
        limit=limit,
        offset=offset,
    )
    return {
        "hits": hits,
        "query": body.get("q") or "",
        "processingTimeMs": int((datetime.now(UTC) - started).total_seconds() * 1000),
        "limit": limit,
        "offset": offset,
        "estimatedTotalHits": total,
    }


async def search(request: Request) -> Response:
    body = await _json_body(request)
    issues = _search_issues(body, [], max_limit=10000)
    if issues:
        raise _zod(issues)
    try:
        message = _run_search(_org(request), request.path_params["board_id"], body)
    except ValueError as exc:
        return _search_error(exc)
    return JSONResponse({"success": True, "message": message})


async def search_fetch(request: Request) -> Response:
    """``POST /search/:boardId/fetch``: filtered rows without a query, up to 1000 at a time."""
    body = await _json_body(request)
    issues = _search_issues({k: v for k, v in body.items() if k in ("limit", "offset", "filter")}, [], max_limit=1000)
    if issues:
        raise _zod(issues)
    try:
        found = _run_search(_org(request), request.path_params["board_id"], {**body, "q": "", "sort": []})
    except ValueError as exc:
        return _search_error(exc)
    message = {"results": found["hits"], "offset": found["offset"], "limit": found["limit"]}
    return JSONResponse({"success": True, "message": {**message, "total": found["estimatedTotalHits"]}})


async def search_multi(request: Request) -> Response:
    """``POST /search/multi``: several searches, each naming its board as ``indexUid``."""
    body = await _json_body(request)
    queries = body.get("queries")
    if not isinstance(queries, list):
        raise _zod([_type_issue(["queries"], "array", queries, missing="queries" not in body)])
    issues = []
    for index, query in enumerate(queries):
        if not isinstance(query, dict):
            issues.append(_type_issue(["queries", index], "object", query))
            continue
        issues.extend(_check(query, {"indexUid": ("string", True)}, ["queries", index]))
        issues.extend(_search_issues(query, ["queries", index], max_limit=10000))
    if issues:
        raise _zod(issues)
    try:
        results = [{"indexUid": q["indexUid"], **_run_search(_org(request), q["indexUid"], q)} for q in queries]
    except ValueError as exc:
        return _search_error(exc)
    return JSONResponse({"success": True, "message": {"results": results}})


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
    order = _sort_clause(params.get("sort") or "-created_at")
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
    board = _require_board(_org(request), request.path_params["board_id"])
    params = dict(request.query_params)
    filename, header, rows, zone = _export_rows(board, params)
    fields = db.loads(board["fields"]) or []

    async def body() -> AsyncIterator[bytes]:
        buffer = [_csv_line(header)]
        for row in rows:
            values = db.loads(row["fields"]) or {}
            cells = [export_cell(f, values.get(_field_id(f)), zone) for f in fields]
            cells += [_stamp(row["created_at"], zone), _stamp(row["updated_at"], zone)]
            buffer.append(_csv_line(cells))
            if len(buffer) >= 500:
                yield ("\n".join(buffer) + "\n").encode()
                buffer = []
        yield "\n".join(buffer).encode()

    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}"}
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)


async def export_content(request: Request) -> Response:
    board = _require_board(_org(request), request.path_params["board_id"])
    _filename, header, rows, zone = _export_rows(board, dict(request.query_params))
    fields = db.loads(board["fields"]) or []
    lines = [_csv_line(header)]
    for row in rows:
        values = db.loads(row["fields"]) or {}
        cells = [export_cell(f, values.get(_field_id(f)), zone) for f in fields]
        lines.append(_csv_line([*cells, _stamp(row["created_at"], zone), _stamp(row["updated_at"], zone)]))
    return JSONResponse({"message": "Export completed", "content": "\n".join(lines), "record_count": len(rows)})


async def import_content(request: Request) -> Response:
    """``POST /boards/:id/import`` with ``csvContent``: headers matched to field names."""
    board = _require_board(_org(request), request.path_params["board_id"])
    body = await _json_body(request)
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
            with _transaction():
                _insert_item(board, {"fields": values, "created_type": "import"})
            success += 1
        except ApiError as exc:
            errors += 1
            if len(details) < 10:
                details.append({"row": number, "error": exc.body.get("error") or exc.body.get("message")})
    results = {"total": max(len(rows) - 1, 0), "success": success, "errors": errors, "error_details": details}
    return JSONResponse({"status": "success", "message": "Import completed", "results": results})


async def health(request: Request) -> Response:
    """``GET /data-board/health``: behind the gateway's credential check like every other path."""
    return JSONResponse({"status": "ok", "service": "data-board"})


def routes(config: Config) -> list[BaseRoute]:
    table = [
        ("/health", health, ["GET"]),
        ("/boards", list_boards, ["GET"]),
        ("/boards", create_board, ["POST"]),
        ("/boards/reorder", reorder_boards, ["POST"]),
        ("/boards/model-schema", model_schema, ["GET"]),
        ("/boards/{board_id}", get_board, ["GET"]),
        ("/boards/{board_id}", update_board, ["PATCH", "PUT"]),
        ("/boards/{board_id}", delete_board, ["DELETE"]),
        ("/boards/{board_id}/fields", create_field, ["POST"]),
        ("/boards/{board_id}/fields/reorder", reorder_fields, ["POST"]),
        ("/boards/{board_id}/fields/bulk", bulk_fields, ["PATCH", "PUT"]),
        ("/boards/{board_id}/fields/{field_id}", get_field, ["GET"]),
        ("/boards/{board_id}/fields/{field_id}", update_field, ["PATCH", "PUT"]),
        ("/boards/{board_id}/fields/{field_id}", delete_field, ["DELETE"]),
        ("/boards/{board_id}/items", list_items, ["GET"]),
        ("/boards/{board_id}/items", create_item, ["POST"]),
        ("/boards/{board_id}/items/count", count_items, ["GET"]),
        ("/boards/{board_id}/items/bulk", bulk_create_items, ["POST"]),
        ("/boards/{board_id}/items/bulk-delete", bulk_delete_items, ["DELETE"]),
        ("/boards/{board_id}/items/bulk-update", bulk_update_items, ["PATCH"]),
        ("/boards/{board_id}/items/{item_id}", get_item, ["GET"]),
        ("/boards/{board_id}/items/{item_id}", update_item, ["PATCH", "PUT"]),
        ("/boards/{board_id}/items/{item_id}", delete_item, ["DELETE"]),
        ("/boards/{board_id}/items/{item_id}/details", item_details, ["GET"]),
        ("/boards/{board_id}/export_csv", export_csv, ["GET"]),
        ("/boards/{board_id}/export", export_content, ["GET"]),
        ("/boards/{board_id}/import", import_content, ["POST"]),
        ("/search/multi", search_multi, ["POST"]),
        ("/search/{board_id}", search, ["POST"]),
        ("/search/{board_id}/fetch", search_fetch, ["POST"]),
    ]
    return under(DATA_BOARD, [(path, _handle(endpoint), methods) for path, endpoint, methods in table])


# --- Interfaces for other domains -----------------------------------------------------------


def _text_value(field: dict, value: Any) -> str:
    value = read_value(field, value)
    kind = field.get("type")
    if kind in ("Date", "Datetime"):
        moment = parse_date(value)
        return moment.strftime("%Y-%m-%d" if kind == "Date" else "%Y-%m-%d %H:%M UTC") if moment else str(value)
    if kind == "Checkbox":
        return "yes" if value is True else "no"
    if isinstance(value, list):
        return ", ".join(_js_string(v) for v in value)
    if isinstance(value, dict):
        return export_cell(field, value, ZoneInfo("UTC")) or json.dumps(value, ensure_ascii=False)
    return _js_string(value)


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
                if _is_empty(value):
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
        with _transaction():
            row = _insert_item(board, {"fields": values, "created_type": "automation"})
    except ApiError as exc:
        raise ValueError(exc.body.get("error") or exc.body.get("message") or "Invalid item") from exc
    return _item_out(row, by_id)


# --- Demo data ------------------------------------------------------------------------------

_STAGES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
_DEMO_ITEMS = [
    ("Acme Corp", "Qualified", 48000, "jane.doe@acme.example", 12, False, "https://acme.example", 4),
    ("Globex Ltd", "Proposal", 125000, "h.simpson@globex.example", 20, False, "https://globex.example", 5),
    ("Initech", "Negotiation", 72500, "peter.gibbons@initech.example", 8, False, "https://initech.example", 3),
    ("Umbrella Health", "Won", 210000, "procurement@umbrella.example", -5, True, "https://umbrella.example", 5),
    ("Stark Industries", "Lead", 350000, "pepper@stark.example", 45, False, "https://stark.example", 4),
    ("Wayne Enterprises", "Qualified", 98000, "lucius.fox@wayne.example", 30, False, "https://wayne.example", 4),
    ("Hooli", "Lost", 56000, "gavin@hooli.example", -12, False, "https://hooli.example", 2),
    ("Pied Piper", "Won", 18500, "richard@piedpiper.example", -20, True, "https://piedpiper.example", 5),
    ("Soylent Foods", "Proposal", 33000, "orders@soylent.example", 14, False, "https://soylent.example", 3),
    ("Cyberdyne Systems", "Negotiation", 410000, "miles.dyson@cyberdyne.example", 6, False, "", 4),
    ("Tyrell Corporation", "Lead", 87000, "rachael@tyrell.example", 60, False, "https://tyrell.example", 3),
    ("Wonka Industries", "Won", 26000, "charlie@wonka.example", -30, True, "https://wonka.example", 5),
    ("Oscorp", "Qualified", 145000, "norman@oscorp.example", 25, False, "https://oscorp.example", 2),
    ("Vandelay Imports", "Lead", 12000, "art@vandelay.example", 40, False, "", 1),
    ("Dunder Mifflin", "Proposal", 9800, "michael.scott@dundermifflin.example", 10, False, "https://dunder.example", 3),
    ("Massive Dynamic", "Negotiation", 265000, "nina.sharp@massive.example", 3, False, "https://massive.example", 4),
    ("Aperture Science", "Lost", 150000, "cave@aperture.example", -40, False, "https://aperture.example", 2),
    ("Black Mesa", "Qualified", 134000, "contracts@blackmesa.example", 18, False, "https://blackmesa.example", 3),
    ("Gringotts Bank", "Won", 500000, "griphook@gringotts.example", -8, True, "https://gringotts.example", 5),
    ("Monsters Inc", "Proposal", 42000, "mike@monsters.example", 22, False, "https://monsters.example", 4),
    ("Nakatomi Trading", "Lead", 67000, "takagi@nakatomi.example", 50, False, "", 3),
    ("Prestige Worldwide", "Lost", 7500, "brennan@prestige.example", -60, False, "", 1),
    ("Sirius Cybernetics", "Negotiation", 99000, "complaints@sirius.example", 9, False, "https://sirius.example", 2),
    ("Blue Sun Corp", "Qualified", 61000, "sales@bluesun.example", 28, False, "https://bluesun.example", 3),
    ("Rekall Inc", "Proposal", 38500, "quaid@rekall.example", 16, False, "https://rekall.example", 4),
]


def seed(config: Config) -> None:
    """The "Sales Pipeline" board with eight fields and twenty-five deals."""
    organization_id = config.organization_id
    exists = db.conn().execute(
        "SELECT 1 FROM boards WHERE organization_id = ? AND name = 'Sales Pipeline'", (organization_id,)
    )
    if exists.fetchone():
        return
    definitions = [
        {"name": "Name", "type": "ShortText", "isUniqueIdentifier": True, "description": "Company or deal name"},
        {"name": "Stage", "type": "SingleSelection", "data": [{"value": stage} for stage in _STAGES]},
        {"name": "Amount", "type": "Number", "description": "Deal value in USD"},
        {"name": "Email", "type": "Email"},
        {"name": "Close date", "type": "Date"},
        {"name": "Won", "type": "Checkbox"},
        {"name": "Website", "type": "Link"},
        {"name": "Rating", "type": "Rating"},
    ]
    now = datetime.now(UTC)
    with _transaction():
        board_id = _insert_board(
            organization_id,
            {
                "name": "Sales Pipeline",
                "description": "Open and closed deals",
                "type": "Opportunities",
                "fields": definitions,
            },
        )
        board = _board_row(organization_id, board_id)
        ids = [_field_id(f) for f in db.loads(board["fields"])]
        for index, (name, stage, amount, email, close_in, won, website, rating) in enumerate(_DEMO_ITEMS):
            close = (now + timedelta(days=close_in)).strftime("%Y-%m-%d")
            values = [name, stage, amount, email, close, won, website, rating]
            created = iso(now - timedelta(days=len(_DEMO_ITEMS) - index, hours=index % 7))
            _insert_item(board, {"fields": dict(zip(ids, values, strict=True))}, now=created)
