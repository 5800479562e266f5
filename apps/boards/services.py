"""Writes to data boards: boards, fields, items, CSV export and import. Each write is audited.

Traps hidden here: the field routes answer with the whole board; the field
update replaces the whole option list (so the options are always sent whole);
boards are created without any field unless one is asked for, and only a field
created with the board can be its identifier; CSV export gives the last month
unless ``all=true`` is sent.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from apps.audit.services import AuditEntry, audit_recorded, audited_json
from apps.core.spreadsheet import CsvDefuser
from imbrace_console.gateway import (
    GatewayAuthError,
    GatewayError,
    GatewayNotFound,
    GatewayResponse,
    GatewayTimeout,
    GatewayUnavailable,
    gateway_path,
    get_client,
    unwrap_data,
)
from imbrace_console.gateway.errors import GatewayGaveUp

from .fieldtypes import OPTION_TYPES

# A big board's CSV can take a while to start; the proxy in front of data-board gives up after 60 s.
EXPORT_READ_TIMEOUT = 90.0


def _board_path(board_id: str) -> str:
    return gateway_path("/data-board/boards/{}", board_id)


async def board_create(*, actor, name: str, description: str = "", identifier: str = "") -> dict:
    """A new board; ``identifier`` names its required, unique text column (none when empty)."""
    body: dict[str, Any] = {"name": name}
    if description:
        body["description"] = description
    if identifier:
        body["fields"] = [{"name": identifier, "type": "ShortText", "isUniqueIdentifier": True}]
    entry = AuditEntry("boards", "board.create", "board", "", name, body)
    async with audit_recorded(actor=actor, entry=entry):
        board = unwrap_data(await get_client().json("POST", "/data-board/boards", json=body))
        entry.target_id = board.get("id", "")
    return board


async def board_update(*, actor, board_id: str, name: str, description: str, old: dict | None = None) -> dict:
    new = {"name": name, "description": description}
    changes = {"old": {k: (old or {}).get(k, "") for k in new}, "new": new}
    entry = AuditEntry("boards", "board.update", "board", board_id, name, changes)
    return unwrap_data(await audited_json("PATCH", _board_path(board_id), actor=actor, entry=entry, json=new))


async def board_delete(*, actor, board_id: str, name: str = "") -> None:
    async with audit_recorded(actor=actor, entry=AuditEntry("boards", "board.delete", "board", board_id, name)):
        await get_client().request("DELETE", _board_path(board_id))


def _field_body(*, name: str, type: str, description: str, options: list[dict] | None) -> dict:
    body: dict[str, Any] = {"name": name, "type": type, "description": description}
    if type in OPTION_TYPES:
        body["data"] = options or []
    return body


async def board_field_create(
    *, actor, board_id: str, name: str, type: str, description: str = "", options: list[dict] | None = None
) -> dict:
    """Add a field; returns the whole board, as the gateway does."""
    body = _field_body(name=name, type=type, description=description, options=options)
    entry = AuditEntry("boards", "field.create", "board_field", "", name, {"board_id": board_id, **body})
    async with audit_recorded(actor=actor, entry=entry):
        board = unwrap_data(
            await get_client().json("POST", gateway_path("/data-board/boards/{}/fields", board_id), json=body)
        )
        created = next((f for f in reversed(board.get("fields") or []) if f.get("name") == name), {})
        entry.target_id = created.get("id", "")
    return board


async def board_field_update(
    *,
    actor,
    board_id: str,
    field_id: str,
    name: str,
    type: str,
    description: str = "",
    options: list[dict] | None = None,
) -> dict:
    body = _field_body(name=name, type=type, description=description, options=options)
    entry = AuditEntry("boards", "field.update", "board_field", field_id, name, {"board_id": board_id, **body})
    path = gateway_path("/data-board/boards/{}/fields/{}", board_id, field_id)
    return unwrap_data(await audited_json("PATCH", path, actor=actor, entry=entry, json=body))


async def board_field_delete(*, actor, board_id: str, field_id: str, name: str = "") -> dict:
    entry = AuditEntry("boards", "field.delete", "board_field", field_id, name, {"board_id": board_id})
    path = gateway_path("/data-board/boards/{}/fields/{}", board_id, field_id)
    return unwrap_data(await audited_json("DELETE", path, actor=actor, entry=entry))


async def board_field_reorder(*, actor, board_id: str, field_ids: list[str]) -> dict:
    entry = AuditEntry("boards", "field.reorder", "board", board_id, changes={"field_ids": field_ids})
    path = gateway_path("/data-board/boards/{}/fields/reorder", board_id)
    return unwrap_data(await audited_json("POST", path, actor=actor, entry=entry, json={"fieldIds": field_ids}))


async def board_field_move(*, actor, board_id: str, field_id: str, offset: int) -> dict:
    """Move one field ``offset`` places (negative: left) and save the new order."""
    board = unwrap_data(await get_client().json("GET", _board_path(board_id)))
    ids = [str(f.get("id") or f.get("_id")) for f in board.get("fields") or []]
    if field_id not in ids:
        raise GatewayNotFound(f"Field {field_id} not found in board", status=404)
    index = ids.index(field_id)
    target = max(0, min(len(ids) - 1, index + offset))
    if target == index:
        return board
    ids.insert(target, ids.pop(index))
    return await board_field_reorder(actor=actor, board_id=board_id, field_ids=ids)


async def board_item_create(*, actor, board_id: str, values: dict[str, Any], title: str = "") -> dict:
    entry = AuditEntry("boards", "item.create", "board_item", "", title, {"board_id": board_id, "new": values})
    async with audit_recorded(actor=actor, entry=entry):
        item = unwrap_data(
            await get_client().json(
                "POST", gateway_path("/data-board/boards/{}/items", board_id), json={"fields": values}
            )
        )
        entry.target_id = item.get("id", "")
    return item


async def board_item_update(
    *, actor, board_id: str, item_id: str, values: dict[str, Any], old: dict | None = None, title: str = ""
) -> dict:
    """Change some values of an item; the gateway keeps the others."""
    before = {key: (old or {}).get(key) for key in values}
    changes = {"board_id": board_id, "old": before, "new": values}
    entry = AuditEntry("boards", "item.update", "board_item", item_id, title, changes)
    path = gateway_path("/data-board/boards/{}/items/{}", board_id, item_id)
    return unwrap_data(await audited_json("PATCH", path, actor=actor, entry=entry, json={"fields": values}))


async def board_item_delete(*, actor, board_id: str, item_id: str, title: str = "") -> None:
    entry = AuditEntry("boards", "item.delete", "board_item", item_id, title, {"board_id": board_id})
    async with audit_recorded(actor=actor, entry=entry):
        await get_client().request("DELETE", gateway_path("/data-board/boards/{}/items/{}", board_id, item_id))


async def board_item_bulk_delete(*, actor, board_id: str, item_ids: list[str]) -> int:
    """Delete several items at once (all or nothing at the gateway); returns how many went."""
    entry = AuditEntry("boards", "item.bulk_delete", "board", board_id, changes={"item_ids": item_ids})
    path = gateway_path("/data-board/boards/{}/items/bulk-delete", board_id)
    body = await audited_json("DELETE", path, actor=actor, entry=entry, json={"ids": list(item_ids)})
    return int(body.get("count") or 0) if isinstance(body, dict) else 0


@dataclass
class ImportOutcome:
    """What one import step did: rows handled (in order), items created, rows refused and why."""

    processed: int = 0
    created: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    stopped: GatewayError | None = None


async def board_items_import(
    *,
    actor,
    board_id: str,
    rows: list[tuple[int, dict[str, Any]]],
    on_row: Callable[[int, str], Awaitable[bool]] | None = None,
) -> ImportOutcome:
    """Create one item per ``(row number, values)``, in order; a refused row is a failure with its reason.

    Rows go one request each: the gateway's bulk route is all or nothing, and one
    bad row must not sink its neighbours. When the gateway itself fails (down,
    timing out, refusing the credential) the step stops there: ``processed`` says
    how far it got, so the next step resumes without creating anything twice.
    ``on_row(number, reason)`` is awaited after each row ("" when created), so the
    caller can record progress row by row; it answers False to stop after that row.
    """
    outcome = ImportOutcome()
    client = get_client()
    async with audit_recorded(actor=actor, entry=AuditEntry("boards", "item.import", "board", board_id)) as entry:
        for number, values in rows:
            try:
                await client.request(
                    "POST",
                    gateway_path("/data-board/boards/{}/items", board_id),
                    json={"fields": values, "created_type": "import"},
                )
            except GatewayGaveUp as exc:
                # The gateway's own 60 s limit cut this row's reply; the service may have created the
                # item: reported on the row (never sent again), and the import goes on.
                outcome.failures.append((number, exc.user_message))
                reason = exc.user_message
            except (GatewayUnavailable, GatewayTimeout, GatewayAuthError) as exc:
                outcome.stopped = exc
                break
            except GatewayError as exc:
                reason = exc.detail or exc.user_message
                outcome.failures.append((number, reason))
            else:
                reason = ""
                outcome.created += 1
            outcome.processed += 1
            if on_row is not None and not await on_row(number, reason):
                break
        entry.changes = {"rows": outcome.processed, "created": outcome.created, "failed": len(outcome.failures)}
    return outcome


@dataclass
class CsvExport:
    """An open CSV download from the gateway: iterate ``chunks()`` once; it closes the upstream at the end.

    Cells a spreadsheet would run as formulas get a leading ``'`` as they pass (``apps.core.spreadsheet``);
    ``raw`` relays the gateway's bytes unchanged.
    """

    filename: str
    response: GatewayResponse
    stack: contextlib.AsyncExitStack
    raw: bool = False

    async def chunks(self) -> AsyncIterator[bytes]:
        defuser = None if self.raw else CsvDefuser()
        try:
            # Decoded bytes: the relay sends no Content-Encoding, so a compressed body must not pass as is.
            async for chunk in self.response.aiter_bytes():
                ready = chunk if defuser is None else defuser.feed(chunk)
                if ready:
                    yield ready
            if defuser is not None and (rest := defuser.close()):
                yield rest
        finally:
            await self.stack.aclose()


def _download_name(response: GatewayResponse, fallback: str) -> str:
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition) or re.search(r'filename="([^"]+)"', disposition)
    name = unquote(match.group(1)) if match else fallback
    name = re.sub(r"[\\/\x00-\x1f\"]", "_", name).strip() or fallback
    return name if name.lower().endswith(".csv") else name + ".csv"


async def board_export_start(*, actor, board_id: str, board_name: str = "", raw: bool = False) -> CsvExport:
    """Open the gateway's CSV of every item (``all=true``: by default it sends only the last month).

    ``raw``: exactly the gateway's bytes, formulas included (see ``CsvExport``); the audit entry says which.
    """
    stack = contextlib.AsyncExitStack()
    async with audit_recorded(
        actor=actor, entry=AuditEntry("boards", "board.export", "board", board_id, board_name, {"raw": raw})
    ):
        try:
            response = await stack.enter_async_context(
                get_client().stream(
                    "GET",
                    gateway_path("/data-board/boards/{}/export_csv", board_id),
                    params={"all": "true"},
                    read_timeout=EXPORT_READ_TIMEOUT,
                )
            )
        except GatewayError:
            await stack.aclose()
            raise
    return CsvExport(_download_name(response, f"{board_name or 'board'}.csv"), response, stack, raw=raw)
