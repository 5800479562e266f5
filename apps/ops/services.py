"""The gateway doctor: read-only probes of the configured gateway (``IMBRACE_BASE_URL``).

``gateway_checks`` asks each service one question with the configured credential and says what
works, what does not, and the response that surprised it: the account, a board list, a folder
list, the assistants, the providers, a flow list and the data-board piece with its version. A chat
with an existing assistant only with ``chat=True``; with ``write=True`` it creates, then deletes,
a board and a folder of its own. Nothing else is written. No credential is ever in a result: the
configured key and token are blanked out of any response text shown.

Used by ``manage.py gateway_check`` and the Admins' "Check the gateway" page (docs/operations.md).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from imbrace_console.gateway import GatewayError, gateway_path, get_client, sse_events

BOARD_PIECE = "@activepieces/piece-automate-data-board"
SHOWN = 300  # characters of a surprising response that are shown


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    summary: str
    surprise: str = ""  # the response (or error) that did not fit, secrets blanked


class Surprise(Exception):
    """The gateway answered, but not in the shape the console relies on."""

    def __init__(self, summary: str, body: Any) -> None:
        super().__init__(summary)
        self.body = body


def _blank(text: str) -> str:
    for secret in (settings.IMBRACE_API_KEY, settings.IMBRACE_ACCESS_TOKEN):
        if secret:
            text = text.replace(secret, "***")
    return text


def _shown(body: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    text = _blank(text)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _rows(body: Any, *keys: str) -> list:
    """The list in ``body`` (bare, or under one of ``keys``), or a Surprise."""
    if isinstance(body, list):
        return body
    for key in keys:
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return body[key]
    raise Surprise("no list where one was expected", body)


async def _get(path: str, **params: Any) -> Any:
    return await get_client().json("GET", path, params=params or None)


async def _account() -> str:
    body = await _get("/platform/v1/account")
    org = body.get("organization_id") if isinstance(body, dict) else None
    if not org:
        raise Surprise("no organization_id in the account", body)
    return f"organization {org}"


async def _boards() -> str:
    body = await _get("/data-board/boards", limit=1)
    rows = _rows(body, "data")
    total = body.get("count", body.get("total")) if isinstance(body, dict) else len(rows)
    return f"board list readable ({total if total is not None else len(rows)} boards)"


async def _folders() -> str:
    body = await _get("/data-board/folders")
    rows = _rows(body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else body, "data")
    return f"folder list readable ({len(rows)} folders)"


async def _assistants() -> str:
    return f"assistants list readable ({len(_rows(await _get('/v3/ai/accounts/assistants')))} assistants)"


async def _providers() -> str:
    rows = _rows(await _get("/v3/ai/providers"))
    if any(not isinstance(row, dict) or not (row.get("provider_id") or row.get("id")) for row in rows):
        raise Surprise("a provider without provider_id", rows)
    return f"{len(rows)} custom providers"


async def _flows() -> str:
    body = await _get("/activepieces/v1/flows", limit=1)
    _rows(body, "data")
    return "flow list readable"


async def _piece() -> str:
    body = await _get(gateway_path("/activepieces/v1/pieces/{}/{}", *BOARD_PIECE.split("/")))
    version = body.get("version") if isinstance(body, dict) else None
    actions = body.get("actions") if isinstance(body, dict) else None
    if not version:
        raise Surprise("the piece has no version", body)
    names = (
        sorted(actions) if isinstance(actions, dict) else [a.get("name") for a in actions or [] if isinstance(a, dict)]
    )
    if "auto_data_board" not in names:
        raise Surprise(f"version {version} without the auto_data_board action (has {names})", body)
    return f"{BOARD_PIECE} {version} with auto_data_board"


async def _chat(assistant_id: str) -> str:
    client = get_client()
    if not assistant_id:
        rows = _rows(await _get("/v3/ai/accounts/assistants"))
        if not rows:
            raise Surprise("no assistant to chat with", rows)
        assistant_id = str(rows[0].get("id"))
    payload = {
        "id": str(uuid.uuid4()),
        "assistant_id": assistant_id,
        "messages": [{"id": str(uuid.uuid4()), "role": "user", "parts": [{"type": "text", "text": "Say hello."}]}],
    }
    seen: list[str] = []
    async with client.stream("POST", "/ai-agent/v2/chat", json=payload, read_timeout=60.0) as response:
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind == "text/plain":
            return f"assistant {assistant_id} answered (plain text: a non-streaming assistant)"
        async for event in sse_events(response):
            seen.append(event.data)
            if event.data == "[DONE]" or '"text-delta"' in event.data:
                return f"assistant {assistant_id} answered over SSE"
            if len(seen) > 200:
                break
    raise Surprise("the chat stream ended without text", "\n".join(seen[-5:]))


async def _write_board() -> str:
    client = get_client()
    name = f"gateway-check {uuid.uuid4().hex[:8]}"
    body = await client.json("POST", "/data-board/boards", json={"name": name})
    board = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else body
    board_id = board.get("id") or board.get("_id") if isinstance(board, dict) else None
    if not board_id:
        raise Surprise("the created board has no id", body)
    await client.request("DELETE", gateway_path("/data-board/boards/{}", str(board_id)))
    return f"created and deleted board {name!r}"


async def _write_folder() -> str:
    client = get_client()
    org = (await _get("/platform/v1/account")).get("organization_id")
    name = f"gateway-check {uuid.uuid4().hex[:8]}"
    body = {"name": name, "organization_id": org, "parent_folder_id": "root", "source_type": "upload"}
    answer = await client.json("POST", "/data-board/folders", json=body)
    folder = answer.get("data") if isinstance(answer, dict) else None
    folder_id = (folder.get("_id") or folder.get("id")) if isinstance(folder, dict) else None
    if not folder_id:
        raise Surprise("the created folder has no id", answer)
    await client.request("POST", "/data-board/folders/delete", json={"ids": [str(folder_id)]})
    return f"created and deleted folder {name!r}"


async def _probe(name: str, check: Callable[[], Awaitable[str]]) -> Probe:
    started = time.perf_counter()
    try:
        summary = await check()
    except Surprise as exc:
        return Probe(name, False, f"unexpected answer: {exc}", _shown(exc.body))
    except GatewayError as exc:
        status = f"{exc.status} " if exc.status else ""
        said = f"{status}{exc.method} {exc.path}".strip()
        return Probe(name, False, _blank(exc.user_message), _shown(f"{said}: {exc.message}" if said else exc.message))
    return Probe(name, True, f"{summary} in {(time.perf_counter() - started) * 1000:.0f} ms")


async def gateway_checks(*, chat: bool = False, write: bool = False, assistant_id: str = "") -> list[Probe]:
    """Every probe, in order; one failing never stops the others."""
    checks: list[tuple[str, Callable[[], Awaitable[str]]]] = [
        ("account", _account),
        ("boards", _boards),
        ("folders", _folders),
        ("assistants", _assistants),
        ("providers", _providers),
        ("flows", _flows),
        ("data-board piece", _piece),
    ]
    if chat:
        checks.append(("chat", lambda: _chat(assistant_id)))
    if write:
        checks += [("write: board", _write_board), ("write: folder", _write_folder)]
    return [await _probe(name, check) for name, check in checks]
