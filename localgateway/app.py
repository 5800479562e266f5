"""The local gateway's ASGI application."""

from __future__ import annotations

import shutil

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from . import auth, db, faults, files_public
from .config import Config, load
from .domains import DOMAINS
from .errors import ApiError, handle_api_error


def open_database(config: Config) -> None:
    db.connect(config.db_path, [auth.SCHEMA, *(domain.SCHEMA for domain in DOMAINS)])
    config.files_dir.mkdir(parents=True, exist_ok=True)


def reset(config: Config) -> None:
    """Delete every stored row and file."""
    for suffix in ("", "-wal", "-shm"):
        config.db_path.with_name(config.db_path.name + suffix).unlink(missing_ok=True)
    shutil.rmtree(config.files_dir, ignore_errors=True)


def seed(config: Config) -> None:
    for domain in DOMAINS:
        domain.seed(config)


def _local_routes(config: Config) -> list[BaseRoute]:
    """Test and operator endpoints of the stand-in itself, under ``/_local``."""

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def access_token(request: Request) -> JSONResponse:
        return JSONResponse({"access_token": auth.issue_access_token(config)}, 201)

    async def jwt(request: Request) -> JSONResponse:
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
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(rule.as_dict(), 201)

    async def fault_clear(request: Request) -> JSONResponse:
        faults.state.clear()
        return JSONResponse({"cleared": True})

    async def requests_seen(request: Request) -> JSONResponse:
        return JSONResponse({"requests": list(faults.state.requests)})

    async def requests_clear(request: Request) -> JSONResponse:
        faults.state.requests.clear()
        return JSONResponse({"cleared": True})

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


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"message": f"Cannot {request.method} {request.url.path}"}, 404)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"message": "Internal Server Error"}, 500)


def create_app(config: Config | None = None) -> Starlette:
    config = config or load()
    open_database(config)
    routes: list[BaseRoute] = [*_local_routes(config), *files_public.routes()]
    for domain in DOMAINS:
        routes.extend(domain.routes(config))
    app = Starlette(routes=routes, exception_handlers={ApiError: handle_api_error, 404: _not_found, 500: _server_error})
    app.state.config = config
    app.add_middleware(auth.AuthMiddleware, config=config)
    app.add_middleware(faults.FaultMiddleware)
    return app
