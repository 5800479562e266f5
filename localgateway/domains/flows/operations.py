"""The flow operations of ``POST /v1/flows/:id`` (flows.md#operations, #publishing)."""

from __future__ import annotations

from typing import Any

from ... import db
from . import catalog, engine
from .errors import ap_error, invalid_operation, not_found, schema_error
from .schema import ACTION_TYPES, FLOW_STATUSES, VERSION_OPERATIONS
from .store import draft_of, in_use_by_other, invalid_reason, latest_version, save_version, touch_flow


def _action_shape(action: Any) -> str:
    """A schema message for a malformed action, or ''."""
    if not isinstance(action, dict):
        return "body/request/action must be object"
    for key in ("name", "displayName"):
        if not isinstance(action.get(key), str) or not action.get(key):
            return f"body/request/action must have required property '{key}'"
    if action.get("type") not in ACTION_TYPES:
        return "body/request/action/type must be equal to one of the allowed values"
    if not isinstance(action.get("settings"), dict):
        return "body/request/action must have required property 'settings'"
    return ""


def _prepare_action(action: dict) -> dict:
    if action["type"] not in ("PIECE", "CODE"):
        raise invalid_operation(f"{action['type']} steps are not supported by this engine")
    if action["type"] == "PIECE":
        settings = action["settings"]
        if settings.get("pieceName") in catalog.PIECES and not catalog.piece_version_known(
            settings["pieceName"], settings.get("pieceVersion", "")
        ):
            raise not_found("piece", f"{settings['pieceName']}@{settings.get('pieceVersion')}")
    prepared = {key: value for key, value in action.items() if key != "nextAction"}
    prepared.setdefault("skip", False)
    catalog.validate_action(prepared)
    return prepared


def _apply_graph(kind: str, request_body: dict, trigger: dict) -> dict:
    """The new trigger (with its chain) after one graph operation."""
    actions = engine.chain(trigger)
    names = [step["name"] for step in actions]
    if kind == "UPDATE_TRIGGER":
        if request_body.get("type") not in ("EMPTY", "PIECE_TRIGGER"):
            raise schema_error("body/request/type must be equal to one of the allowed values")
        if not isinstance(request_body.get("settings"), dict):
            raise schema_error("body/request must have required property 'settings'")
        new_trigger = {key: value for key, value in request_body.items() if key != "nextAction"}
        new_trigger["name"] = "trigger"
        new_trigger.setdefault("displayName", "Trigger")
        settings = new_trigger["settings"]
        if (
            new_trigger["type"] == "PIECE_TRIGGER"
            and settings.get("pieceName") in catalog.PIECES
            and not catalog.piece_version_known(settings["pieceName"], settings.get("pieceVersion", ""))
        ):
            raise not_found("piece", f"{settings['pieceName']}@{settings.get('pieceVersion')}")
        catalog.validate_trigger(new_trigger)
        return engine.link(new_trigger, actions)
    if kind == "ADD_ACTION":
        parent = request_body.get("parentStep")
        if not isinstance(parent, str):
            raise schema_error("body/request must have required property 'parentStep'")
        message = _action_shape(request_body.get("action"))
        if message:
            raise schema_error(message)
        location = request_body.get("stepLocationRelativeToParent") or "AFTER"
        if location != "AFTER":
            raise invalid_operation(f"{location} needs a loop or router step, which this engine does not support")
        if parent != "trigger" and parent not in names:
            raise invalid_operation(f"parent step {parent} not found")
        action = request_body["action"]
        if action["name"] == "trigger" or action["name"] in names:
            raise invalid_operation(f"step name {action['name']} is already used")
        prepared = _prepare_action(action)
        position = 0 if parent == "trigger" else names.index(parent) + 1
        actions.insert(position, prepared)
        return engine.link(trigger, actions)
    if kind == "UPDATE_ACTION":
        message = _action_shape(request_body)
        if message:
            raise schema_error(message.replace("body/request/action", "body/request"))
        if request_body["name"] not in names:
            raise invalid_operation(f"step {request_body['name']} not found")
        prepared = _prepare_action(request_body)
        actions[names.index(request_body["name"])] = prepared
        return engine.link(trigger, actions)
    if kind in ("DELETE_ACTION", "SET_SKIP_ACTION"):
        targets = request_body.get("names")
        if targets is None and isinstance(request_body.get("name"), str):
            targets = [request_body["name"]]
        if not isinstance(targets, list) or not all(isinstance(name, str) for name in targets):
            raise schema_error("body/request must have required property 'names'")
        unknown = [name for name in targets if name not in names]
        if unknown:
            raise invalid_operation(f"step {unknown[0]} not found")
        if kind == "DELETE_ACTION":
            return engine.link(trigger, [step for step in actions if step["name"] not in targets])
        skip = bool(request_body.get("skip"))
        return engine.link(trigger, [{**step, "skip": skip} if step["name"] in targets else step for step in actions])
    raise AssertionError(kind)


def _import_trigger(request_body: dict) -> dict:
    trigger = request_body.get("trigger")
    if not isinstance(trigger, dict):
        raise schema_error("body/request must have required property 'trigger'")
    actions = []
    for action in engine.chain(trigger):
        message = _action_shape(action)
        if message:
            raise schema_error(message.replace("body/request/action", "body/request/trigger/nextAction"))
        prepared = _prepare_action(action)
        actions.append(prepared)
    new_trigger = {key: value for key, value in trigger.items() if key != "nextAction"}
    new_trigger["name"] = "trigger"
    if new_trigger.get("type") not in ("EMPTY", "PIECE_TRIGGER") or not isinstance(new_trigger.get("settings"), dict):
        raise schema_error("body/request/trigger must be a trigger")
    catalog.validate_trigger(new_trigger)
    return engine.link(new_trigger, actions)


def flow_operation(*, flow: dict, kind: str, request_body: dict, user_id: str) -> None:
    """Apply one operation; an error response, or None when it went through."""
    if kind in VERSION_OPERATIONS:
        latest = latest_version(flow["id"])
        if in_use_by_other(latest, user_id):
            raise ap_error(409, "FLOW_IN_USE", {"flowVersionId": latest["id"], "message": "Flow is being edited"})
        trigger = db.loads(latest["trigger"])
        display_name = latest["display_name"]
        if kind == "CHANGE_NAME":
            display_name = request_body.get("displayName")
            if not isinstance(display_name, str) or not display_name.strip():
                raise schema_error("body/request must have required property 'displayName'")
            display_name = display_name.strip()
        elif kind == "IMPORT_FLOW":
            trigger = _import_trigger(request_body)
            if isinstance(request_body.get("displayName"), str) and request_body["displayName"].strip():
                display_name = request_body["displayName"].strip()
        else:
            trigger = _apply_graph(kind, request_body, trigger)
        version = draft_of(flow, user_id)
        save_version(version, trigger=trigger, display_name=display_name, user_id=user_id)
        touch_flow(flow["id"], display_name=display_name)
        return None
    if kind == "UPDATE_METADATA":
        metadata = request_body.get("metadata", ...)
        if metadata is not None and not isinstance(metadata, dict):
            raise schema_error("body/request must have required property 'metadata'")
        touch_flow(flow["id"], metadata=None if metadata is None else db.dumps(metadata))
        return None
    if kind == "CHANGE_FOLDER":
        folder_id = request_body.get("folderId")
        if folder_id is not None and not isinstance(folder_id, str):
            raise schema_error("body/request/folderId must be string")
        touch_flow(flow["id"], folder_id=folder_id)
        return None
    if kind == "LOCK_AND_PUBLISH":
        status = request_body.get("status") or "ENABLED"
        if status not in FLOW_STATUSES:
            raise schema_error("body/request/status must be equal to one of the allowed values")
        latest = latest_version(flow["id"])
        if not latest["valid"]:
            raise invalid_operation(invalid_reason(db.loads(latest["trigger"])) or "The flow version is not valid.")
        db.conn().execute(
            "UPDATE ap_flow_versions SET state = 'LOCKED', updated = ? WHERE id = ?", (db.now_iso(), latest["id"])
        )
        touch_flow(flow["id"], published_version_id=latest["id"], status=status)
        return None
    if kind == "CHANGE_STATUS":
        status = request_body.get("status")
        if status not in FLOW_STATUSES:
            raise schema_error("body/request/status must be equal to one of the allowed values")
        if status == flow["status"]:
            return None
        if status == "ENABLED" and not flow["published_version_id"]:
            raise invalid_operation("The flow has never been published: publish it to enable it.")
        touch_flow(flow["id"], status=status)
        return None
    raise AssertionError(kind)
