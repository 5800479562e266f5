"""The data-board piece's ``auto_data_board`` action, run against the local board store.

What the real piece does [WF ``packages/pieces/builtin/src/pieces/automate-data-board/lib/actions/
autoDataBoard.ts``, ``lib/common/general-functions.ts``, ``lib/utils/board.ts``;
docs/contract/flows.md#the-data-board-step]:

- it calls data-board directly with the run's organization; ``create`` posts
  ``{"fields": [{"board_field_id", "value"}], "app_name"}``, ``update``/``clearFields`` by record id
  patch ``{"data": [{"key", "value"}]}``, ``search`` by record id reads the item (whatever board),
  ``getAll`` lists or searches, ``boardDetails`` reads the board;
- ``update``/``deleteRecord``/``clearFields`` by ``fieldsOnBoard`` send ``{data, filter}`` to the bulk
  routes, which want ``ids``: data-board answers 400, so only ``recordId`` works;
- JSON mode maps keys by exact name, id, or loosely (case, spaces and ``_`` ignored), drops unknown
  keys and sends values raw, except an unreadable Date/Datetime/Time which becomes null; field mode
  formats each value (a Number only if already a number, Checkbox true only for ``"is_checked"``...);
- errors do not fail the step: a data-board rejection gives ``{"success": false, "error":
  "Private Imbrace API request failed: ...", "details": {}}`` and a piece-side check gives
  ``{"error": true, "message", "stack"}``, both with the step SUCCEEDED;
- with ``conversation_id`` in the trigger body and no truthy ``immediate``, nothing runs and the
  output is ``{"message": "Workflow execution deferred", ...}``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ... import db
from ...errors import ApiError
from ..boards import items as board_items
from ..boards.item_store import _fields_by_id, item_out
from ..boards.query import search_items
from ..boards.store import _field_id, board_out, flag, require_board
from ..boards.validation import _check, _error, zod
from ..boards.values import parse_date

_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


class PieceError(Exception):
    """A check inside the piece: the output is ``{error: true, message, stack}``."""


class BoardCalls:
    """The data-board requests the piece makes, answered in-process; each returns the JSON body
    or raises ``ApiError`` with data-board's status and body."""

    def board(self, org: str, board_id: str) -> dict:
        return {"data": board_out(require_board(org, board_id))}

    def create(self, org: str, board_id: str, body: dict) -> dict:
        return board_items.create_item_body(org, board_id, body)

    def update(self, org: str, board_id: str, item_id: str, body: dict) -> dict:
        return board_items.update_item_body(org, board_id, item_id, body)

    def get(self, org: str, board_id: str, item_id: str) -> dict:
        return board_items.get_item_body(org, item_id)

    def delete(self, org: str, board_id: str, item_id: str) -> dict:
        return board_items.delete_item_body(org, board_id, item_id)

    def bulk_update(self, org: str, board_id: str, body: dict) -> dict:
        issues = _check(body, {"ids": ("strings", True), "updates": ("object", True)})
        if issues:
            raise zod(issues)
        raise AssertionError("the piece never sends ids")

    def bulk_delete(self, org: str, board_id: str, body: dict) -> dict:
        raise _error(400, "At least one ID is required (query ?ids[]=... or JSON body)")

    def list(self, org: str, board_id: str, *, limit: int, skip: int) -> dict:
        """``GET /boards/:id/items?limit&skip``, newest first."""
        board = require_board(org, board_id)
        conn = db.conn()
        total = conn.execute("SELECT COUNT(*) FROM board_items WHERE board_id = ?", (board_id,)).fetchone()[0]
        rows = conn.execute(
            "SELECT * FROM board_items WHERE board_id = ? ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?",
            (board_id, limit, skip),
        ).fetchall()
        data = [item_out(row, _fields_by_id(board), flatten=True) for row in rows]
        pages = math.ceil(total / limit) if limit else 0
        return {"data": data, "count": total, "skip": skip, "limit": limit, "totalPages": pages}

    def search(self, org: str, board_id: str, filter_text: str, *, limit: int, offset: int = 0) -> list:
        require_board(org, board_id)
        return search_items(org, board_id, filter_text=filter_text, sort=[], limit=limit, offset=offset)[0]


def unwrap(prop: Any, key: str) -> Any:
    """``prop?.[key] ?? prop``: how the run code reads a nested dynamic value."""
    if isinstance(prop, dict) and prop.get(key) is not None:
        return prop[key]
    return prop


def _loose(name: str) -> str:
    return re.sub(r"[\s_]", "", name).lower()


def _resolve_field(fields: list[dict], key: str) -> dict | None:
    for match in (
        lambda f: f.get("name") == key,
        lambda f: _field_id(f) == key,
        lambda f: _loose(str(f.get("name", ""))) == _loose(key),
    ):
        found = next((field for field in fields if match(field)), None)
        if found is not None:
            return found
    return None


def _temporal(field: dict, value: Any) -> Any:
    kind = field.get("type")
    if kind in ("Date", "Datetime") and value not in (None, ""):
        return value if parse_date(value) is not None else None
    if kind == "Time" and value not in (None, ""):
        return value if isinstance(value, str) and _TIME.match(value.strip()) else None
    return value


def _format_pair(field: dict, value: Any) -> Any:
    """``checkAndFormatFieldValue``: field mode's per-type formatting."""
    kind = field.get("type")
    if kind == "Number":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind == "Checkbox":
        return value == "is_checked"
    if kind == "MultipleSelection":
        return [part.strip() for part in str(value).split(",") if part.strip()] if value not in (None, "") else []
    if kind == "Notes":
        return [{"message": value, "author_name": "System Automation"}] if value not in (None, "") else []
    if kind == "Attachment":
        urls = value if isinstance(value, list) else [value] if value not in (None, "") else []
        return [{"url": url, "name": str(url).rsplit("/", 1)[-1]} for url in urls]
    if kind == "ShortText":
        return None if isinstance(value, str) and len(value) >= 150 else value
    if kind in ("Currency", "Origin"):
        return None
    return _temporal(field, value)


def _json_values(fields: list[dict], content: Any) -> list[tuple[dict, Any]]:
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except json.JSONDecodeError as exc:
            raise PieceError(f"Invalid JSON content: {exc}") from exc
    if not isinstance(content, dict):
        raise PieceError("Content (JSON) must be an object")
    pairs = []
    for key, value in content.items():
        field = _resolve_field(fields, str(key))
        if field is not None:
            pairs.append((field, _temporal(field, value)))
    return pairs


def _field_values(fields: list[dict], pairs: Any, *, require_identifier: bool) -> list[tuple[dict, Any]]:
    by_id = {_field_id(field): field for field in fields}
    result = []
    for pair in pairs if isinstance(pairs, list) else []:
        field = by_id.get(str((pair or {}).get("field") or ""))
        if field is not None:
            result.append((field, _format_pair(field, pair.get("value"))))
    if require_identifier:
        for field in fields:
            given = [value for f, value in result if f is field]
            if flag(field, "isIdentifier") and (not given or given[0] in (None, "", [])):
                raise PieceError(f"'{field.get('name')}' field is required. Please provide a value for it.")
    return result


def _values(values: dict, fields: list[dict], *, creating: bool) -> list[tuple[dict, Any]]:
    method = unwrap(values.get("inputMethod"), "inputMethod")
    if method == "json":
        return _json_values(fields, unwrap(values.get("contentJson"), "contentJson"))
    pairs = unwrap(values.get("additionalFields"), "actionPairs")
    return _field_values(fields, pairs, require_identifier=creating)


def _filter_text(pairs: Any) -> str:
    clauses = []
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, dict) and pair.get("field"):
            value = str(pair.get("value", "")).replace("'", "\\'")
            clauses.append(f"fields.{pair['field']} = '{value}'")
    return " AND ".join(clauses)


def _http_failure(exc: ApiError) -> dict:
    detail = {"response": {"status": exc.status, "body": exc.body}}
    return {"success": False, "error": f"Private Imbrace API request failed: {json.dumps(detail)}", "details": {}}


def run(values: dict, *, organization_id: str, trigger_output: Any, flow_id: str, calls: BoardCalls) -> dict:
    """The step's output (never raises for data-board or piece errors: they are outputs)."""
    body = trigger_output.get("body") if isinstance(trigger_output, dict) else None
    body = body if isinstance(body, dict) else {}
    if body.get("conversation_id") and not body.get("immediate"):
        return {
            "message": "Workflow execution deferred",
            "workflow_id": flow_id,
            "conversation_id": body["conversation_id"],
            "position": "",
        }
    if not organization_id:
        return {"error": True, "message": "organization_id is required to use this piece", "stack": ""}
    try:
        return _run(values, organization_id, body, calls)
    except ApiError as exc:
        return _http_failure(exc)
    except PieceError as exc:
        return {"error": True, "message": str(exc), "stack": f"Error: {exc}\n    at autoDataBoard.run"}


def _run(values: dict, org: str, body: dict, calls: BoardCalls) -> dict:
    board_id = str(values.get("boardId") or "")
    action = values.get("chooseAction")
    app_name = values.get("workflowName") or "Automate Data Board"
    identifier = unwrap(values.get("identifier"), "identifier")
    record_id = str(unwrap(values.get("recordId"), "recordId") or "")
    extra = {"conversation_id": body["conversation_id"]} if body.get("conversation_id") else {}
    board = calls.board(org, board_id)["data"]
    fields = board.get("fields") or []
    if action == "create":
        pairs = _values(values, fields, creating=True)
        request = {"fields": [{"board_field_id": _field_id(f), "value": v} for f, v in pairs], "app_name": app_name}
        return {"boardResponse": calls.create(org, board_id, {**request, **extra})}
    if action in ("update", "clearFields"):
        if action == "update":
            pairs = _values(values, fields, creating=False)
        else:
            pairs = _field_values(
                fields, unwrap(values.get("additionalFields"), "actionPairs"), require_identifier=False
            )
            if any(flag(field, "isIdentifier") for field, _ in pairs):
                raise PieceError("The identifier field cannot be cleared.")
            pairs = [(field, None) for field, _ in pairs]
        data = [{"key": _field_id(f), "value": v} for f, v in pairs]
        if identifier == "recordId":
            return {"boardResponse": calls.update(org, board_id, record_id, {"data": data, "app_name": app_name})}
        nested = unwrap(values.get("identifierNested"), "identifierNested") or {}
        filters = [{"key": nested.get("field"), "value": nested.get("value")}] if isinstance(nested, dict) else []
        return {"boardResponse": calls.bulk_update(org, board_id, {"data": data, "filter": filters})}
    if action == "deleteRecord":
        if identifier == "recordId":
            return {"boardResponse": calls.delete(org, board_id, record_id)}
        return {"boardResponse": calls.bulk_delete(org, board_id, {"filter": []})}
    if action == "search":
        if identifier == "recordId":
            return {"boardResponse": calls.get(org, board_id, record_id)}
        nested = values.get("identifierNested") or {}
        pairs = nested.get("additionalFields") if isinstance(nested, dict) else []
        return {"boardResponse": calls.search(org, board_id, _filter_text(pairs), limit=10000)}
    if action == "getAll":
        return _get_all(values, org, board_id, fields, calls)
    return {"boardResponse": {"data": board}}


def _get_all(values: dict, org: str, board_id: str, fields: list[dict], calls: BoardCalls) -> dict:
    pagination = values.get("getAllPagination") if isinstance(values.get("getAllPagination"), dict) else {}
    limit = min(max(int(pagination.get("limit") or 100), 1), 100)
    skip = max(int(pagination.get("skip") or 0), 0)
    filters = unwrap(values.get("getAllFilters"), "filters")
    if filters:
        hits = calls.search(org, board_id, _filter_text(filters), limit=limit, offset=skip)
        page = {"data": hits, "count": len(hits), "skip": skip, "limit": limit, "totalPages": 1 if hits else 0}
    else:
        page = calls.list(org, board_id, limit=limit, skip=skip)
    if unwrap(values.get("outputData"), "outputData") != "listRecords" or not page["data"]:
        return {"boardResponse": page}
    if str(values.get("version") or "1") != "2":
        return page
    names = {_field_id(field): field for field in fields}
    records = []
    for item in page["data"]:
        record = {k: item.get(k) for k in ("_id", "id", "public_id", "created_at", "doc_name", "board_id")}
        record.update(
            {"business_unit_id": item.get("business_unit_id"), "organization_id": item.get("organization_id")}
        )
        for field_id, value in (item.get("fields") or {}).items():
            field = names.get(field_id)
            if field is not None:
                record[field.get("name")] = {"value": value, **field}
        records.append(record)
    return {**page, "data": records}
