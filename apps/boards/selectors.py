"""Reads of data boards and their items (``/data-board/boards``, ``/data-board/search``).

Traps hidden here: the board list's ``count`` is the page length (``total`` is
the total) while the item list's ``count`` is the total; search answers under
``message`` with raw option ids where the item list gives labels (the cell
renderer resolves both).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from imbrace_console.gateway import gateway_path, get_client, unwrap_data, unwrap_search

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # past any board's end, and small enough that every store takes its offset
BOARD_PAGE_SIZE = 50
_SORT = re.compile(r"^-?(created_at|updated_at|fields\.[\w-]+)$")


def clean_sort(sort: str) -> str:
    """A sort the gateway understands (``-created_at``, ``fields.<id>``), else the default."""
    return sort if _SORT.match(sort or "") else ""


@dataclass(frozen=True)
class BoardPage:
    boards: list[dict]
    total: int
    skip: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.skip + len(self.boards) < self.total


@dataclass(frozen=True)
class ItemPage:
    items: list[dict]
    total: int
    page: int
    size: int
    query: str = ""
    sort: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.size + len(self.items)


async def board_count() -> int:
    body = await get_client().json("GET", "/data-board/boards", params={"limit": 1})
    return int(body.get("total", 0)) if isinstance(body, dict) else 0


async def board_list(*, search: str = "", skip: int = 0, limit: int = BOARD_PAGE_SIZE) -> BoardPage:
    """One page of the organisation's visible boards (hidden child tables left out)."""
    params: dict = {"limit": limit, "skip": max(skip, 0), "hidden": "false"}
    if search.strip():
        params["search"] = re.escape(search.strip())
    body = await get_client().json("GET", "/data-board/boards", params=params)
    boards = [b for b in body.get("data") or [] if isinstance(b, dict)]
    return BoardPage(boards=boards, total=int(body.get("total") or 0), skip=params["skip"], limit=limit)


async def board_choices() -> list[tuple[str, str]]:
    """Every visible board as (id, name), for pickers in other areas."""
    body = await get_client().json("GET", "/data-board/boards", params={"limit": 0, "hidden": "false"})
    return [(str(b["id"]), str(b.get("name") or b["id"])) for b in body.get("data") or [] if isinstance(b, dict)]


async def board_get(*, board_id: str) -> dict:
    return unwrap_data(await get_client().json("GET", gateway_path("/data-board/boards/{}", board_id)))


async def board_item_get(*, board_id: str, item_id: str) -> dict:
    return unwrap_data(
        await get_client().json("GET", gateway_path("/data-board/boards/{}/items/{}", board_id, item_id))
    )


async def board_item_page(
    *, board_id: str, page: int = 1, size: int = DEFAULT_PAGE_SIZE, sort: str = "", query: str = ""
) -> ItemPage:
    """One page of items: the item list, or whole-word search when ``query`` is given."""
    page = max(page, 1)
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    sort = clean_sort(sort)
    skip = (page - 1) * size
    client = get_client()
    if query.strip():
        body: dict = {"q": query.strip(), "limit": size, "offset": skip}
        if sort:
            body["sort"] = [f"{sort.lstrip('-')}:{'desc' if sort.startswith('-') else 'asc'}"]
        result = unwrap_search(await client.json("POST", gateway_path("/data-board/search/{}", board_id), json=body))
        items = [hit for hit in result.get("hits") or [] if isinstance(hit, dict)]
        total = int(result.get("estimatedTotalHits") or 0)
    else:
        params = {"limit": size, "skip": skip, "sort": sort or "-created_at"}
        answer = await client.json("GET", gateway_path("/data-board/boards/{}/items", board_id), params=params)
        items = [item for item in answer.get("data") or [] if isinstance(item, dict)]
        total = int(answer.get("count") or 0)
    return ItemPage(items=items, total=total, page=page, size=size, query=query.strip(), sort=sort)


async def board_item_count(*, board_id: str) -> int:
    """How many items a board has (the item list's ``count`` is the total)."""
    body = await get_client().json("GET", gateway_path("/data-board/boards/{}/items", board_id), params={"limit": 1})
    return int(body.get("count") or 0) if isinstance(body, dict) else 0
