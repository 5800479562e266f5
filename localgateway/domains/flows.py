"""Activepieces (the workflow engine) behind ``/activepieces``: flows, webhooks and runs.

Follows docs/contract/flows.md: one project per organisation, created on
its first call (#the-project); SeekPage lists with opaque cursors
(#lists-and-cursors); the flow operations and version states (#operations,
#publishing); webhooks with their status codes and the sync listener's timeout
(#webhooks); runs that go QUEUED → RUNNING → terminal (#runs).
The steps themselves run in ``flow_engine``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import string
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from .. import db
from ..config import Config
from ..config import load as load_config
from ..routing import ACTIVEPIECES, under
from . import flow_engine as engine

SCHEMA = """
CREATE TABLE IF NOT EXISTS ap_projects (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ap_users (
    id TEXT PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ap_flows (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    display_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'DISABLED',
    published_version_id TEXT,
    metadata TEXT,
    operation_status TEXT NOT NULL DEFAULT 'NONE',
    folder_id TEXT,
    external_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ap_flows_by_project ON ap_flows (project_id, updated, id);
CREATE TABLE IF NOT EXISTS ap_flow_versions (
    id TEXT PRIMARY KEY,
    flow_id TEXT NOT NULL REFERENCES ap_flows (id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    display_name TEXT NOT NULL,
    trigger TEXT NOT NULL,
    valid INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_by TEXT
);
CREATE INDEX IF NOT EXISTS ap_flow_versions_by_flow ON ap_flow_versions (flow_id);
CREATE TABLE IF NOT EXISTS ap_flow_runs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    flow_id TEXT NOT NULL REFERENCES ap_flows (id) ON DELETE CASCADE,
    flow_version_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    status TEXT NOT NULL,
    environment TEXT NOT NULL,
    start_time TEXT,
    finish_time TEXT,
    duration INTEGER,
    failed_step TEXT,
    steps TEXT
);
CREATE INDEX IF NOT EXISTS ap_flow_runs_by_project ON ap_flow_runs (project_id, environment, created, id);
"""

PLATFORM_ID = "LocalSharedPlatform01"
_ALPHABET = string.ascii_letters + string.digits
_AP_ID = re.compile(r"^[0-9a-zA-Z]{21}$")
_ORG_ID = re.compile(r"^org_[A-Za-z0-9_-]{1,96}$")
FLOW_STATUSES = ("ENABLED", "DISABLED")
RUN_STATUSES = (
    "QUEUED",
    "RUNNING",
    "PAUSED",
    "SUCCEEDED",
    "FAILED",
    "TIMEOUT",
    "QUOTA_EXCEEDED",
    "MEMORY_LIMIT_EXCEEDED",
    "CANCELED",
    "INTERNAL_ERROR",
)
ACTION_TYPES = ("CODE", "PIECE", "LOOP_ON_ITEMS", "ROUTER", "MULTIPLE_CHOICE")
GRAPH_OPERATIONS = {"UPDATE_TRIGGER", "ADD_ACTION", "UPDATE_ACTION", "DELETE_ACTION", "SET_SKIP_ACTION"}
VERSION_OPERATIONS = GRAPH_OPERATIONS | {"CHANGE_NAME", "IMPORT_FLOW"}
FLOW_OPERATIONS = VERSION_OPERATIONS | {"UPDATE_METADATA", "CHANGE_FOLDER", "LOCK_AND_PUBLISH", "CHANGE_STATUS"}
FLOW_IN_USE_WINDOW = 60.0
DELETE_DELAY = 1.0
# How long an async run waits in QUEUED and then in RUNNING, as a queue worker would.
RUN_STAGE_DELAY = float(os.environ.get("LOCALGATEWAY_FLOW_RUN_DELAY", "1.0"))
_tasks: set[asyncio.Task] = set()


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(21))


# --- errors ----------------------------------------------------------------------------------------


def ap_error(status: int, code: str, params: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "params": params or {}}, status)


def invalid_operation(message: str) -> JSONResponse:
    return ap_error(400, "FLOW_OPERATION_INVALID", {"message": message})


def schema_error(message: str) -> JSONResponse:
    return JSONResponse(
        {"statusCode": 400, "code": "FST_ERR_VALIDATION", "error": "Bad Request", "message": message}, 400
    )


def not_found(entity: str, entity_id: str) -> JSONResponse:
    return ap_error(404, "ENTITY_NOT_FOUND", {"entityType": entity, "entityId": entity_id})


# --- projects and principals (flows.md#the-project) -------------------------------------------------


def project_for(organization_id: str) -> str:
    """The organisation's one project, created on first use."""
    conn = db.conn()
    row = conn.execute("SELECT id FROM ap_projects WHERE organization_id = ?", (organization_id,)).fetchone()
    if row:
        return row["id"]
    project_id, now = new_id(), db.now_iso()
    conn.execute(
        "INSERT OR IGNORE INTO ap_projects (id, organization_id, display_name, created, updated)"
        " VALUES (?, ?, ?, ?, ?)",
        (project_id, organization_id, f"Organization {organization_id}", now, now),
    )
    return conn.execute("SELECT id FROM ap_projects WHERE organization_id = ?", (organization_id,)).fetchone()["id"]


def _user_for(external_id: str) -> dict:
    conn = db.conn()
    row = conn.execute("SELECT * FROM ap_users WHERE external_id = ?", (external_id,)).fetchone()
    if row is None:
        now = db.now_iso()
        conn.execute(
            "INSERT OR IGNORE INTO ap_users (id, external_id, created, updated) VALUES (?, ?, ?, ?)",
            (new_id(), external_id, now, now),
        )
        row = conn.execute("SELECT * FROM ap_users WHERE external_id = ?", (external_id,)).fetchone()
    return dict(row)


def _principal(request: Request) -> tuple[str, dict] | JSONResponse:
    """(project id, AP user) for the caller, as the dashboard handler derives them from the identity headers."""
    identity = request.state.identity
    if not _ORG_ID.match(identity.organization_id or ""):
        return ap_error(409, "VALIDATION", {"message": "invalid x-organization-id header"})
    return project_for(identity.organization_id), _user_for(identity.user_id or f"org-user-{identity.organization_id}")


# --- cursors (flows.md#lists-and-cursors) -----------------------------------------------------------


def _encode_cursor(direction: str, key: str, row_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([direction, key, row_id]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str, str] | None:
    try:
        direction, key, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if direction not in ("n", "p") or not isinstance(key, str) or not isinstance(row_id, str):
        return None
    return direction, key, row_id


def _seek(
    *, table: str, where: str, params: list, order: str, limit: int, cursor: str | None
) -> tuple[list, str | None, str | None] | JSONResponse:
    """Keyset paging newest first on ``(order, id)``; returns rows, next and previous cursors."""
    direction, key, row_id = "n", None, None
    if cursor:
        decoded = _decode_cursor(cursor)
        if decoded is None:
            return schema_error("querystring/cursor must be a valid cursor")
        direction, key, row_id = decoded
    conn = db.conn()
    older = f"({order} < ? OR ({order} = ? AND id < ?))"
    newer = f"({order} > ? OR ({order} = ? AND id > ?))"
    if key is None:
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {where} ORDER BY {order} DESC, id DESC LIMIT ?",  # noqa: S608
            [*params, limit + 1],
        ).fetchall()
        more_after, more_before = len(rows) > limit, False
        rows = rows[:limit]
    elif direction == "n":
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {where} AND {older} ORDER BY {order} DESC, id DESC LIMIT ?",  # noqa: S608
            [*params, key, key, row_id, limit + 1],
        ).fetchall()
        more_after, more_before = len(rows) > limit, True
        rows = rows[:limit]
    else:
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {where} AND {newer} ORDER BY {order} ASC, id ASC LIMIT ?",  # noqa: S608
            [*params, key, key, row_id, limit + 1],
        ).fetchall()
        more_before, more_after = len(rows) > limit, True
        rows = list(reversed(rows[:limit]))
    next_cursor = _encode_cursor("n", rows[-1][order], rows[-1]["id"]) if rows and more_after else None
    previous_cursor = _encode_cursor("p", rows[0][order], rows[0]["id"]) if rows and more_before else None
    return rows, next_cursor, previous_cursor


def _limit(request: Request) -> int | JSONResponse:
    raw = request.query_params.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        return schema_error("querystring/limit must be number")
    if not 1 <= limit <= 1000:
        return schema_error("querystring/limit must be between 1 and 1000")
    return limit


def _multi(request: Request, name: str) -> list[str]:
    """A typebox array query param: repeated, or ``name[]``."""
    return [*request.query_params.getlist(name), *request.query_params.getlist(f"{name}[]")]


# --- flows: storage and JSON ------------------------------------------------------------------------


def _flow_row(flow_id: str, project_id: str | None = None) -> dict | None:
    row = db.conn().execute("SELECT * FROM ap_flows WHERE id = ?", (flow_id,)).fetchone()
    if row is None or (project_id is not None and row["project_id"] != project_id):
        return None
    return dict(row)


def _latest_version(flow_id: str) -> dict:
    row = (
        db.conn()
        .execute("SELECT * FROM ap_flow_versions WHERE flow_id = ? ORDER BY rowid DESC LIMIT 1", (flow_id,))
        .fetchone()
    )
    return dict(row)


def _version(version_id: str) -> dict | None:
    row = db.conn().execute("SELECT * FROM ap_flow_versions WHERE id = ?", (version_id,)).fetchone()
    return dict(row) if row else None


def _version_json(version: dict) -> dict:
    return {
        "id": version["id"],
        "created": version["created"],
        "updated": version["updated"],
        "flowId": version["flow_id"],
        "displayName": version["display_name"],
        "trigger": db.loads(version["trigger"]),
        "valid": bool(version["valid"]),
        "state": version["state"],
        "schemaVersion": "1",
        "updatedBy": version["updated_by"],
        "connectionIds": [],
        "agentIds": [],
        "backupFiles": None,
    }


def flow_json(flow: dict, version: dict | None = None, *, with_trigger_source: bool = True) -> dict:
    body = {
        "id": flow["id"],
        "created": flow["created"],
        "updated": flow["updated"],
        "projectId": flow["project_id"],
        "externalId": flow["external_id"],
        "folderId": flow["folder_id"],
        "status": flow["status"],
        "publishedVersionId": flow["published_version_id"],
        "metadata": db.loads(flow["metadata"]),
        "operationStatus": flow["operation_status"],
        "version": _version_json(version or _latest_version(flow["id"])),
    }
    if with_trigger_source and flow["status"] == "ENABLED" and flow["published_version_id"]:
        body["triggerSource"] = {"schedule": None}
    return body


def _empty_trigger() -> dict:
    return {"type": "EMPTY", "name": "trigger", "settings": {}, "valid": False, "displayName": "Select Trigger"}


def flow_create(
    *, project_id: str, display_name: str, metadata: dict | None = None, folder_id: str | None = None
) -> dict:
    flow_id, version_id, now = new_id(), new_id(), db.now_iso()
    conn = db.conn()
    conn.execute("BEGIN")
    try:
        conn.execute(
            "INSERT INTO ap_flows (id, project_id, created, updated, display_name, metadata, folder_id, external_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                flow_id,
                project_id,
                now,
                now,
                display_name,
                db.dumps(metadata) if metadata is not None else None,
                folder_id,
                flow_id,
            ),
        )
        conn.execute(
            "INSERT INTO ap_flow_versions (id, flow_id, created, updated, display_name, trigger, valid, state)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, 'DRAFT')",
            (version_id, flow_id, now, now, display_name, db.dumps(_empty_trigger())),
        )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return _flow_row(flow_id)


def _save_version(version: dict, *, trigger: dict, display_name: str, user_id: str | None) -> None:
    now = db.now_iso()
    db.conn().execute(
        "UPDATE ap_flow_versions SET trigger = ?, valid = ?, display_name = ?, updated = ?, updated_by = ?"
        " WHERE id = ?",
        (db.dumps(trigger), int(engine.version_valid(trigger)), display_name, now, user_id, version["id"]),
    )


def _touch_flow(flow_id: str, **columns: Any) -> None:
    columns["updated"] = db.now_iso()
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.conn().execute(f"UPDATE ap_flows SET {assignments} WHERE id = ?", [*columns.values(), flow_id])  # noqa: S608


def _draft_of(flow: dict, user_id: str) -> dict:
    """The version graph operations edit: the latest one, or a new draft copied from a locked one."""
    latest = _latest_version(flow["id"])
    if latest["state"] == "DRAFT":
        return latest
    version_id, now = new_id(), db.now_iso()
    db.conn().execute(
        "INSERT INTO ap_flow_versions (id, flow_id, created, updated, display_name, trigger, valid, state, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'DRAFT', ?)",
        (version_id, flow["id"], now, now, latest["display_name"], latest["trigger"], latest["valid"], user_id),
    )
    return _latest_version(flow["id"])


def _in_use_by_other(version: dict, user_id: str) -> bool:
    if not version["updated_by"] or version["updated_by"] == user_id:
        return False
    updated = datetime.strptime(version["updated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (datetime.now(UTC) - updated).total_seconds() < FLOW_IN_USE_WINDOW


def invalid_reason(trigger: dict) -> str:
    """Why a version cannot be published, in words an operator can act on."""
    if trigger.get("type") == "EMPTY":
        return "The trigger is empty: choose a trigger before publishing."
    if not trigger.get("valid"):
        return "The trigger is not configured completely."
    for step in engine.chain(trigger):
        if not step.get("valid"):
            return f"The step {step.get('displayName') or step.get('name')} is not configured completely."
    return ""


# --- flow operations (flows.md#operations) ----------------------------------------------------------


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


def _prepare_action(action: dict) -> dict | JSONResponse:
    if action["type"] not in ("PIECE", "CODE"):
        return invalid_operation(f"{action['type']} steps are not supported by this engine")
    if action["type"] == "PIECE":
        settings = action["settings"]
        if settings.get("pieceName") in engine.PIECES and not engine.piece_version_known(
            settings["pieceName"], settings.get("pieceVersion", "")
        ):
            return not_found("piece", f"{settings['pieceName']}@{settings.get('pieceVersion')}")
    prepared = {key: value for key, value in action.items() if key != "nextAction"}
    prepared.setdefault("skip", False)
    engine.validate_action(prepared)
    return prepared


def _apply_graph(kind: str, request_body: dict, trigger: dict) -> dict | JSONResponse:
    """The new trigger (with its chain) after one graph operation."""
    actions = engine.chain(trigger)
    names = [step["name"] for step in actions]
    if kind == "UPDATE_TRIGGER":
        if request_body.get("type") not in ("EMPTY", "PIECE_TRIGGER"):
            return schema_error("body/request/type must be equal to one of the allowed values")
        if not isinstance(request_body.get("settings"), dict):
            return schema_error("body/request must have required property 'settings'")
        new_trigger = {key: value for key, value in request_body.items() if key != "nextAction"}
        new_trigger["name"] = "trigger"
        new_trigger.setdefault("displayName", "Trigger")
        settings = new_trigger["settings"]
        if (
            new_trigger["type"] == "PIECE_TRIGGER"
            and settings.get("pieceName") in engine.PIECES
            and not engine.piece_version_known(settings["pieceName"], settings.get("pieceVersion", ""))
        ):
            return not_found("piece", f"{settings['pieceName']}@{settings.get('pieceVersion')}")
        engine.validate_trigger(new_trigger)
        return engine.link(new_trigger, actions)
    if kind == "ADD_ACTION":
        parent = request_body.get("parentStep")
        if not isinstance(parent, str):
            return schema_error("body/request must have required property 'parentStep'")
        message = _action_shape(request_body.get("action"))
        if message:
            return schema_error(message)
        location = request_body.get("stepLocationRelativeToParent") or "AFTER"
        if location != "AFTER":
            return invalid_operation(f"{location} needs a loop or router step, which this engine does not support")
        if parent != "trigger" and parent not in names:
            return invalid_operation(f"parent step {parent} not found")
        action = request_body["action"]
        if action["name"] == "trigger" or action["name"] in names:
            return invalid_operation(f"step name {action['name']} is already used")
        prepared = _prepare_action(action)
        if isinstance(prepared, JSONResponse):
            return prepared
        position = 0 if parent == "trigger" else names.index(parent) + 1
        actions.insert(position, prepared)
        return engine.link(trigger, actions)
    if kind == "UPDATE_ACTION":
        message = _action_shape(request_body)
        if message:
            return schema_error(message.replace("body/request/action", "body/request"))
        if request_body["name"] not in names:
            return invalid_operation(f"step {request_body['name']} not found")
        prepared = _prepare_action(request_body)
        if isinstance(prepared, JSONResponse):
            return prepared
        actions[names.index(request_body["name"])] = prepared
        return engine.link(trigger, actions)
    if kind in ("DELETE_ACTION", "SET_SKIP_ACTION"):
        targets = request_body.get("names")
        if targets is None and isinstance(request_body.get("name"), str):
            targets = [request_body["name"]]
        if not isinstance(targets, list) or not all(isinstance(name, str) for name in targets):
            return schema_error("body/request must have required property 'names'")
        unknown = [name for name in targets if name not in names]
        if unknown:
            return invalid_operation(f"step {unknown[0]} not found")
        if kind == "DELETE_ACTION":
            return engine.link(trigger, [step for step in actions if step["name"] not in targets])
        skip = bool(request_body.get("skip"))
        return engine.link(trigger, [{**step, "skip": skip} if step["name"] in targets else step for step in actions])
    raise AssertionError(kind)


def _import_trigger(request_body: dict) -> dict | JSONResponse:
    trigger = request_body.get("trigger")
    if not isinstance(trigger, dict):
        return schema_error("body/request must have required property 'trigger'")
    actions = []
    for action in engine.chain(trigger):
        message = _action_shape(action)
        if message:
            return schema_error(message.replace("body/request/action", "body/request/trigger/nextAction"))
        prepared = _prepare_action(action)
        if isinstance(prepared, JSONResponse):
            return prepared
        actions.append(prepared)
    new_trigger = {key: value for key, value in trigger.items() if key != "nextAction"}
    new_trigger["name"] = "trigger"
    if new_trigger.get("type") not in ("EMPTY", "PIECE_TRIGGER") or not isinstance(new_trigger.get("settings"), dict):
        return schema_error("body/request/trigger must be a trigger")
    engine.validate_trigger(new_trigger)
    return engine.link(new_trigger, actions)


def flow_operation(*, flow: dict, kind: str, request_body: dict, user_id: str) -> JSONResponse | None:
    """Apply one operation; an error response, or None when it went through."""
    if kind in VERSION_OPERATIONS:
        latest = _latest_version(flow["id"])
        if _in_use_by_other(latest, user_id):
            return ap_error(409, "FLOW_IN_USE", {"flowVersionId": latest["id"], "message": "Flow is being edited"})
        trigger = db.loads(latest["trigger"])
        display_name = latest["display_name"]
        if kind == "CHANGE_NAME":
            display_name = request_body.get("displayName")
            if not isinstance(display_name, str) or not display_name.strip():
                return schema_error("body/request must have required property 'displayName'")
            display_name = display_name.strip()
        elif kind == "IMPORT_FLOW":
            trigger = _import_trigger(request_body)
            if isinstance(trigger, JSONResponse):
                return trigger
            if isinstance(request_body.get("displayName"), str) and request_body["displayName"].strip():
                display_name = request_body["displayName"].strip()
        else:
            trigger = _apply_graph(kind, request_body, trigger)
            if isinstance(trigger, JSONResponse):
                return trigger
        version = _draft_of(flow, user_id)
        _save_version(version, trigger=trigger, display_name=display_name, user_id=user_id)
        _touch_flow(flow["id"], display_name=display_name)
        return None
    if kind == "UPDATE_METADATA":
        metadata = request_body.get("metadata", ...)
        if metadata is not None and not isinstance(metadata, dict):
            return schema_error("body/request must have required property 'metadata'")
        _touch_flow(flow["id"], metadata=None if metadata is None else db.dumps(metadata))
        return None
    if kind == "CHANGE_FOLDER":
        folder_id = request_body.get("folderId")
        if folder_id is not None and not isinstance(folder_id, str):
            return schema_error("body/request/folderId must be string")
        _touch_flow(flow["id"], folder_id=folder_id)
        return None
    if kind == "LOCK_AND_PUBLISH":
        status = request_body.get("status") or "ENABLED"
        if status not in FLOW_STATUSES:
            return schema_error("body/request/status must be equal to one of the allowed values")
        latest = _latest_version(flow["id"])
        if not latest["valid"]:
            return invalid_operation(invalid_reason(db.loads(latest["trigger"])) or "The flow version is not valid.")
        db.conn().execute(
            "UPDATE ap_flow_versions SET state = 'LOCKED', updated = ? WHERE id = ?", (db.now_iso(), latest["id"])
        )
        _touch_flow(flow["id"], published_version_id=latest["id"], status=status)
        return None
    if kind == "CHANGE_STATUS":
        status = request_body.get("status")
        if status not in FLOW_STATUSES:
            return schema_error("body/request/status must be equal to one of the allowed values")
        if status == flow["status"]:
            return None
        if status == "ENABLED" and not flow["published_version_id"]:
            return invalid_operation("The flow has never been published: publish it to enable it.")
        _touch_flow(flow["id"], status=status)
        return None
    raise AssertionError(kind)


# --- runs (flows.md#runs) ---------------------------------------------------------------------------


def _run_json(row: dict, *, with_steps: bool) -> dict:
    body = {
        "id": row["id"],
        "created": row["created"],
        "updated": row["updated"],
        "projectId": row["project_id"],
        "flowId": row["flow_id"],
        "flowVersionId": row["flow_version_id"],
        "flowVersion": {"displayName": row["display_name"]},
        "flowDisplayName": row["display_name"],
        "parentRunId": None,
        "failParentOnFailure": True,
        "tags": [],
        "logsFileId": None,
        "tasks": len(db.loads(row["steps"]) or {}) or None,
        "status": row["status"],
        "duration": row["duration"],
        "startTime": row["start_time"],
        "finishTime": row["finish_time"],
        "environment": row["environment"],
        "failedStep": db.loads(row["failed_step"]),
        "archivedAt": None,
        "stepNameToTest": None,
    }
    if with_steps:
        body["steps"] = db.loads(row["steps"]) or {}
    return body


def _run_insert(*, flow: dict, version: dict, environment: str, created: str | None = None) -> str:
    run_id, now = new_id(), created or db.now_iso()
    db.conn().execute(
        "INSERT INTO ap_flow_runs (id, project_id, flow_id, flow_version_id, display_name, created, updated, status,"
        " environment) VALUES (?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?)",
        (run_id, flow["project_id"], flow["id"], version["id"], version["display_name"], now, now, environment),
    )
    return run_id


def _run_update(run_id: str, **columns: Any) -> None:
    columns["updated"] = db.now_iso()
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.conn().execute(f"UPDATE ap_flow_runs SET {assignments} WHERE id = ?", [*columns.values(), run_id])  # noqa: S608


def _board_item_create(organization_id: str, board_id: str, fields: dict) -> dict:
    from . import boards

    return boards.board_item_create(organization_id, board_id, fields)


def _run_sync(
    *,
    run_id: str,
    organization_id: str,
    trigger: dict,
    request_payload: dict,
    on_response: Callable[[engine.WebhookResponse], None] | None = None,
    board_item_create: engine.BoardItemCreate = _board_item_create,
) -> engine.RunResult:
    """Execute the run now and store its outcome."""
    start, started = db.now_iso(), time.perf_counter()
    _run_update(run_id, status="RUNNING", start_time=start)
    try:
        result = engine.execute(
            trigger=trigger,
            request=request_payload,
            organization_id=organization_id,
            board_item_create=board_item_create,
            on_response=on_response,
        )
    except Exception as exc:  # an engine bug must end the run, not leave it RUNNING forever
        result = engine.RunResult(status="INTERNAL_ERROR")
        result.steps["trigger"] = {
            "type": "PIECE_TRIGGER",
            "status": "SUCCEEDED",
            "input": {},
            "output": request_payload,
        }
        result.failed_step = {"name": "engine", "displayName": f"Engine error: {exc.__class__.__name__}"}
    _run_update(
        run_id,
        status=result.status,
        finish_time=db.now_iso(),
        duration=max(1, round((time.perf_counter() - started) * 1000)),
        steps=db.dumps(result.steps),
        failed_step=db.dumps(result.failed_step) if result.failed_step else None,
    )
    return result


async def _run_later(*, run_id: str, organization_id: str, trigger: dict, request_payload: dict) -> None:
    await asyncio.sleep(RUN_STAGE_DELAY)
    _run_update(run_id, status="RUNNING", start_time=db.now_iso())
    await asyncio.sleep(RUN_STAGE_DELAY)
    _run_sync(run_id=run_id, organization_id=organization_id, trigger=trigger, request_payload=request_payload)


def _background(coroutine) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


# --- webhooks (flows.md#webhooks) -------------------------------------------------------------------


def _organization_of(project_id: str) -> str:
    return db.conn().execute("SELECT organization_id FROM ap_projects WHERE id = ?", (project_id,)).fetchone()[0]


async def _incoming(request: Request) -> dict:
    """The trigger's output: ``{method, headers, body, queryParams}``."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    body: Any = {}
    if raw:
        if "json" in content_type:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = raw.decode(errors="replace")
        elif "x-www-form-urlencoded" in content_type:
            body = dict((await request.form()).items())
        else:
            body = raw.decode(errors="replace")
    headers = {key: value for key, value in request.headers.items() if key not in ("x-api-key", "authorization")}
    return {"method": request.method, "headers": headers, "body": body, "queryParams": dict(request.query_params)}


def _webhook_response(response: engine.WebhookResponse, webhook_id: str) -> Response:
    headers = {**response.headers, "x-webhook-id": webhook_id}
    if response.response_type == "redirect":
        return Response(status_code=301, headers=headers)
    if response.response_type == "raw":
        text = response.body if isinstance(response.body, str) else json.dumps(response.body)
        return Response(text or "", status_code=response.status, headers=headers, media_type="text/plain")
    if response.body is None:
        return Response(status_code=response.status, headers=headers)
    return JSONResponse(response.body, status_code=response.status, headers=headers)


async def run_and_wait(
    *, flow: dict, version: dict, environment: str, request_payload: dict, wait_seconds: float
) -> tuple[int, dict, Any, str]:
    """Run the version and answer as the sync listener does: (status, headers, body, response type)."""
    run_id = _run_insert(flow=flow, version=version, environment=environment)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    answered: asyncio.Future = loop.create_future()

    def on_response(response: engine.WebhookResponse) -> None:
        if not answered.done():
            answered.set_result(response)

    result = _run_sync(
        run_id=run_id,
        organization_id=_organization_of(flow["project_id"]),
        trigger=db.loads(version["trigger"]),
        request_payload=request_payload,
        on_response=on_response,
    )
    if answered.done():
        response = answered.result()
        return response.status, response.headers, response.body, response.response_type
    if result.status in ("FAILED", "MEMORY_LIMIT_EXCEEDED"):
        return 500, {}, {"message": "The flow has failed and there is no response returned"}, "json"
    if result.status == "INTERNAL_ERROR":
        return 500, {}, {"message": "An internal error has occurred"}, "json"
    # Finished without a Return Response: nothing is published, so the listener waits out its timeout.
    await asyncio.sleep(max(0.0, deadline - loop.time()))
    return 204, {}, None, "empty"


def routes(config: Config) -> list[BaseRoute]:
    def flow_or_error(request: Request, project_id: str) -> dict | JSONResponse:
        flow_id = request.path_params["flow_id"]
        if not _AP_ID.match(flow_id):
            return schema_error('params/id must match pattern "^[0-9a-zA-Z]{21}$"')
        flow = _flow_row(flow_id, project_id)
        return flow if flow is not None else not_found("flow", flow_id)

    async def flow_list(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        project_id, _ = principal
        limit = _limit(request)
        if isinstance(limit, JSONResponse):
            return limit
        where, params = ["project_id = ?", "operation_status != 'DELETING'"], [project_id]
        statuses = _multi(request, "status")
        if any(status not in FLOW_STATUSES for status in statuses):
            return schema_error("querystring/status/0 must be equal to one of the allowed values")
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
        name = request.query_params.get("name")
        if name:
            where.append("LOWER(display_name) LIKE ? ESCAPE '\\'")
            escaped = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        folder_id = request.query_params.get("folderId")
        if folder_id == "NULL":
            where.append("folder_id IS NULL")
        elif folder_id:
            where.append("folder_id = ?")
            params.append(folder_id)
        external_ids = _multi(request, "externalIds")
        if external_ids:
            where.append(f"external_id IN ({','.join('?' * len(external_ids))})")
            params.extend(external_ids)
        version_state = request.query_params.get("versionState", "DRAFT")
        if version_state not in ("DRAFT", "LOCKED"):
            return schema_error("querystring/versionState must be equal to one of the allowed values")
        page = _seek(
            table="ap_flows",
            where=" AND ".join(where),
            params=params,
            order="updated",
            limit=limit,
            cursor=request.query_params.get("cursor"),
        )
        if isinstance(page, JSONResponse):
            return page
        rows, next_cursor, previous_cursor = page
        data = []
        for row in rows:
            flow = dict(row)
            version = None
            if version_state == "LOCKED":
                if not flow["published_version_id"]:
                    return not_found("FlowVersion", flow["id"])
                version = _version(flow["published_version_id"])
            data.append(flow_json(flow, version))
        return JSONResponse({"data": data, "next": next_cursor, "previous": previous_cursor})

    async def flow_count(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        project_id, _ = principal
        where, params = "project_id = ? AND operation_status != 'DELETING'", [project_id]
        statuses = [status for status in _multi(request, "status") if status in FLOW_STATUSES]
        if statuses:
            where += f" AND status IN ({','.join('?' * len(statuses))})"
            params.extend(statuses)
        return JSONResponse(db.conn().execute(f"SELECT COUNT(*) FROM ap_flows WHERE {where}", params).fetchone()[0])  # noqa: S608

    async def flow_create_route(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        project_id, _ = principal
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return schema_error("body must be object")
        if not isinstance(body, dict):
            return schema_error("body must be object")
        display_name = body.get("displayName")
        if not isinstance(display_name, str) or not display_name.strip():
            return schema_error("body must have required property 'displayName'")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            return schema_error("body/metadata must be object")
        folder_id = body.get("folderId") if isinstance(body.get("folderId"), str) else None
        flow = flow_create(
            project_id=project_id, display_name=display_name.strip(), metadata=metadata, folder_id=folder_id
        )
        return JSONResponse(flow_json(flow, with_trigger_source=False), 201)

    async def flow_get(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        flow = flow_or_error(request, principal[0])
        if isinstance(flow, JSONResponse):
            return flow
        version = None
        version_id = request.query_params.get("versionId")
        if version_id:
            version = _version(version_id)
            if version is None or version["flow_id"] != flow["id"]:
                return not_found("FlowVersion", version_id)
        return JSONResponse(flow_json(flow, version))

    async def flow_delete(request: Request) -> Response:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        flow = flow_or_error(request, principal[0])
        if isinstance(flow, JSONResponse):
            return flow
        if flow["operation_status"] == "DELETING":
            return invalid_operation(f"Flow {flow['id']} is already being DELETING")
        db.conn().execute("UPDATE ap_flows SET operation_status = 'DELETING' WHERE id = ?", (flow["id"],))

        async def remove() -> None:
            await asyncio.sleep(DELETE_DELAY)
            db.conn().execute("DELETE FROM ap_flows WHERE id = ?", (flow["id"],))

        _background(remove())
        return Response(status_code=204)

    async def flow_operate(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        project_id, user = principal
        flow = flow_or_error(request, project_id)
        if isinstance(flow, JSONResponse):
            return flow
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return schema_error("body must be object")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return schema_error("body must have required property 'type'")
        if not isinstance(body.get("request"), dict):
            return schema_error("body must have required property 'request'")
        if body["type"] not in FLOW_OPERATIONS:
            return schema_error("body/type must be equal to one of the allowed values")
        if flow["operation_status"] == "DELETING":
            return invalid_operation(f"Flow {flow['id']} is being deleted")
        error = flow_operation(flow=flow, kind=body["type"], request_body=body["request"], user_id=user["id"])
        if error is not None:
            return error
        return JSONResponse(flow_json(_flow_row(flow["id"])))

    async def webhook(request: Request) -> Response:
        webhook_id = str(uuid.uuid4())
        mode = request.path_params.get("mode", "")
        flow_id = request.path_params["flow_id"]
        headers = {"x-webhook-id": webhook_id}
        flow = _flow_row(flow_id) if _AP_ID.match(flow_id) else None
        if flow is None or flow["operation_status"] == "DELETING":
            return JSONResponse({}, 410, headers=headers)
        draft = mode.startswith("draft")
        if not draft and flow["status"] != "ENABLED":
            return JSONResponse({}, 404, headers=headers)
        if draft or not flow["published_version_id"]:
            version = _latest_version(flow["id"])
        else:
            version = _version(flow["published_version_id"])
        payload = await _incoming(request)
        environment = "TESTING" if draft else "PRODUCTION"
        if mode in ("sync", "draft/sync"):
            status, extra, body, kind = await run_and_wait(
                flow=flow,
                version=version,
                environment=environment,
                request_payload=payload,
                wait_seconds=config.webhook_sync_timeout,
            )
            if kind == "empty":
                return Response(status_code=status, headers=headers)
            return _webhook_response(engine.WebhookResponse(status, extra, body, kind), webhook_id)
        if draft and flow["status"] != "ENABLED":
            return JSONResponse({}, 200, headers=headers)
        run_id = _run_insert(flow=flow, version=version, environment=environment)
        _background(
            _run_later(
                run_id=run_id,
                organization_id=_organization_of(flow["project_id"]),
                trigger=db.loads(version["trigger"]),
                request_payload=payload,
            )
        )
        return JSONResponse({}, 200, headers=headers)

    async def run_list(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        project_id, _ = principal
        limit = _limit(request)
        if isinstance(limit, JSONResponse):
            return limit
        where, params = ["project_id = ?", "environment = 'PRODUCTION'"], [project_id]
        for column, values in (("flow_id", _multi(request, "flowId")), ("id", _multi(request, "flowRunIds"))):
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        statuses = _multi(request, "status")
        if any(status not in RUN_STATUSES for status in statuses):
            return schema_error("querystring/status/0 must be equal to one of the allowed values")
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
        for name, operator in (("createdAfter", ">="), ("createdBefore", "<=")):
            value = request.query_params.get(name)
            if value:
                where.append(f"created {operator} ?")
                params.append(value)
        failed_step = request.query_params.get("failedStepName")
        if failed_step:
            where.append("json_extract(failed_step, '$.name') = ?")
            params.append(failed_step)
        page = _seek(
            table="ap_flow_runs",
            where=" AND ".join(where),
            params=params,
            order="created",
            limit=limit,
            cursor=request.query_params.get("cursor"),
        )
        if isinstance(page, JSONResponse):
            return page
        rows, next_cursor, previous_cursor = page
        data = [_run_json(dict(row), with_steps=False) for row in rows]
        return JSONResponse({"data": data, "next": next_cursor, "previous": previous_cursor})

    async def run_get(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        run_id = request.path_params["run_id"]
        if not _AP_ID.match(run_id):
            return schema_error('params/id must match pattern "^[0-9a-zA-Z]{21}$"')
        row = (
            db.conn()
            .execute("SELECT * FROM ap_flow_runs WHERE id = ? AND project_id = ?", (run_id, principal[0]))
            .fetchone()
        )
        if row is None:
            return ap_error(400, "FLOW_RUN_NOT_FOUND", {"id": run_id})
        return JSONResponse(_run_json(dict(row), with_steps=True))

    async def users_me(request: Request) -> JSONResponse:
        principal = _principal(request)
        if isinstance(principal, JSONResponse):
            return principal
        project_id, user = principal
        identity = request.state.identity
        return JSONResponse(
            {
                "id": user["id"],
                "platformRole": "MEMBER",
                "status": "ACTIVE",
                "externalId": user["external_id"],
                "created": user["created"],
                "updated": user["updated"],
                "platformId": PLATFORM_ID,
                "firstName": "",
                "lastName": "",
                "email": identity.email or f"{user['id']}@external.local",
                "trackEvents": False,
                "newsLetter": False,
                "verified": True,
                "projectId": project_id,
            }
        )

    async def piece_get(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        piece = engine.PIECES.get(name)
        if piece is None:
            return not_found("piece", name)
        return JSONResponse(
            {
                "name": name,
                "displayName": piece["displayName"],
                "version": piece["version"],
                "triggers": {
                    key: {"name": key, "displayName": entry["displayName"], "props": _props_json(entry["props"])}
                    for key, entry in piece["triggers"].items()
                },
                "actions": {
                    key: {"name": key, "displayName": entry["displayName"], "props": _props_json(entry["props"])}
                    for key, entry in piece["actions"].items()
                },
            }
        )

    webhook_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return under(
        ACTIVEPIECES,
        [
            ("/v1/flows", flow_list, ["GET"]),
            ("/v1/flows", flow_create_route, ["POST"]),
            ("/v1/flows/count", flow_count, ["GET"]),
            ("/v1/flows/{flow_id}", flow_get, ["GET"]),
            ("/v1/flows/{flow_id}", flow_operate, ["POST"]),
            ("/v1/flows/{flow_id}", flow_delete, ["DELETE"]),
            ("/v1/webhooks/{flow_id}", webhook, webhook_methods),
            ("/v1/webhooks/{flow_id}/{mode:path}", _only_modes(webhook), webhook_methods),
            ("/v1/flow-runs", run_list, ["GET"]),
            ("/v1/flow-runs/{run_id}", run_get, ["GET"]),
            ("/v1/users/me", users_me, ["GET"]),
            ("/v1/pieces/{name:path}", piece_get, ["GET"]),
        ],
    )


def _only_modes(endpoint: Callable) -> Callable:
    async def guarded(request: Request) -> Response:
        if request.path_params["mode"] not in ("sync", "draft", "draft/sync"):
            return JSONResponse({"message": f"Cannot {request.method} {request.url.path}"}, 404)
        return await endpoint(request)

    return guarded


def _props_json(props: dict[str, bool]) -> dict:
    return {name: {"required": required} for name, required in props.items()}


# --- for the chat responder (interfaces.md) ---------------------------------------------------------


def _tool_name(display_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", display_name)


def flow_tools(organization_id: str, flow_ids: list[str]) -> list[dict]:
    """The bound flows a chat may call: published and enabled, with their tool description."""
    if not flow_ids:
        return []
    project_id = project_for(organization_id)
    marks = ",".join("?" * len(flow_ids))
    rows = (
        db.conn()
        .execute(
            f"SELECT * FROM ap_flows WHERE project_id = ? AND id IN ({marks}) AND status = 'ENABLED'"  # noqa: S608
            " AND published_version_id IS NOT NULL AND operation_status != 'DELETING'",
            [project_id, *flow_ids],
        )
        .fetchall()
    )
    by_id = {row["id"]: dict(row) for row in rows}
    tools = []
    for flow_id in flow_ids:
        flow = by_id.get(flow_id)
        if flow is None:
            continue
        metadata = db.loads(flow["metadata"]) or {}
        function = (
            (((metadata.get("settings") or {}).get("ai") or {}).get("function") or {})
            if isinstance(metadata, dict)
            else {}
        )
        description = function.get("description") if isinstance(function, dict) else None
        name = flow["display_name"]
        tools.append({"id": flow_id, "name": name, "description": description or name, "tool_name": _tool_name(name)})
    return tools


async def flow_run_sync(organization_id: str, flow_id: str, payload: dict) -> tuple[int, object]:
    """Run the published flow as its sync webhook would, recording a run: (status, body)."""
    config = load_config()
    project_id = project_for(organization_id)
    flow = _flow_row(flow_id, project_id) if _AP_ID.match(flow_id or "") else None
    if flow is None or flow["operation_status"] == "DELETING":
        return 410, {}
    if flow["status"] != "ENABLED" or not flow["published_version_id"]:
        return 404, {}
    request_payload = {
        "method": "POST",
        "headers": {"content-type": "application/json", "x-organization-id": organization_id},
        "body": {**payload, "method": "POST"},
        "queryParams": {},
    }
    status, _, body, _ = await run_and_wait(
        flow=flow,
        version=_version(flow["published_version_id"]),
        environment="PRODUCTION",
        request_payload=request_payload,
        wait_seconds=config.webhook_sync_timeout,
    )
    return status, body


# --- demo data --------------------------------------------------------------------------------------

LEAD_FLOW = "Create lead from webhook"
LEAD_TOOL = {
    "type": "function",
    "function": {
        "name": "Create_lead_from_webhook",
        "description": "Add a new sales lead to the Sales Pipeline board. Use it when a visitor wants to be "
        "contacted by sales; ask for the company name and a contact email first.",
        "parameters": {
            "type": "object",
            "properties": {
                "company": {"type": "string", "description": "Company or deal name"},
                "email": {"type": "string", "description": "Contact email"},
                "amount": {"type": "number", "description": "Expected deal value in USD, if known"},
            },
            "required": ["company", "email"],
        },
    },
}
# Past calls of the lead flow: (days ago, payload); the first two created deals that are on the board now.
LEAD_RUNS = [
    (6, {"company": "Tyrell Corporation", "email": "rachael@tyrell.example", "amount": 87000}),
    (3, {"company": "Stark Industries", "email": "pepper@stark.example", "amount": 350000}),
    (1, {"email": "someone@unknown.example", "amount": 5000}),
]


def _seed_trigger(board_id: str) -> dict:
    trigger = {
        "name": "trigger",
        "type": "PIECE_TRIGGER",
        "valid": True,
        "displayName": "Catch Webhook",
        "settings": {
            "pieceName": engine.WEBHOOK_PIECE,
            "pieceVersion": engine.WEBHOOK_PIECE_VERSION,
            "triggerName": "catch_webhook",
            "input": {"authType": "none", "authFields": {}},
            "propertySettings": {},
        },
    }
    steps = [
        {
            "name": "step_1",
            "type": "PIECE",
            "displayName": "Create lead on Sales Pipeline",
            "skip": False,
            "settings": {
                "pieceName": engine.BOARD_PIECE,
                "pieceVersion": engine.BOARD_PIECE_VERSION,
                "actionName": "create_board_item",
                "input": {
                    "boardId": board_id,
                    "fields": {
                        "Name": "{{trigger.body.company}}",
                        "Email": "{{trigger.body.email}}",
                        "Amount": "{{trigger.body.amount}}",
                        "Stage": "Lead",
                    },
                },
                "propertySettings": {},
            },
        },
        {
            "name": "step_2",
            "type": "PIECE",
            "displayName": "Return Response",
            "skip": False,
            "settings": {
                "pieceName": engine.WEBHOOK_PIECE,
                "pieceVersion": engine.WEBHOOK_PIECE_VERSION,
                "actionName": "return_response",
                "input": {
                    "responseType": "json",
                    "respond": "stop",
                    "fields": {
                        "status": 201,
                        "headers": {},
                        "body": {"item_id": "{{step_1.id}}", "message": "Lead {{trigger.body.company}} created"},
                    },
                },
                "propertySettings": {},
            },
        },
    ]
    engine.validate_trigger(trigger)
    for step in steps:
        engine.validate_action(step)
    return engine.link(trigger, steps)


def _existing_lead(organization_id: str, board_id: str, fields: dict) -> dict:
    """For the demo history: the deal a past run created is the one on the board with that name."""
    board = db.conn().execute("SELECT fields FROM boards WHERE id = ?", (board_id,)).fetchone()
    name_field = next((f for f in db.loads(board["fields"]) if f.get("name") == "Name"), None) if board else None
    if name_field is None or not fields.get("Name"):
        raise ValueError("Name is required")
    field_id = name_field.get("id") or name_field.get("_id")
    for row in db.conn().execute("SELECT * FROM board_items WHERE board_id = ?", (board_id,)):
        values = db.loads(row["fields"]) or {}
        if values.get(field_id) == fields["Name"]:
            return {
                "_id": row["id"],
                "id": row["id"],
                "board_item_id": row["id"],
                "organization_id": row["organization_id"],
                "board_id": row["board_id"],
                "created_type": row["created_type"],
                "fields": values,
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
    raise ValueError(f"Board has no item named {fields['Name']}")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seed(config: Config) -> None:
    """A published lead-capture flow (webhook → board item → Return Response) with runs, and a draft."""
    organization_id = config.organization_id
    project_id = project_for(organization_id)
    if db.conn().execute("SELECT 1 FROM ap_flows WHERE project_id = ? LIMIT 1", (project_id,)).fetchone():
        return
    board = (
        db.conn()
        .execute(
            "SELECT id FROM boards WHERE organization_id = ? AND name = 'Sales Pipeline' ORDER BY created_at LIMIT 1",
            (organization_id,),
        )
        .fetchone()
    )
    draft = flow_create(project_id=project_id, display_name="Escalate VIP ticket")
    _touch_flow(draft["id"], metadata=db.dumps({"tags": [{"id": "ops", "name": "operations"}]}))
    if board is None:
        return
    flow = flow_create(
        project_id=project_id,
        display_name=LEAD_FLOW,
        metadata={"tags": [{"id": "agent", "name": "agent"}], "settings": {"ai": LEAD_TOOL}},
    )
    version = _latest_version(flow["id"])
    trigger = _seed_trigger(board["id"])
    _save_version(version, trigger=trigger, display_name=LEAD_FLOW, user_id=None)
    db.conn().execute("UPDATE ap_flow_versions SET state = 'LOCKED' WHERE id = ?", (version["id"],))
    _touch_flow(flow["id"], status="ENABLED", published_version_id=version["id"])
    version = _latest_version(flow["id"])
    now = datetime.now(UTC)
    for days_ago, payload in LEAD_RUNS:
        started = now - timedelta(days=days_ago, hours=2)
        request_payload = {
            "method": "POST",
            "headers": {"content-type": "application/json", "user-agent": "website-forms/2.3"},
            "body": payload,
            "queryParams": {},
        }
        lookup = _existing_lead if payload.get("company") else _board_item_create
        result = engine.execute(
            trigger=trigger, request=request_payload, organization_id=organization_id, board_item_create=lookup
        )
        duration = 180 + 40 * days_ago
        run_id = _run_insert(
            flow=_flow_row(flow["id"]), version=version, environment="PRODUCTION", created=_iso(started)
        )
        _run_update(
            run_id,
            status=result.status,
            start_time=_iso(started),
            finish_time=_iso(started + timedelta(milliseconds=duration)),
            duration=duration,
            steps=db.dumps(result.steps),
            failed_step=db.dumps(result.failed_step) if result.failed_step else None,
        )
