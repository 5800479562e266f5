"""Routes on flows: list, count, create, read, operate, delete."""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import db
from .errors import invalid_operation, not_found, schema_error
from .operations import flow_operation
from .paging import multi, page_limit, seek_response, status_filter, where_in
from .principals import principal_of
from .run_store import background
from .schema import AP_ID, DELETE_DELAY, FLOW_OPERATIONS, FLOW_STATUSES
from .store import flow_create, flow_json, flow_row, version_row


def require_flow(request: Request, project_id: str) -> dict:
    flow_id = request.path_params["flow_id"]
    if not AP_ID.match(flow_id):
        raise schema_error('params/id must match pattern "^[0-9a-zA-Z]{21}$"')
    flow = flow_row(flow_id, project_id)
    if flow is None:
        raise not_found("flow", flow_id)
    return flow


async def flow_list(request: Request) -> JSONResponse:
    project_id, _ = principal_of(request)
    limit = page_limit(request)
    where, params = ["project_id = ?", "operation_status != 'DELETING'"], [project_id]
    where_in(where, params, "status", status_filter(request, FLOW_STATUSES))
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
    where_in(where, params, "external_id", multi(request, "externalIds"))
    version_state = request.query_params.get("versionState", "DRAFT")
    if version_state not in ("DRAFT", "LOCKED"):
        raise schema_error("querystring/versionState must be equal to one of the allowed values")

    def as_json(flow: dict) -> dict:
        version = None
        if version_state == "LOCKED":
            if not flow["published_version_id"]:
                raise not_found("FlowVersion", flow["id"])
            version = version_row(flow["published_version_id"])
        return flow_json(flow, version)

    return seek_response(
        request, table="ap_flows", where=where, params=params, order="updated", limit=limit, as_json=as_json
    )


async def flow_count(request: Request) -> JSONResponse:
    project_id, _ = principal_of(request)
    where, params = "project_id = ? AND operation_status != 'DELETING'", [project_id]
    statuses = [status for status in multi(request, "status") if status in FLOW_STATUSES]
    if statuses:
        where += f" AND status IN ({','.join('?' * len(statuses))})"
        params.extend(statuses)
    return JSONResponse(db.conn().execute(f"SELECT COUNT(*) FROM ap_flows WHERE {where}", params).fetchone()[0])  # noqa: S608


async def flow_create_route(request: Request) -> JSONResponse:
    project_id, _ = principal_of(request)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise schema_error("body must be object") from None
    if not isinstance(body, dict):
        raise schema_error("body must be object")
    display_name = body.get("displayName")
    if not isinstance(display_name, str) or not display_name.strip():
        raise schema_error("body must have required property 'displayName'")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise schema_error("body/metadata must be object")
    folder_id = body.get("folderId") if isinstance(body.get("folderId"), str) else None
    flow = flow_create(project_id=project_id, display_name=display_name.strip(), metadata=metadata, folder_id=folder_id)
    return JSONResponse(flow_json(flow, with_trigger_source=False), 201)


async def flow_get(request: Request) -> JSONResponse:
    flow = require_flow(request, principal_of(request)[0])
    version = None
    version_id = request.query_params.get("versionId")
    if version_id:
        version = version_row(version_id)
        if version is None or version["flow_id"] != flow["id"]:
            raise not_found("FlowVersion", version_id)
    return JSONResponse(flow_json(flow, version))


async def flow_delete(request: Request) -> Response:
    flow = require_flow(request, principal_of(request)[0])
    if flow["operation_status"] == "DELETING":
        raise invalid_operation(f"Flow {flow['id']} is already being DELETING")
    db.conn().execute("UPDATE ap_flows SET operation_status = 'DELETING' WHERE id = ?", (flow["id"],))

    async def remove() -> None:
        await asyncio.sleep(DELETE_DELAY)
        db.conn().execute("DELETE FROM ap_flows WHERE id = ?", (flow["id"],))

    background(remove())
    return Response(status_code=204)


async def flow_operate(request: Request) -> JSONResponse:
    project_id, user = principal_of(request)
    flow = require_flow(request, project_id)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise schema_error("body must be object") from None
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise schema_error("body must have required property 'type'")
    if not isinstance(body.get("request"), dict):
        raise schema_error("body must have required property 'request'")
    if body["type"] not in FLOW_OPERATIONS:
        raise schema_error("body/type must be equal to one of the allowed values")
    if flow["operation_status"] == "DELETING":
        raise invalid_operation(f"Flow {flow['id']} is being deleted")
    flow_operation(flow=flow, kind=body["type"], request_body=body["request"], user_id=user["id"])
    return JSONResponse(flow_json(flow_row(flow["id"])))
