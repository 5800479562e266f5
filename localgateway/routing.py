"""Routes under several gateway prefixes (a canonical mount and its aliases)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.routing import Route

DATA_BOARD = ("/data-board", "/v1/data-board")
AI = ("/v3/ai", "/ai/v3")
AI_AGENT = ("/ai-agent", "/v1/ai-agent")
ACTIVEPIECES = ("/activepieces", "/activepieces/api")


def under(prefixes: Iterable[str], table: Iterable[tuple[str, Callable, list[str]]]) -> list[Route]:
    """``[(path, endpoint, methods), ...]`` repeated under every prefix, as full-path routes.

    Full paths (not ``Mount``) so that several service modules can share a prefix:
    Starlette does not fall through from one mount to the next.
    """
    table = list(table)
    return [Route(prefix + path, endpoint, methods=methods) for prefix in prefixes for path, endpoint, methods in table]
