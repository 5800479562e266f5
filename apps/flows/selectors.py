"""Reads of flows and runs from Activepieces (``/activepieces/v1``)."""

from __future__ import annotations

from imbrace_console.gateway import SeekPage, get_client

COUNT_PAGE_SIZE = 100
COUNT_MAX_PAGES = 10


async def flow_count() -> tuple[int, bool]:
    """How many flows (following cursors), and whether there are more than were counted."""
    client = get_client()
    seen: set[str] = set()
    cursor = None
    for _ in range(COUNT_MAX_PAGES):
        params = {"limit": COUNT_PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
        page = SeekPage.from_body(await client.json("GET", "/activepieces/v1/flows", params=params))
        seen.update(str(flow.get("id")) for flow in page.data)  # pages can overlap: dedupe by id
        cursor = page.next
        if not cursor:
            return len(seen), False
    return len(seen), True
