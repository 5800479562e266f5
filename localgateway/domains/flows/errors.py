"""Activepieces' error bodies (flows.md#errors): each helper builds the ``ApiError`` a handler raises."""

from __future__ import annotations

from ...errors import ApiError


def ap_error(status: int, code: str, params: dict | None = None) -> ApiError:
    return ApiError(status, {"code": code, "params": params or {}})


def invalid_operation(message: str) -> ApiError:
    return ap_error(400, "FLOW_OPERATION_INVALID", {"message": message})


def schema_error(message: str) -> ApiError:
    return ApiError(400, {"statusCode": 400, "code": "FST_ERR_VALIDATION", "error": "Bad Request", "message": message})


def not_found(entity: str, entity_id: str) -> ApiError:
    return ap_error(404, "ENTITY_NOT_FOUND", {"entityType": entity, "entityId": entity_id})
