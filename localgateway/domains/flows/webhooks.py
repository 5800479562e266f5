"""Webhook routes (flows.md#webhooks): status codes, the sync listener and its timeout."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import db
from ...errors import ApiError
from . import engine
from .run_store import background, run_insert, run_later, run_sync
from .schema import AP_ID
from .store import flow_row, latest_version, version_row


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
    run_id = run_insert(flow=flow, version=version, environment=environment)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    answered: asyncio.Future = loop.create_future()

    def on_response(response: engine.WebhookResponse) -> None:
        if not answered.done():
            answered.set_result(response)

    result = run_sync(
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


async def webhook(request: Request) -> Response:
    webhook_id = str(uuid.uuid4())
    mode = request.path_params.get("mode", "")
    flow_id = request.path_params["flow_id"]
    headers = {"x-webhook-id": webhook_id}
    flow = flow_row(flow_id) if AP_ID.match(flow_id) else None
    if flow is None or flow["operation_status"] == "DELETING":
        raise ApiError(410, {}, headers)
    draft = mode.startswith("draft")
    if not draft and flow["status"] != "ENABLED":
        raise ApiError(404, {}, headers)
    if draft or not flow["published_version_id"]:
        version = latest_version(flow["id"])
    else:
        version = version_row(flow["published_version_id"])
    payload = await _incoming(request)
    environment = "TESTING" if draft else "PRODUCTION"
    if mode in ("sync", "draft/sync"):
        status, extra, body, kind = await run_and_wait(
            flow=flow,
            version=version,
            environment=environment,
            request_payload=payload,
            wait_seconds=request.app.state.config.webhook_sync_timeout,
        )
        if kind == "empty":
            return Response(status_code=status, headers=headers)
        return _webhook_response(engine.WebhookResponse(status, extra, body, kind), webhook_id)
    if draft and flow["status"] != "ENABLED":
        return JSONResponse({}, 200, headers=headers)
    run_id = run_insert(flow=flow, version=version, environment=environment)
    background(
        run_later(
            run_id=run_id,
            organization_id=_organization_of(flow["project_id"]),
            trigger=db.loads(version["trigger"]),
            request_payload=payload,
        )
    )
    return JSONResponse({}, 200, headers=headers)


async def webhook_with_mode(request: Request) -> Response:
    """``/v1/webhooks/:id/{sync,draft,draft/sync}``; any other suffix is the framework's 404."""
    if request.path_params["mode"] not in ("sync", "draft", "draft/sync"):
        raise ApiError(404, {"message": f"Cannot {request.method} {request.url.path}"})
    return await webhook(request)
