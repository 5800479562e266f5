"""Flows and their versions in SQLite, and their JSON as the engine prints it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ... import db
from . import engine
from .schema import FLOW_IN_USE_WINDOW, new_id


def flow_row(flow_id: str, project_id: str | None = None) -> dict | None:
    row = db.conn().execute("SELECT * FROM ap_flows WHERE id = ?", (flow_id,)).fetchone()
    if row is None or (project_id is not None and row["project_id"] != project_id):
        return None
    return dict(row)


def latest_version(flow_id: str) -> dict:
    row = (
        db.conn()
        .execute("SELECT * FROM ap_flow_versions WHERE flow_id = ? ORDER BY rowid DESC LIMIT 1", (flow_id,))
        .fetchone()
    )
    return dict(row)


def version_row(version_id: str) -> dict | None:
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
        "version": _version_json(version or latest_version(flow["id"])),
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
    return flow_row(flow_id)


def save_version(version: dict, *, trigger: dict, display_name: str, user_id: str | None) -> None:
    now = db.now_iso()
    db.conn().execute(
        "UPDATE ap_flow_versions SET trigger = ?, valid = ?, display_name = ?, updated = ?, updated_by = ?"
        " WHERE id = ?",
        (db.dumps(trigger), int(engine.version_valid(trigger)), display_name, now, user_id, version["id"]),
    )


def touch_flow(flow_id: str, **columns: Any) -> None:
    columns["updated"] = db.now_iso()
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.conn().execute(f"UPDATE ap_flows SET {assignments} WHERE id = ?", [*columns.values(), flow_id])  # noqa: S608


def draft_of(flow: dict, user_id: str) -> dict:
    """The version graph operations edit: the latest one, or a new draft copied from a locked one."""
    latest = latest_version(flow["id"])
    if latest["state"] == "DRAFT":
        return latest
    version_id, now = new_id(), db.now_iso()
    db.conn().execute(
        "INSERT INTO ap_flow_versions (id, flow_id, created, updated, display_name, trigger, valid, state, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'DRAFT', ?)",
        (version_id, flow["id"], now, now, latest["display_name"], latest["trigger"], latest["valid"], user_id),
    )
    return latest_version(flow["id"])


def in_use_by_other(version: dict, user_id: str) -> bool:
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
