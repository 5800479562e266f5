"""The pieces the local engine has, and how the server decides a step is ``valid``.

Two pieces: the webhook piece (trigger ``catch_webhook`` and action ``return_response``) and the
data-board piece ``@activepieces/piece-automate-data-board``, whose only action is ``auto_data_board``
[WF ``packages/pieces/builtin/src/pieces/automate-data-board/lib/actions/autoDataBoard.ts``].

Validity of the data-board step follows the real validator [WF
``packages/server/api/src/app/flows/flow-version/flow-version-validator-util.ts``,
docs/contract/flows.md#when-the-step-is-valid]:
an unknown action name is ``valid: false`` (so publishing is refused); otherwise only the
top-level props are checked by their type (dropdowns non-null, even ``""``; short text a string;
dynamic props a record or a string), and inner dynamic values are not. Every PIECE action must also
pass the action schema: ``propertySettings`` a record of ``{type: MANUAL|DYNAMIC}``, ``pieceVersion``
like ``~0.0.1``, ``errorHandlingOptions`` of ``{continueOnFailure?, retryOnFailure?: {value: bool}}``.

The webhook piece keeps the stand-in's stricter checks (required props non-empty, known auth and
response types), which the console's tests rely on.

A step naming any other action (``create_board_item``, which older consoles saved and the real engine
never had) is stored with ``valid: false``, so its flow cannot be published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WEBHOOK_PIECE = "@activepieces/piece-webhook"
WEBHOOK_PIECE_VERSION = "0.1.24"
BOARD_PIECE = "@activepieces/piece-automate-data-board"
BOARD_PIECE_VERSION = "0.0.1"
BOARD_ACTION = "auto_data_board"


@dataclass(frozen=True)
class Prop:
    type: str
    required: bool = False


STATIC_DROPDOWN, DROPDOWN, SHORT_TEXT, DYNAMIC = "STATIC_DROPDOWN", "DROPDOWN", "SHORT_TEXT", "DYNAMIC"

# autoDataBoard.ts's props, in declaration order (docs/contract/flows.md#the-steps-inputs).
BOARD_PROPS = {
    "workflowName": Prop(SHORT_TEXT),
    "version": Prop(STATIC_DROPDOWN, True),
    "boardId": Prop(DROPDOWN, True),
    "chooseAction": Prop(STATIC_DROPDOWN, True),
    "outputData": Prop(DYNAMIC),
    "getAllFilters": Prop(DYNAMIC),
    "getAllPagination": Prop(DYNAMIC),
    "getAllSort": Prop(DYNAMIC),
    "inputMethod": Prop(DYNAMIC),
    "identifier": Prop(DYNAMIC),
    "identifierNested": Prop(DYNAMIC),
    "contentJson": Prop(DYNAMIC),
    "recordId": Prop(DYNAMIC),
    "additionalFields": Prop(DYNAMIC),
    "testing_organization_id": Prop(DYNAMIC),
}


PIECES: dict[str, dict[str, Any]] = {
    WEBHOOK_PIECE: {
        "displayName": "Webhook",
        "version": WEBHOOK_PIECE_VERSION,
        "triggers": {
            "catch_webhook": {
                "displayName": "Catch Webhook",
                "props": {
                    "authType": Prop(STATIC_DROPDOWN, True),
                    "authFields": Prop(DYNAMIC),
                    "markdown": Prop("MARKDOWN"),
                    "syncMarkdown": Prop("MARKDOWN"),
                },
            }
        },
        "actions": {
            "return_response": {
                "displayName": "Return Response",
                "props": {
                    "responseType": Prop(STATIC_DROPDOWN, True),
                    "respond": Prop(STATIC_DROPDOWN),
                    "fields": Prop(DYNAMIC, True),
                },
            }
        },
    },
    BOARD_PIECE: {
        "displayName": "Automate Data Board",
        "version": BOARD_PIECE_VERSION,
        "auth": None,
        "triggers": {},
        "actions": {BOARD_ACTION: {"displayName": "Automate Data Board", "props": BOARD_PROPS, "typed": True}},
    },
}

AUTH_TYPES = {"none", "basic", "header"}
RESPONSE_TYPES = {"json", "raw", "redirect"}
RESPOND_MODES = {"stop", "respond"}
_VERSION = re.compile(r"^[~^]?(\d+)\.(\d+)\.(\d+)$")
PROPERTY_SETTING_TYPES = {"MANUAL", "DYNAMIC"}


def piece_version_known(piece_name: str, version: str) -> bool:
    """The engine resolves ``~0.1.x`` ranges: any version with the shipped major.minor is served."""
    piece = PIECES.get(piece_name)
    wanted, shipped = _VERSION.match(str(version or "")), _VERSION.match(piece["version"]) if piece else None
    return bool(wanted and shipped and wanted.group(1, 2) == shipped.group(1, 2))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _entry_for(step: dict, kind: str) -> dict | None:
    settings = step.get("settings") or {}
    piece = PIECES.get(settings.get("pieceName", ""))
    if piece is None:
        return None
    return piece[kind].get(settings.get("triggerName" if kind == "triggers" else "actionName", ""))


def _typed_prop_ok(prop: Prop, value: Any) -> bool:
    """One top-level prop as ``validateProps`` checks it: the TypeBox type of its prop type."""
    if value is None:
        return not prop.required
    if prop.type in (STATIC_DROPDOWN, DROPDOWN):
        return True
    if prop.type == SHORT_TEXT:
        return isinstance(value, str) and (len(value) >= 1 or not prop.required)
    if prop.type == DYNAMIC:
        return isinstance(value, dict | str)
    return True


def _clean_and_check(step: dict, kind: str) -> bool:
    """Keep only declared input keys; then check the props as this piece's validator does."""
    settings = step.setdefault("settings", {})
    if not isinstance(settings.get("input"), dict):
        return False
    if not settings.get("pieceName") or not settings.get("pieceVersion"):
        return False
    entry = _entry_for(step, kind)
    if entry is None:
        return False
    props: dict[str, Prop] = entry["props"]
    settings["input"] = {key: value for key, value in settings["input"].items() if key in props}
    values = settings["input"]
    if entry.get("typed"):
        return all(_typed_prop_ok(prop, values.get(name)) for name, prop in props.items())
    if any(prop.required and _empty(values.get(name)) for name, prop in props.items()):
        return False
    return _input_values_ok(settings)


def _input_values_ok(settings: dict) -> bool:
    values = settings["input"]
    name = settings.get("triggerName") or settings.get("actionName")
    if name == "catch_webhook":
        return values.get("authType") in AUTH_TYPES
    if name == "return_response":
        return values.get("responseType") in RESPONSE_TYPES and values.get("respond", "stop") in RESPOND_MODES
    return True


def _action_schema_ok(settings: dict) -> bool:
    """``SingleActionSchema.Check`` for a PIECE action's settings (flows.md#when-the-step-is-valid)."""
    property_settings = settings.get("propertySettings")
    if not isinstance(property_settings, dict):
        return False
    for setting in property_settings.values():
        if not isinstance(setting, dict) or setting.get("type") not in PROPERTY_SETTING_TYPES:
            return False
    if not re.fullmatch(r"([~^])?\d+\.\d+\.\d+", str(settings.get("pieceVersion") or "")):
        return False
    options = settings.get("errorHandlingOptions")
    if options is None:
        return True
    if not isinstance(options, dict):
        return False
    for key in ("continueOnFailure", "retryOnFailure"):
        option = options.get(key)
        if option is not None and not (isinstance(option, dict) and isinstance(option.get("value", False), bool)):
            return False
    return True


def validate_trigger(trigger: dict) -> None:
    """Set ``valid`` on the trigger from the server's own rules (the client's flag is not trusted)."""
    if trigger.get("type") == "EMPTY":
        trigger["valid"] = False
    elif trigger.get("type") == "PIECE_TRIGGER":
        trigger["valid"] = _clean_and_check(trigger, "triggers")
    else:
        trigger["valid"] = False


def validate_action(action: dict) -> None:
    if action.get("type") == "PIECE":
        checked = _clean_and_check(action, "actions")
        action["valid"] = checked and _action_schema_ok(action.get("settings") or {})
    elif action.get("type") == "CODE":
        source = (action.get("settings") or {}).get("sourceCode") or {}
        action["valid"] = bool(source.get("code")) and isinstance((action.get("settings") or {}).get("input"), dict)
    else:
        action["valid"] = False


def props_json(props: dict[str, Prop]) -> dict:
    return {name: {"type": prop.type, "required": prop.required} for name, prop in props.items()}
