"""The local gateway's ASGI application."""

from __future__ import annotations

import shutil

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from . import auth, db, faults, files_public, local_routes
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


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"message": f"Cannot {request.method} {request.url.path}"}, 404)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"message": "Internal Server Error"}, 500)


def create_app(config: Config | None = None) -> Starlette:
    config = config or load()
    open_database(config)
    routes: list[BaseRoute] = [*local_routes.routes(), *files_public.routes()]
    for domain in DOMAINS:
        routes.extend(domain.routes(config))
    app = Starlette(routes=routes, exception_handlers={ApiError: handle_api_error, 404: _not_found, 500: _server_error})
    app.state.config = config
    app.add_middleware(auth.AuthMiddleware, config=config)
    app.add_middleware(faults.FaultMiddleware)
    return app
