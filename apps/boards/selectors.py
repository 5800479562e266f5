"""Reads of data boards and their items (``/data-board/boards``)."""

from __future__ import annotations

from imbrace_console.gateway import get_client


async def board_count() -> int:
    body = await get_client().json("GET", "/data-board/boards", params={"limit": 1})
    return int(body.get("total", 0)) if isinstance(body, dict) else 0
