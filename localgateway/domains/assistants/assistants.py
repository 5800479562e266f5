"""Routes on assistants (``/assistant_apps``, ``/assistants``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ... import db
from .store import (
    _replace,
    all_rows,
    assistant_get_internal,
    insert,
    listed,
    load,
    new_row,
    partial,
    save,
    write_team_leads,
    written,
)
from .validation import error, generated_instructions, json_body, not_found, org, validate_app, validate_assistant


def _requested(request: Request) -> dict:
    """The assistant the path names, in the caller's organization; the service's 404 when there is none."""
    row = load(org(request), request.path_params["assistant_id"])
    if row is None:
        raise not_found()
    return row


async def app_create(request: Request) -> JSONResponse:
    body = validate_app(await json_body(request))
    row = new_row(org(request), body, mode="advanced")
    insert(row)
    return JSONResponse(written(row))


async def assistant_create(request: Request) -> JSONResponse:
    body = validate_assistant(await json_body(request))
    row = new_row(org(request), body, mode="standard")
    insert(row)
    if body.get("team_leads"):
        write_team_leads(org(request), row["id"], [str(lead) for lead in body["team_leads"]])
    return JSONResponse(written(row))


async def app_replace(request: Request) -> JSONResponse:
    body = validate_app(await json_body(request))
    row = _requested(request)
    _replace(row, body)
    save(row)
    return JSONResponse(written(row))


async def assistant_update(request: Request) -> JSONResponse:
    body = validate_assistant(await json_body(request))
    row = _requested(request)
    partial(org(request), row, body)
    save(row)
    return JSONResponse(written(row))


async def instructions_update(request: Request) -> JSONResponse:
    body = await json_body(request)
    row = _requested(request)
    value = body.get("instructions") if isinstance(body, dict) else None
    if not value or not isinstance(value, str):
        raise error("400: core_task is required")
    row["core_task"] = value
    row["instructions"] = generated_instructions(row)
    save(row)
    return JSONResponse(written(row))


async def assistant_read(request: Request) -> JSONResponse:
    found = assistant_get_internal(org(request), request.path_params["assistant_id"])
    if found is None:
        raise not_found()
    return JSONResponse(found)


async def assistant_list(request: Request) -> JSONResponse:
    return JSONResponse([listed(row) for row in all_rows(org(request), request.query_params.get("search", ""))])


async def check_name(request: Request) -> JSONResponse:
    name = request.query_params.get("name", "")
    taken = db.conn().execute(
        "SELECT 1 FROM ai_assistants WHERE organization_id = ? AND deleted_at IS NULL AND name = ? LIMIT 1",
        (org(request), name),
    )
    return JSONResponse({"exist": taken.fetchone() is not None})


async def agents(request: Request) -> JSONResponse:
    excluded = request.query_params.get("assistant_id")
    return JSONResponse(
        [
            listed(row)
            for row in all_rows(org(request))
            if row.get("agent_type") != "team_lead" and row["id"] != excluded
        ]
    )


async def assistant_delete(request: Request) -> JSONResponse:
    row = _requested(request)
    row["deleted_at"] = db.now_iso()
    save(row)
    return JSONResponse({"id": row["id"], "object": "assistant.deleted", "deleted": True})


async def bulk_delete(request: Request) -> JSONResponse:
    ids = await json_body(request)
    if not isinstance(ids, list) or not ids:
        raise error("Invalid assistant IDs.")
    deleted = []
    for assistant_id in ids:
        row = load(org(request), str(assistant_id))
        if row is not None:
            row["deleted_at"] = db.now_iso()
            save(row)
            deleted.append(row["id"])
    return JSONResponse({"deleted": deleted})
