"""The gateway's credential check (``authRouter``), as an ASGI middleware.

Order and failure bodies follow docs/contract/platform/auth.md#credentials
and #failure-bodies: ``x-api-key``, then ``Authorization:
Bearer`` with ``x-organization-id``, then ``x-access-token``.

Two paths skip the check as the real gateway's do: ``/files/download/*`` (mounted before auth) and
Activepieces webhooks, which the real gateway passes through whatever credential they carry
(docs/contract/flows.md#webhooks: whoever has a webhook URL can trigger the flow). Its other hole
(``?organizationId=`` overriding the token) is deliberately not reproduced.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from . import db
from .config import Config

SCHEMA = """
CREATE TABLE IF NOT EXISTS access_tokens (
    token TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

SCOPED_KEY_PREFIXES = ("/conversation_message", "/board", "/channels", "/touchpoints", "/campaign")
# Paths that answer without credentials: the stand-in's liveness probe and test switches (loopback only).
PUBLIC_PATHS = ("/_local/health", "/_local/faults", "/_local/requests")
# Mounted by the real gateway before its auth middleware (docs/contract/data-board.md#knowledge-files and
# flows.md#webhooks): the public file route, and Activepieces webhooks (passed through with no credential check).
PUBLIC_PREFIXES = ("/files/download/",)
WEBHOOK_PATH = re.compile(r"^/activepieces(?:/api)?/v1/webhooks/")


@dataclass(frozen=True)
class Identity:
    organization_id: str
    user_id: str
    email: str
    mode: str  # "api_key" | "jwt" | "access_token"
    credential: str


def issue_access_token(config: Config) -> str:
    token = "acc_" + secrets.token_hex(20)
    db.conn().execute(
        "INSERT INTO access_tokens (token, organization_id, user_id, created_at) VALUES (?, ?, ?, ?)",
        (token, config.organization_id, config.user_id, db.now_iso()),
    )
    return token


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_jwt(
    config: Config, *, organizations: list[str] | None = None, ttl: int = 3600, subject: str | None = ""
) -> str:
    """A signed JWT; ``subject=None`` leaves out ``sub`` (a caller the gateway knows no user id for)."""
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {
        "sub": subject or config.user_id,
        "email": config.user_email,
        "exp": int(time.time()) + ttl,
        "properties": {"organizations": organizations or [config.organization_id]},
    }
    if subject is None:
        del payload["sub"]
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
    signature = hmac.new(config.jwt_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _verify_jwt(config: Config, token: str) -> dict | None:
    try:
        head, body, signature = token.split(".")
        expected = hmac.new(config.jwt_secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64url_decode(signature)):
            return None
        payload = json.loads(_b64url_decode(body))
    except (ValueError, json.JSONDecodeError):
        return None
    if payload.get("exp", 0) < time.time():
        return None
    return payload


def _error(status: int, body: dict) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _strip_mount(path: str) -> str:
    """The path as the scoped-key check sees it: the service mount removed."""
    for mount in ("/v1/data-board", "/data-board", "/activepieces", "/v3/ai", "/ai/v3", "/ai-agent", "/v1/ai-agent"):
        if path.startswith(mount + "/") or path == mount:
            return path[len(mount) :] or "/"
    return path


def authenticate(config: Config, scope: Scope) -> Identity | JSONResponse:
    headers = Headers(scope=scope)
    path = scope["path"]
    api_key = headers.get("x-api-key")
    if api_key is not None:
        request_id = str(uuid.uuid4())
        if hmac.compare_digest(api_key, config.api_key):
            return Identity(config.organization_id, config.user_id, config.user_email, "api_key", api_key)
        if config.scoped_api_key and hmac.compare_digest(api_key, config.scoped_api_key):
            inner = _strip_mount(path)
            if not inner.startswith(SCOPED_KEY_PREFIXES):
                return _error(
                    403,
                    {
                        "error": "Forbidden",
                        "message": f"Invalid API path: {inner}, the path should be one of the following: "
                        + ", ".join(SCOPED_KEY_PREFIXES),
                        "request_id": request_id,
                    },
                )
            return Identity(config.organization_id, config.user_id, config.user_email, "api_key", api_key)
        return _error(401, {"error": "Unauthorized", "message": "Invalid API key", "request_id": request_id})

    authorization = headers.get("authorization", "")
    org_header = headers.get("x-organization-id")
    if authorization.lower().startswith("bearer ") and org_header:
        payload = _verify_jwt(config, authorization[7:].strip())
        if payload is None:
            return _error(401, {"message": "Unauthorized - Invalid JWT"})
        if org_header not in payload.get("properties", {}).get("organizations", []):
            return _error(400, {"message": "Bad Request - organization_id not found in user organizations"})
        return Identity(org_header, payload.get("sub", ""), payload.get("email", ""), "jwt", "")

    token = headers.get("x-access-token")
    if token:
        row = db.conn().execute("SELECT * FROM access_tokens WHERE token = ?", (token,)).fetchone()
        if row is None:
            return _error(401, {"message": "Unauthorized"})
        return Identity(row["organization_id"], row["user_id"], config.user_email, "access_token", token)
    if authorization:
        return _error(401, {"message": "Unauthorized"})
    return _error(401, {"message": "Unauthorized - API key or Access Token required"})


class AuthMiddleware:
    def __init__(self, app: ASGIApp, config: Config) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        if WEBHOOK_PATH.match(path):
            # The real gateway lets any x-access-token (or none) through to the engine [GW
            # src/server/middlewares/auth.ts, authorize]: whoever has a webhook URL can call it.
            result = authenticate(self.config, scope)
            if not isinstance(result, JSONResponse):
                scope.setdefault("state", {})["identity"] = result
            await self.app(scope, receive, send)
            return
        result = authenticate(self.config, scope)
        if isinstance(result, JSONResponse):
            await result(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = result
        await self.app(scope, receive, send)
