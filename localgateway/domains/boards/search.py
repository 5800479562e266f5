"""Search routes (``/search/:boardId``, ``/fetch``, ``/multi``)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import ApiError
from .query import search_items
from .validation import _check, json_body, org, type_issue, zod


def _search_issues(body: dict, path: list, *, max_limit: int) -> list[dict]:
    issues = _check(body, {"q": ("string", False), "filter": ("string", False), "sort": ("strings", False)}, path)
    for key, maximum, minimum in (("limit", max_limit, 1), ("offset", None, 0)):
        if key not in body:
            continue
        value = body[key]
        if isinstance(value, bool) or not isinstance(value, int):
            issues.append(type_issue([*path, key], "int" if isinstance(value, float) else "number", value))
        elif value < minimum or (maximum is not None and value > maximum):
            bound = minimum if value < minimum else maximum
            code = "too_small" if value < minimum else "too_big"
            relation = ">=" if value < minimum else "<="
            issues.append(
                {
                    "origin": "number",
                    "code": code,
                    "minimum" if code == "too_small" else "maximum": bound,
                    "inclusive": True,
                    "path": [*path, key],
                    "message": f"Too {code[4:]}: expected number to be {relation}{bound}",
                }
            )
    return issues


def _search_error(exc: Exception) -> ApiError:
    return ApiError(500, {"success": False, "code": 50000, "message": "Search service error", "error": str(exc)})


def _run_search(organization_id: str, board_id: str, body: dict) -> dict:
    """One search's ``message`` payload (raises ValueError for a filter it cannot read)."""
    limit, offset = body.get("limit", 20), body.get("offset", 0)
    started = datetime.now(UTC)
    hits, total = search_items(
        organization_id,
        board_id,
        q=body.get("q") or "",
        filter_text=body.get("filter") or "",
        sort=body.get("sort") or [],
        limit=limit,
        offset=offset,
    )
    return {
        "hits": hits,
        "query": body.get("q") or "",
        "processingTimeMs": int((datetime.now(UTC) - started).total_seconds() * 1000),
        "limit": limit,
        "offset": offset,
        "estimatedTotalHits": total,
    }


async def search(request: Request) -> Response:
    body = await json_body(request)
    issues = _search_issues(body, [], max_limit=10000)
    if issues:
        raise zod(issues)
    try:
        message = _run_search(org(request), request.path_params["board_id"], body)
    except ValueError as exc:
        raise _search_error(exc) from exc
    return JSONResponse({"success": True, "message": message})


async def search_fetch(request: Request) -> Response:
    """``POST /search/:boardId/fetch``: filtered rows without a query, up to 1000 at a time."""
    body = await json_body(request)
    issues = _search_issues({k: v for k, v in body.items() if k in ("limit", "offset", "filter")}, [], max_limit=1000)
    if issues:
        raise zod(issues)
    try:
        found = _run_search(org(request), request.path_params["board_id"], {**body, "q": "", "sort": []})
    except ValueError as exc:
        raise _search_error(exc) from exc
    message = {"results": found["hits"], "offset": found["offset"], "limit": found["limit"]}
    return JSONResponse({"success": True, "message": {**message, "total": found["estimatedTotalHits"]}})


async def search_multi(request: Request) -> Response:
    """``POST /search/multi``: several searches, each naming its board as ``indexUid``."""
    body = await json_body(request)
    queries = body.get("queries")
    if not isinstance(queries, list):
        raise zod([type_issue(["queries"], "array", queries, missing="queries" not in body)])
    issues = []
    for index, query in enumerate(queries):
        if not isinstance(query, dict):
            issues.append(type_issue(["queries", index], "object", query))
            continue
        issues.extend(_check(query, {"indexUid": ("string", True)}, ["queries", index]))
        issues.extend(_search_issues(query, ["queries", index], max_limit=10000))
    if issues:
        raise zod(issues)
    try:
        results = [{"indexUid": q["indexUid"], **_run_search(org(request), q["indexUid"], q)} for q in queries]
    except ValueError as exc:
        raise _search_error(exc) from exc
    return JSONResponse({"success": True, "message": {"results": results}})
