"""Zod-shaped request checks: the 400 bodies data-board's schemas give, byte for byte."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from ...errors import ApiError
from .schema import BOARD_TYPES, FIELD_TYPES


def _error(status: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status, {"error": message, **extra})


# --- Zod-shaped validation ------------------------------------------------------------------


def _received(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "NaN" if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def type_issue(path: list, expected: str, value: Any, *, missing: bool = False) -> dict:
    received = "undefined" if missing else _received(value)
    return {
        "expected": expected,
        "code": "invalid_type",
        "path": path,
        "message": f"Invalid input: expected {expected}, received {received}",
    }


def zod(issues: list[dict]) -> ApiError:
    return ApiError(400, {"success": False, "error": {"name": "ZodError", "message": json.dumps(issues, indent=2)}})


_KIND_EXPECTED = {"string": "string", "bool": "boolean", "number": "number", "object": "record", "array": "array"}


def _check(body: dict, spec: dict[str, tuple[str, bool]], path: list | None = None) -> list[dict]:
    """Issues for ``body`` against ``{key: (kind, required)}``; kinds: string, name, bool, number,
    object, array, strings, or ``enum`` lists given as a list."""
    path = path or []
    issues: list[dict] = []
    for key, (kind, required) in spec.items():
        here = [*path, key]
        if key not in body:
            if required:
                expected = "string" if kind in ("name",) or isinstance(kind, list) else _KIND_EXPECTED.get(kind, kind)
                issues.append(type_issue(here, expected, None, missing=True))
            continue
        value = body[key]
        if isinstance(kind, list):
            if value not in kind:
                issues.append(
                    {
                        "code": "invalid_value",
                        "values": kind,
                        "path": here,
                        "message": "Invalid option: expected one of " + "|".join(f'"{v}"' for v in kind),
                    }
                )
        elif kind in ("string", "name"):
            if not isinstance(value, str):
                issues.append(type_issue(here, "string", value))
            elif kind == "name" and len(value) < 1:
                issues.append(
                    {
                        "origin": "string",
                        "code": "too_small",
                        "minimum": 1,
                        "inclusive": True,
                        "path": here,
                        "message": "Too small: expected string to have >=1 characters",
                    }
                )
        elif kind == "nullable_string":
            if value is not None and not isinstance(value, str):
                issues.append(type_issue(here, "string", value))
        elif kind == "bool":
            if not isinstance(value, bool):
                issues.append(type_issue(here, "boolean", value))
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                issues.append(type_issue(here, "number", value))
        elif kind == "object":
            if not isinstance(value, dict):
                issues.append(type_issue(here, "record", value))
        elif kind == "array":
            if not isinstance(value, list):
                issues.append(type_issue(here, "array", value))
        elif kind == "strings":
            if not isinstance(value, list):
                issues.append(type_issue(here, "array", value))
            else:
                issues.extend(
                    type_issue([*here, i], "string", v) for i, v in enumerate(value) if not isinstance(v, str)
                )
    return issues


FIELD_SPEC: dict[str, tuple] = {
    "name": ("name", True),
    "type": (FIELD_TYPES, True),
    "description": ("string", False),
    "isUniqueIdentifier": ("bool", False),
    "isDefault": ("bool", False),
    "data": ("array", False),
    "settings": ("object", False),
    "fields": ("array", False),
    "role": ("string", False),
}
FIELD_UPDATE_SPEC: dict[str, tuple] = {
    "name": ("string", False),
    "description": ("string", False),
    "type": (FIELD_TYPES, False),
    "isUniqueIdentifier": ("bool", False),
    "isDefault": ("bool", False),
    "hidden": ("bool", False),
    "hiddenOnRecord": ("bool", False),
    "settings": ("object", False),
    "data": ("array", False),
    "promptAI": ("string", False),
    "isDeprecated": ("bool", False),
    "role": ("string", False),
}
OPTION_SPEC: dict[str, tuple] = {
    "id": ("string", False),
    "value": ("string", True),
    "color": ("string", False),
    "order": ("number", False),
}
BOARD_SPEC: dict[str, tuple] = {
    "name": ("name", True),
    "description": ("string", False),
    "type": (BOARD_TYPES, False),
    "hidden": ("bool", False),
    "fields": ("array", False),
    "team_ids": ("strings", False),
    "managers": ("array", False),
    "journey": ("object", False),
    "order": ("number", False),
    "show_id": ("bool", False),
    "is_child_table": ("bool", False),
    "category": ("nullable_string", False),
}


def check_field(body: Any, path: list, spec: dict) -> list[dict]:
    if not isinstance(body, dict):
        return [type_issue(path, "object", body)]
    issues = _check(body, spec, path)
    for index, option in enumerate(body.get("data") or [] if isinstance(body.get("data"), list) else []):
        if not isinstance(option, dict):
            issues.append(type_issue([*path, "data", index], "object", option))
        else:
            issues.extend(_check(option, OPTION_SPEC, [*path, "data", index]))
    return issues


async def json_body(request: Request) -> dict:
    """The body as the service sees it: ``{}`` unless sent as JSON; malformed JSON is a 500."""
    if "application/json" not in request.headers.get("content-type", ""):
        return {}
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(500, {"success": False, "error": {"message": "Internal server error"}}) from exc
    return body if isinstance(body, dict) else {}


def org(request: Request) -> str:
    return request.state.identity.organization_id


def int_param(value: str | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except ValueError:
        return None


def bounded(name: str, raw: str | None, default: int, *, minimum: int, maximum: int | None) -> int:
    """A Zod-coerced integer query/body value within bounds, else the 400."""
    value = int_param(raw, default)
    if value is None:
        raise zod([type_issue([name], "number", float("nan"))])
    if value < minimum:
        raise zod(
            [
                {
                    "origin": "number",
                    "code": "too_small",
                    "minimum": minimum,
                    "inclusive": True,
                    "path": [name],
                    "message": f"Too small: expected number to be >={minimum}",
                }
            ]
        )
    if maximum is not None and value > maximum:
        raise zod(
            [
                {
                    "origin": "number",
                    "code": "too_big",
                    "maximum": maximum,
                    "inclusive": True,
                    "path": [name],
                    "message": f"Too big: expected number to be <={maximum}",
                }
            ]
        )
    return value
