"""Test and operator endpoints of the stand-in itself, under ``/_local``.

Health, credentials for tests (an access token, a JWT, optionally without a ``sub``), the fault
rules of ``faults.py`` and the log of requests seen.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from . import auth, faults
from .errors import ApiError


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def access_token(request: Request) -> JSONResponse:
    return JSONResponse({"access_token": auth.issue_access_token(request.app.state.config)}, 201)


async def jwt(request: Request) -> JSONResponse:
    """``{"organizations"?, "ttl"?, "subject"?}``; ``"subject": null`` mints a token without ``sub``."""
    config = request.app.state.config
    body = await request.json() if await request.body() else {}
    token = auth.issue_jwt(
        config,
        organizations=body.get("organizations"),
        ttl=int(body.get("ttl", 3600)),
        subject=body.get("subject", ""),
    )
    return JSONResponse({"token": token, "organization_id": config.organization_id}, 201)


async def fault_list(request: Request) -> JSONResponse:
    return JSONResponse({"rules": [rule.as_dict() for rule in faults.state.rules]})


async def fault_add(request: Request) -> JSONResponse:
    try:
        rule = faults.state.add(await request.json())
    except (ValueError, TypeError) as exc:
        raise ApiError(400, {"error": str(exc)}) from exc
    return JSONResponse(rule.as_dict(), 201)


async def fault_clear(request: Request) -> JSONResponse:
    faults.state.clear()
    return JSONResponse({"cleared": True})


async def requests_seen(request: Request) -> JSONResponse:
    return JSONResponse({"requests": list(faults.state.requests)})


async def requests_clear(request: Request) -> JSONResponse:
    faults.state.requests.clear()
    return JSONResponse({"cleared": True})


def routes() -> list[BaseRoute]:
    return [
        Route("/_local/health", health, methods=["GET"]),
        Route("/_local/access-tokens", access_token, methods=["POST"]),
        Route("/_local/jwt", jwt, methods=["POST"]),
        Route("/_local/faults", fault_list, methods=["GET"]),
        Route("/_local/faults", fault_add, methods=["POST"]),
        Route("/_local/faults", fault_clear, methods=["DELETE"]),
        Route("/_local/requests", requests_seen, methods=["GET"]),
        Route("/_local/requests", requests_clear, methods=["DELETE"]),
    ]
