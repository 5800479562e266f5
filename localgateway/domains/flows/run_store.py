"""Runs (flows.md#runs): stored QUEUED → RUNNING → terminal, executed by ``engine``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ... import db
from . import engine
from .schema import RUN_STAGE_DELAY, _tasks, new_id


def run_json(row: dict, *, with_steps: bool) -> dict:
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


def run_insert(*, flow: dict, version: dict, environment: str, created: str | None = None) -> str:
    run_id, now = new_id(), created or db.now_iso()
    db.conn().execute(
        "INSERT INTO ap_flow_runs (id, project_id, flow_id, flow_version_id, display_name, created, updated, status,"
        " environment) VALUES (?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?)",
        (run_id, flow["project_id"], flow["id"], version["id"], version["display_name"], now, now, environment),
    )
    return run_id


def run_update(run_id: str, **columns: Any) -> None:
    columns["updated"] = db.now_iso()
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.conn().execute(f"UPDATE ap_flow_runs SET {assignments} WHERE id = ?", [*columns.values(), run_id])  # noqa: S608


def run_sync(
    *,
    run_id: str,
    organization_id: str,
    trigger: dict,
    request_payload: dict,
    on_response: Callable[[engine.WebhookResponse], None] | None = None,
) -> engine.RunResult:
    """Execute the run now and store its outcome."""
    start, started = db.now_iso(), time.perf_counter()
    run_update(run_id, status="RUNNING", start_time=start)
    flow_id = db.conn().execute("SELECT flow_id FROM ap_flow_runs WHERE id = ?", (run_id,)).fetchone()[0]
    try:
        result = engine.execute(
            trigger=trigger,
            request=request_payload,
            organization_id=organization_id,
            on_response=on_response,
            flow_id=flow_id,
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
    run_update(
        run_id,
        status=result.status,
        finish_time=db.now_iso(),
        duration=max(1, round((time.perf_counter() - started) * 1000)),
        steps=db.dumps(result.steps),
        failed_step=db.dumps(result.failed_step) if result.failed_step else None,
    )
    return result


async def run_later(*, run_id: str, organization_id: str, trigger: dict, request_payload: dict) -> None:
    await asyncio.sleep(RUN_STAGE_DELAY)
    run_update(run_id, status="RUNNING", start_time=db.now_iso())
    await asyncio.sleep(RUN_STAGE_DELAY)
    run_sync(run_id=run_id, organization_id=organization_id, trigger=trigger, request_payload=request_payload)


def background(coroutine) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
