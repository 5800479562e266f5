"""Who is calling and what they may see: the caller's local user, the credential rule, owned chats."""

from __future__ import annotations

import uuid

from starlette.requests import Request

from ... import db
from ...errors import ApiError
from .store import local_user

# --- routes ----------------------------------------------------------------------------------------------------


def chat_error(status: int, code: str, message: str, cause: str | None = None) -> ApiError:
    body = {"code": code, "message": message}
    if cause is not None:
        body["cause"] = cause
    return ApiError(status, body)


def is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def caller(request: Request) -> dict:
    identity = request.state.identity
    return {**local_user(identity.organization_id, identity.email), "organization_id": identity.organization_id}


def require_credential(request: Request) -> None:
    """The gateway forwards no credential for a JWT unless the client repeats it in x-access-token."""
    if request.state.identity.mode == "jwt" and not request.headers.get("x-access-token"):
        raise ApiError(401, {"message": "Missing credential (x-access-token or x-api-key)"})


def owned_chat(request: Request) -> dict:
    user = caller(request)
    row = (
        db.conn()
        .execute(
            "SELECT rowid, * FROM chats WHERE id = ? AND organization_id = ?",
            (request.path_params["chat_id"], user["organization_id"]),
        )
        .fetchone()
    )
    if row is None:
        raise chat_error(404, "not_found:chat", "The requested chat was not found.")
    if row["user_id"] != user["id"] and row["visibility"] == "private":
        raise chat_error(403, "forbidden:chat", "This chat belongs to another user.")
    return dict(row)
