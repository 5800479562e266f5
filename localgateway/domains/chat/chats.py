"""Chat history routes (``/ai-agent/chat-client/chats…``) and the local streams list."""

from __future__ import annotations

import json
from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse

from ... import db
from .access import caller, chat_error, owned_chat
from .registry import _streams
from .store import chat_json, message_json


async def chat_list(request: Request) -> JSONResponse:
    user = caller(request)
    after, before = request.query_params.get("starting_after"), request.query_params.get("ending_before")
    if after and before:
        raise chat_error(
            400,
            "bad_request:api",
            "The request couldn't be processed. Please check your input and try again.",
            "Only one of starting_after or ending_before can be provided.",
        )
    try:
        limit = int(request.query_params.get("limit", "10"))
    except ValueError:
        limit = 10
    limit = max(1, min(limit, 100))
    conn = db.conn()
    where, args = "organization_id = ? AND user_id = ?", [user["organization_id"], user["id"]]
    cursor_id = after or before
    order = "DESC"
    if cursor_id:
        anchor = conn.execute("SELECT rowid, created_at FROM chats WHERE id = ?", (cursor_id,)).fetchone()
        if anchor is None:
            raise chat_error(404, "not_found:database", f"Chat with id {cursor_id} not found")
        comparison = "<" if after else ">"
        where += f" AND (created_at, rowid) {comparison} (?, ?)"
        args += [anchor["created_at"], anchor["rowid"]]
        order = "DESC" if after else "ASC"
    rows = conn.execute(
        f"SELECT * FROM chats WHERE {where} ORDER BY created_at {order}, rowid {order} LIMIT ?",  # noqa: S608
        [*args, limit + 1],
    ).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if order == "ASC":
        rows.reverse()
    return JSONResponse({"chats": [chat_json(row) for row in rows], "hasMore": has_more})


async def chat_delete_all(request: Request) -> JSONResponse:
    user = caller(request)
    cursor = db.conn().execute(
        "DELETE FROM chats WHERE organization_id = ? AND user_id = ?", (user["organization_id"], user["id"])
    )
    return JSONResponse({"deletedCount": cursor.rowcount})


async def chat_get(request: Request) -> JSONResponse:
    return JSONResponse(chat_json(owned_chat(request)))


async def chat_update(request: Request) -> JSONResponse:
    row = owned_chat(request)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise chat_error(400, "bad_request:api", "The request body must be a JSON object.")
    visibility = body.get("visibility", row["visibility"])
    if visibility not in ("private", "public"):
        raise chat_error(400, "bad_request:api", "visibility must be private or public.")
    assistant_id = body.get("assistantId") or row["assistant_id"]
    db.conn().execute(
        "UPDATE chats SET visibility = ?, assistant_id = ? WHERE id = ?", (visibility, str(assistant_id), row["id"])
    )
    return JSONResponse({"ok": True})


async def chat_delete(request: Request) -> JSONResponse:
    row = owned_chat(request)
    db.conn().execute("DELETE FROM chats WHERE id = ?", (row["id"],))
    return JSONResponse(chat_json(row))


async def chat_messages(request: Request) -> JSONResponse:
    row = owned_chat(request)
    rows = db.conn().execute("SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY seq", (row["id"],)).fetchall()
    return JSONResponse([message_json(message) for message in rows])


async def streams(request: Request) -> JSONResponse:
    chat_id = request.query_params.get("chat_id")
    rows = [asdict(record) for record in _streams if chat_id is None or record.chat_id == chat_id]
    return JSONResponse({"streams": rows[:500]})
