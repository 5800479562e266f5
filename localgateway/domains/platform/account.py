"""The gateway's own endpoints: the SDK's health check (``GET /``) and the caller's account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "service": "imbrace-gateway", "version": "local"})


async def account(request: Request) -> JSONResponse:
    identity = request.state.identity
    return JSONResponse(
        {
            "id": identity.user_id,
            "email": identity.email,
            "username": identity.email.split("@")[0],
            "display_name": "Local Admin",
            "role": "admin",
            "is_active": True,
            "organization_id": identity.organization_id,
            "business_unit_id": "",
        }
    )
