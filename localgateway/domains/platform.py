"""The gateway's own endpoints: the SDK's health check and the account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ..config import Config

SCHEMA = ""


def routes(config: Config) -> list[BaseRoute]:
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

    return [
        Route("/", health, methods=["GET"]),
        Route("/platform/v1/account", account, methods=["GET"]),
    ]


def seed(config: Config) -> None:
    """The platform has nothing to seed: the account comes from the config."""
