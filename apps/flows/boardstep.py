"""The data-board step: the engine's ``auto_data_board`` action as the console builds and reads it.

The real piece (``@activepieces/piece-automate-data-board``) has one action, ``auto_data_board``;
``chooseAction`` says what it does (docs/contract/flows.md#the-data-board-step). The console offers
three of its operations, the ones that work against data-board: ``create``, ``update`` by record id
and ``search`` by record id (get one item). Values come from JSON (``contentJson``) or field pairs
(``additionalFields.actionPairs``), keyed by field id. Every dynamic input is nested under its own
inner name, as the engine stores it (``"inputMethod": {"inputMethod": "json"}``), and every
``propertySettings`` entry has the ``type`` the validator requires.

The piece never fails its step: a refusal is an output with ``success: false`` or ``error: true``
while the engine says SUCCEEDED, and a trigger body with ``conversation_id`` (and no true
``immediate``) makes it do nothing ("Workflow execution deferred"). ``output_problem`` and
``output_deferred`` read those outputs for the run page.

Flows saved by older consoles carry ``create_board_item``, an action the engine never had (the
validator marks the step invalid); ``legacy_to_board_action`` gives the equivalent ``create`` step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

BOARD_ACTION = "auto_data_board"
LEGACY_BOARD_ACTION = "create_board_item"
OPERATIONS = {
    "create": "Create an item",
    "update": "Update an item by its id",
    "search": "Get an item by its id",
}
METHODS = {"json": "JSON (values sent as they are)", "field": "Field pairs (the piece formats each value)"}
DEFERRED_MESSAGE = "Workflow execution deferred"
NO_FAILURE = {"continueOnFailure": {"value": False}, "retryOnFailure": {"value": False}}
# The builder's schemas for the two inner props the contract's example carries (round2.md §1.6). Static
# top-level props get no schema: the engine is reported to crash on a STATIC_DROPDOWN with one.
_INPUT_METHOD_SCHEMA = {
    "inputMethod": {
        "type": "STATIC_DROPDOWN",
        "displayName": "Input Method",
        "required": True,
        "options": {
            "options": [
                {"label": "Using Fields (JSON Pairs)", "value": "field"},
                {"label": "Using JSON Data", "value": "json"},
            ]
        },
    }
}
_CONTENT_JSON_SCHEMA = {"contentJson": {"type": "JSON", "displayName": "Content (JSON)", "required": True}}


def field_id(board_field: dict) -> str:
    return str(board_field.get("id") or board_field.get("_id") or "")


def unwrap(value: Any, key: str) -> Any:
    """A dynamic input's inner value (``value[key]``), or the value itself when stored flat."""
    if isinstance(value, dict) and key in value:
        return value[key]
    return value


def piece_range(version: str) -> str:
    """``0.0.3`` → ``~0.0.3``: the step keeps matching the piece's later patches."""
    return version if version[:1] in ("~", "^") else f"~{version}"


@dataclass
class BoardStep:
    """What a stored ``auto_data_board`` step does, read back for its summary and its edit form."""

    board_id: str = ""
    operation: str = "create"
    method: str = "json"
    values: dict[str, str] = field(default_factory=dict)  # field id (or name) → value or {{reference}}
    record_id: str = ""

    @property
    def label(self) -> str:
        return OPERATIONS.get(self.operation, self.operation or "no operation chosen")

    @property
    def supported(self) -> bool:
        return self.operation in OPERATIONS and self.method in METHODS


def board_step_from(values: dict) -> BoardStep:
    method = unwrap(values.get("inputMethod"), "inputMethod")
    step = BoardStep(
        board_id=str(values.get("boardId") or ""),
        operation=str(values.get("chooseAction") or ""),
        method=method if method in METHODS else "json",
        record_id=str(unwrap(values.get("recordId"), "recordId") or ""),
    )
    if step.method == "json":
        content = unwrap(values.get("contentJson"), "contentJson")
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except ValueError:
                content = {}
        if isinstance(content, dict):
            step.values = {str(key): _text(value) for key, value in content.items()}
    else:
        pairs = unwrap(values.get("additionalFields"), "actionPairs")
        for pair in pairs if isinstance(pairs, list) else []:
            if isinstance(pair, dict) and pair.get("field"):
                step.values[str(pair["field"])] = _text(pair.get("value"))
    return step


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def board_action(
    *,
    name: str,
    display_name: str,
    piece_version: str,
    board_id: str,
    operation: str,
    method: str = "json",
    values: dict[str, str] | None = None,
    record_id: str = "",
) -> dict:
    """A whole ``auto_data_board`` action for ADD_ACTION or UPDATE_ACTION."""
    from .selectors import BOARD_PIECE

    if operation not in OPERATIONS:
        raise ValueError(f"unsupported data-board operation {operation!r}")
    step_input: dict[str, Any] = {
        "workflowName": "Automate Data Board",
        "version": "1",
        "boardId": board_id,
        "chooseAction": operation,
    }
    manual = {"type": "MANUAL"}
    property_settings: dict[str, dict] = {key: dict(manual) for key in step_input}
    if operation in ("create", "update"):
        step_input["inputMethod"] = {"inputMethod": method}
        property_settings["inputMethod"] = {**manual, "schema": _INPUT_METHOD_SCHEMA}
        if method == "json":
            step_input["contentJson"] = {"contentJson": dict(values or {})}
            property_settings["contentJson"] = {**manual, "schema": _CONTENT_JSON_SCHEMA}
        else:
            pairs = [{"field": key, "value": value} for key, value in (values or {}).items()]
            step_input["additionalFields"] = {"actionPairs": pairs}
            property_settings["additionalFields"] = dict(manual)
    if operation in ("update", "search"):
        step_input["identifier"] = {"identifier": "recordId"}
        step_input["recordId"] = {"recordId": record_id}
        property_settings["identifier"] = dict(manual)
        property_settings["recordId"] = dict(manual)
    return {
        "name": name,
        "type": "PIECE",
        "valid": True,
        "skip": False,
        "displayName": display_name or OPERATIONS[operation],
        "settings": {
            "pieceName": BOARD_PIECE,
            "pieceVersion": piece_range(piece_version),
            "actionName": BOARD_ACTION,
            "input": step_input,
            "propertySettings": property_settings,
            "errorHandlingOptions": NO_FAILURE,
        },
    }


def legacy_to_board_action(step: dict, *, piece_version: str, board_fields: list[dict]) -> dict:
    """The ``auto_data_board`` create step equivalent to an old ``create_board_item`` step.

    The old input was ``{"boardId", "fields": {<field name>: <value>}}``; names become field ids where
    the board has them (the piece also accepts exact names, so an unknown one is kept as written).
    """
    settings_ = step.get("settings") or {}
    old = settings_.get("input") if isinstance(settings_.get("input"), dict) else {}
    fields = old.get("fields") if isinstance(old.get("fields"), dict) else {}
    ids = {str(f.get("name")): field_id(f) for f in board_fields if field_id(f)}
    values = {ids.get(str(name), str(name)): _text(value) for name, value in fields.items()}
    return board_action(
        name=str(step.get("name") or ""),
        display_name=str(step.get("displayName") or ""),
        piece_version=piece_version,
        board_id=str(old.get("boardId") or ""),
        operation="create",
        method="json",
        values=values,
    )


def output_problem(output: Any) -> str:
    """Why a step that the engine marks SUCCEEDED did not do its work, or ''."""
    if not isinstance(output, dict):
        return ""
    if output.get("success") is False:
        return "Data-board refused the call: " + _text(output.get("error") or "no reason given")
    if output.get("error") is True:
        return "The data-board step refused its input: " + _text(output.get("message") or "no reason given")
    return ""


def output_deferred(output: Any) -> bool:
    return isinstance(output, dict) and output.get("message") == DEFERRED_MESSAGE
