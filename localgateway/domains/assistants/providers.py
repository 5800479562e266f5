"""Routes on providers and the platform's model catalogue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...errors import ApiError
from .provider_store import _providers, provider_insert, provider_model, provider_public
from .schema import PROVIDER_TYPES, SYSTEM_MODELS
from .validation import check_body, json_body, org, require


async def provider_list(request: Request) -> JSONResponse:
    return JSONResponse([provider_public(p) for p in _providers(org(request))])


async def provider_read(request: Request) -> JSONResponse:
    wanted = request.path_params["provider_id"]
    for provider in _providers(org(request)):
        if wanted in (provider["id"], provider["provider_id"]):
            return JSONResponse(provider_public(provider))
    raise ApiError(404, {"detail": "Provider not found"})


async def provider_create(request: Request) -> JSONResponse:
    """The real service test-connects and discovers models; here they come in ``models``."""
    body = check_body(await json_body(request))
    require(isinstance(body.get("name"), str) and bool(body["name"].strip()), "Invalid provider name.")
    require(body.get("type") in PROVIDER_TYPES, "Invalid provider type.")
    require(isinstance(body.get("config"), dict), "Invalid provider config.")
    models = [provider_model(entry) for entry in body.get("models") or []]
    provider = provider_insert(
        org(request), name=body["name"].strip(), type_=body["type"], config=body["config"], models=models
    )
    return JSONResponse(provider_public(provider))


async def system_models(request: Request) -> JSONResponse:
    models = [dict(model) for model in SYSTEM_MODELS]
    if request.query_params.get("vision") == "true":
        models = [model for model in models if model["is_vision_available"]]
    return JSONResponse({"success": True, "message": "Models retrieved successfully", "data": models})
