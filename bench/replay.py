"""The direct path: the gateway calls a console page makes, found by asking the gateway.

The local gateway logs every request it serves (``/_local/requests``). Clearing
the log, loading a console page and reading the log back gives exactly the
calls that page made, so the direct path stays true to the views as they
change, with no list to keep in step by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: str

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


async def gateway_calls(gateway: httpx.AsyncClient, action: Callable[[], Awaitable[object]]) -> list[Call]:
    """The gateway requests made while ``action`` ran (nothing else may use the gateway meanwhile)."""
    (await gateway.delete("/_local/requests")).raise_for_status()
    await action()
    response = await gateway.get("/_local/requests")
    response.raise_for_status()
    return [Call(row["method"], row["path"], row.get("query", "")) for row in response.json()["requests"]]


async def replay(direct: httpx.AsyncClient, calls: list[Call], bodies: dict[Call, dict] | None = None) -> int:
    """Make ``calls`` straight to the gateway, all at once (the floor the console could reach).

    Returns how many answered with an error status. ``bodies`` gives the JSON
    body of calls that need one (the log has no bodies).
    """
    bodies = bodies or {}

    async def one(call: Call) -> bool:
        response = await direct.request(call.method, call.url, json=bodies.get(call))
        await response.aclose()
        return response.status_code >= 400

    if len(calls) == 1:
        return int(await one(calls[0]))
    return sum(await asyncio.gather(*(one(call) for call in calls)))
