"""Routes on runs: the PRODUCTION list and one run with its steps."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ... import db
from .errors import ap_error, schema_error
from .paging import multi, page_limit, seek_response, status_filter, where_in
from .principals import principal_of
from .run_store import run_json
from .schema import AP_ID, RUN_STATUSES


async def run_list(request: Request) -> JSONResponse:
    project_id, _ = principal_of(request)
    limit = page_limit(request)
    where, params = ["project_id = ?", "environment = 'PRODUCTION'"], [project_id]
    where_in(where, params, "flow_id", multi(request, "flowId"))
    where_in(where, params, "id", multi(request, "flowRunIds"))
    where_in(where, params, "status", status_filter(request, RUN_STATUSES))
    for name, operator in (("createdAfter", ">="), ("createdBefore", "<=")):
        value = request.query_params.get(name)
        if value:
            where.append(f"created {operator} ?")
            params.append(value)
    failed_step = request.query_params.get("failedStepName")
    if failed_step:
        where.append("json_extract(failed_step, '$.name') = ?")
        params.append(failed_step)
    return seek_response(
        request,
        table="ap_flow_runs",
        where=where,
        params=params,
        order="created",
        limit=limit,
        as_json=lambda run: run_json(run, with_steps=False),
    )


async def run_get(request: Request) -> JSONResponse:
    project_id, _ = principal_of(request)
    run_id = request.path_params["run_id"]
    if not AP_ID.match(run_id):
        raise schema_error('params/id must match pattern "^[0-9a-zA-Z]{21}$"')
    row = (
        db.conn().execute("SELECT * FROM ap_flow_runs WHERE id = ? AND project_id = ?", (run_id, project_id)).fetchone()
    )
    if row is None:
        raise ap_error(400, "FLOW_RUN_NOT_FOUND", {"id": run_id})
    return JSONResponse(run_json(dict(row), with_steps=True))
