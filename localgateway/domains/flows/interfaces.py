"""What the chat responder calls in-process: the bound flows as tools, and a sync run."""

from __future__ import annotations

import re

from ... import db
from ...config import load as load_config
from .principals import project_for
from .schema import AP_ID
from .store import flow_row, version_row
from .webhooks import run_and_wait


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
    flow = flow_row(flow_id, project_id) if AP_ID.match(flow_id or "") else None
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
        version=version_row(flow["published_version_id"]),
        environment="PRODUCTION",
        request_payload=request_payload,
        wait_seconds=config.webhook_sync_timeout,
    )
    return status, body
