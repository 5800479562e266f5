"""``GET /v1/users/me`` and ``GET /v1/pieces/:name`` (piece metadata)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from . import catalog
from .errors import not_found
from .principals import principal_of
from .schema import PLATFORM_ID


async def users_me(request: Request) -> JSONResponse:
    project_id, user = principal_of(request)
    identity = request.state.identity
    return JSONResponse(
        {
            "id": user["id"],
            "platformRole": "MEMBER",
            "status": "ACTIVE",
            "externalId": user["external_id"],
            "created": user["created"],
            "updated": user["updated"],
            "platformId": PLATFORM_ID,
            "firstName": "",
            "lastName": "",
            "email": identity.email or f"{user['id']}@external.local",
            "trackEvents": False,
            "newsLetter": False,
            "verified": True,
            "projectId": project_id,
        }
    )


async def piece_get(request: Request) -> JSONResponse:
    name = request.path_params["name"]
    piece = catalog.PIECES.get(name)
    if piece is None:
        raise not_found("piece", name)
    return JSONResponse(
        {
            "name": name,
            "displayName": piece["displayName"],
            "version": piece["version"],
            "triggers": {
                key: {"name": key, "displayName": entry["displayName"], "props": catalog.props_json(entry["props"])}
                for key, entry in piece["triggers"].items()
            },
            "actions": {
                key: {"name": key, "displayName": entry["displayName"], "props": catalog.props_json(entry["props"])}
                for key, entry in piece["actions"].items()
            },
        }
    )
