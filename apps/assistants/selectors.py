"""Reads of assistants from the AI service (``/v3/ai``)."""

from __future__ import annotations

from imbrace_console.gateway import get_client


async def assistant_count() -> int:
    rows = await get_client().json("GET", "/v3/ai/accounts/assistants")
    return len(rows) if isinstance(rows, list) else 0
