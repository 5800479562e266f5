"""Reads of flows and runs from Activepieces (``/activepieces/v1``).

The engine's traps are hidden here: cursor pages can overlap (deduped by id),
a run names its flow in ``flowVersion.displayName`` or, on older engines,
``flowDisplayName``, and the latest version of a flow may be a draft that is
not what its webhook runs.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from imbrace_console.gateway import (
    GatewayError,
    GatewayNotFound,
    GatewayValidationError,
    SeekPage,
    gateway_path,
    get_client,
)

AP = "/activepieces/v1"
COUNT_PAGE_SIZE = 100
COUNT_MAX_PAGES = 10
WEBHOOK_PIECE = "@activepieces/piece-webhook"
BOARD_PIECE = "@activepieces/piece-automate-data-board"
# The SDK guide's version of the webhook piece; used only when the engine cannot be asked. The data-board
# piece has no fallback: its version always comes from the engine (a step naming one the engine lacks is a 404).
WEBHOOK_PIECE_FALLBACK_VERSION = "0.1.24"
# Piece versions are cached per process for this long, so a piece upgraded on the engine is seen at most
# five minutes late; a step saved meanwhile names the previous version as a ``~`` range (board piece) or
# exactly (webhook piece), which the engine still serves unless that version was removed.
PIECE_VERSION_TTL = 300.0
RUN_TERMINAL = frozenset(
    {
        "SUCCEEDED",
        "FAILED",
        "TIMEOUT",
        "QUOTA_EXCEEDED",
        "MEMORY_LIMIT_EXCEEDED",
        "CANCELED",
        "INTERNAL_ERROR",
        "STOPPED",
    }
)
RUN_STATUSES = ("QUEUED", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "TIMEOUT", "CANCELED", "INTERNAL_ERROR")
_piece_versions: dict[str, tuple[float, str]] = {}


async def flow_count() -> tuple[int, bool]:
    """How many flows (following cursors), and whether there are more than were counted."""
    client = get_client()
    seen: set[str] = set()
    cursor = None
    for _ in range(COUNT_MAX_PAGES):
        params = {"limit": COUNT_PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
        page = SeekPage.from_body(await client.json("GET", f"{AP}/flows", params=params))
        seen.update(str(flow.get("id")) for flow in page.data)  # pages can overlap: dedupe by id
        cursor = page.next
        if not cursor:
            return len(seen), False
    return len(seen), True


# --- view models ------------------------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _chain(trigger: dict) -> list[dict]:
    steps, node = [], trigger.get("nextAction")
    while isinstance(node, dict):
        steps.append(node)
        node = node.get("nextAction")
    return steps


def step_kind(step: dict) -> str:
    settings_ = step.get("settings") or {}
    piece, name = settings_.get("pieceName"), settings_.get("actionName") or settings_.get("triggerName")
    if step.get("type") == "PIECE" and piece == WEBHOOK_PIECE and name == "return_response":
        return "return_response"
    if step.get("type") == "PIECE" and piece == BOARD_PIECE and name == "auto_data_board":
        return "data_board"
    if step.get("type") == "PIECE" and piece == BOARD_PIECE and name == "create_board_item":
        return "board_item_legacy"
    if step.get("type") == "PIECE_TRIGGER" and piece == WEBHOOK_PIECE and name == "catch_webhook":
        return "webhook"
    if step.get("type") == "EMPTY":
        return "empty"
    return "other"


def _response_fields(values: dict) -> dict:
    """The Return Response settings, from the current piece (``fields``) or an older one (``body``)."""
    fields = values.get("fields")
    if not isinstance(fields, dict):
        legacy = values.get("body") if isinstance(values.get("body"), dict) else {}
        fields = {"status": legacy.get("status"), "headers": legacy.get("headers"), "body": legacy.get("data")}
    return fields


@dataclass
class Step:
    name: str
    display_name: str
    kind: str
    type: str
    valid: bool
    skip: bool
    input: dict
    raw: dict
    board_name: str = ""

    @property
    def response(self) -> dict:
        fields = _response_fields(self.input)
        return {
            "status": fields.get("status") or 200,
            "headers": fields.get("headers") if isinstance(fields.get("headers"), dict) else {},
            "body": fields.get("body"),
            "response_type": self.input.get("responseType") or "json",
            "respond": self.input.get("respond") or "stop",
        }

    @property
    def board_id(self) -> str:
        return str(self.input.get("boardId") or "")

    @property
    def board_step(self):
        """The data-board step's operation and values (``auto_data_board``)."""
        from .boardstep import board_step_from

        return board_step_from(self.input)

    @property
    def legacy_fields(self) -> dict:
        """The old ``create_board_item`` step's ``{field name: value}``."""
        value = self.input.get("fields")
        return value if isinstance(value, dict) else {}


@dataclass
class Flow:
    id: str
    name: str
    status: str
    published_version_id: str | None
    version_id: str
    version_state: str
    valid: bool
    trigger: dict
    steps: list[Step]
    metadata: dict
    operation_status: str
    updated: datetime | None
    raw: dict = field(repr=False)

    @property
    def enabled(self) -> bool:
        return self.status == "ENABLED"

    @property
    def published(self) -> bool:
        return bool(self.published_version_id)

    @property
    def has_draft_changes(self) -> bool:
        return self.published and self.version_id != self.published_version_id

    @property
    def trigger_kind(self) -> str:
        return step_kind(self.trigger)

    @property
    def is_webhook(self) -> bool:
        return self.trigger_kind == "webhook"

    @property
    def has_return_response(self) -> bool:
        return any(step.kind == "return_response" and not step.skip for step in self.steps)

    @property
    def invalid_reason(self) -> str:
        """Why publishing is refused, or '' when the version is valid."""
        if self.trigger.get("type") == "EMPTY":
            return "The trigger is empty: make it a webhook trigger before publishing."
        if not self.trigger.get("valid"):
            return "The trigger is not configured completely."
        for step in self.steps:
            if step.kind == "board_item_legacy":
                return f"The step “{step.display_name}” uses an action the engine does not have: convert it."
            if not step.valid:
                return f"The step “{step.display_name}” is not configured completely."
        return "" if self.valid else "The engine reports this version as not valid."

    @property
    def tool(self) -> dict:
        ai = ((self.metadata.get("settings") or {}).get("ai") or {}) if isinstance(self.metadata, dict) else {}
        function = ai.get("function") if isinstance(ai, dict) else None
        return function if isinstance(function, dict) else {}

    @property
    def tool_name(self) -> str:
        return re.sub(r"[^A-Za-z0-9]", "_", self.name)


def flow_from(body: Any) -> Flow:
    if not isinstance(body, dict) or not isinstance(body.get("version"), dict):
        raise GatewayError("The gateway answered with an unexpected flow shape.")
    version = body["version"]
    trigger = version.get("trigger") if isinstance(version.get("trigger"), dict) else {}
    steps = [
        Step(
            name=str(step.get("name") or ""),
            display_name=str(step.get("displayName") or step.get("name") or ""),
            kind=step_kind(step),
            type=str(step.get("type") or ""),
            valid=bool(step.get("valid")),
            skip=bool(step.get("skip")),
            input=((step.get("settings") or {}).get("input") or {}),
            raw=step,
        )
        for step in _chain(trigger)
    ]
    metadata = body.get("metadata")
    return Flow(
        id=str(body.get("id") or ""),
        name=str(version.get("displayName") or body.get("id") or ""),
        status=str(body.get("status") or "DISABLED"),
        published_version_id=body.get("publishedVersionId"),
        version_id=str(version.get("id") or ""),
        version_state=str(version.get("state") or ""),
        valid=bool(version.get("valid")),
        trigger=trigger,
        steps=steps,
        metadata=metadata if isinstance(metadata, dict) else {},
        operation_status=str(body.get("operationStatus") or "NONE"),
        updated=_parse_time(body.get("updated")),
        raw=body,
    )


RUN_STATUS_LABELS = {
    "QUEUED": "Queued",
    "RUNNING": "Running",
    "PAUSED": "Paused",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "TIMEOUT": "Timed out",
    "QUOTA_EXCEEDED": "Quota exceeded",
    "MEMORY_LIMIT_EXCEEDED": "Memory limit exceeded",
    "CANCELED": "Canceled",
    "INTERNAL_ERROR": "Internal error",
    "STOPPED": "Stopped",
}


@dataclass
class Run:
    id: str
    flow_id: str
    flow_name: str
    status: str
    environment: str
    created: datetime | None
    started: datetime | None
    finished: datetime | None
    duration_ms: int | None
    failed_step: dict | None
    steps: list[dict]
    raw: dict = field(repr=False)

    @property
    def terminal(self) -> bool:
        return self.status in RUN_TERMINAL

    @property
    def status_label(self) -> str:
        return RUN_STATUS_LABELS.get(self.status, self.status.title())

    @property
    def trigger_body(self) -> Any:
        """What the webhook received: the trigger step's output body (None when unknown)."""
        for step in self.steps:
            if step["name"] == "trigger" and isinstance(step["output"], dict):
                return step["output"].get("body")
        return None

    @property
    def duration_label(self) -> str:
        if self.duration_ms is None:
            return ""
        if self.duration_ms < 1000:
            return f"{self.duration_ms} ms"
        return f"{self.duration_ms / 1000:.1f} s"


def run_from(body: Any) -> Run:
    if not isinstance(body, dict):
        raise GatewayError("The gateway answered with an unexpected run shape.")
    version = body.get("flowVersion") if isinstance(body.get("flowVersion"), dict) else {}
    name = version.get("displayName") or body.get("flowDisplayName") or body.get("flowId") or ""
    raw_steps = body.get("steps") if isinstance(body.get("steps"), dict) else {}
    steps = [
        {
            "name": step_name,
            "type": step.get("type", ""),
            "status": step.get("status", ""),
            "input": step.get("input"),
            "output": step.get("output"),
            "duration": step.get("duration"),
            "error": step.get("errorMessage") or "",
        }
        for step_name, step in raw_steps.items()
        if isinstance(step, dict)
    ]
    duration = body.get("duration")
    failed = body.get("failedStep")
    return Run(
        id=str(body.get("id") or ""),
        flow_id=str(body.get("flowId") or ""),
        flow_name=str(name),
        status=str(body.get("status") or ""),
        environment=str(body.get("environment") or ""),
        created=_parse_time(body.get("created")),
        started=_parse_time(body.get("startTime")),
        finished=_parse_time(body.get("finishTime")),
        duration_ms=int(duration) if isinstance(duration, int | float) and math.isfinite(duration) else None,
        failed_step=failed if isinstance(failed, dict) else None,
        steps=steps,
        raw=body,
    )


@dataclass
class Page:
    items: list
    next: str | None
    previous: str | None


def _dedupe(items: list[dict]) -> list[dict]:
    seen: set[str] = set()
    unique = []
    for item in items:
        key = str(item.get("id"))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# --- reads ------------------------------------------------------------------------------------------


async def _seek_page(path: str, params: dict[str, Any], *, cursor: str, build: Callable[[dict], Any]) -> Page:
    """One page of an engine list (flows, runs): from ``cursor`` when given, each row once, built by ``build``."""
    if cursor:
        params = {**params, "cursor": cursor}
    page = SeekPage.from_body(await get_client().json("GET", path, params=params))
    rows = [row for row in _dedupe(page.data) if isinstance(row, dict)]
    return Page(items=[build(row) for row in rows], next=page.next, previous=page.previous)


async def flow_list(*, name: str = "", status: str = "", cursor: str = "", limit: int = 20) -> Page:
    """One page of flows, newest change first; ``status`` is ENABLED or DISABLED."""
    params: dict[str, Any] = {"limit": limit}
    if name.strip():
        params["name"] = name.strip()
    if status in ("ENABLED", "DISABLED"):
        params["status"] = status
    return await _seek_page(f"{AP}/flows", params, cursor=cursor, build=flow_from)


async def flow_get(*, flow_id: str, version_id: str = "") -> Flow:
    params = {"versionId": version_id} if version_id else None
    return flow_from(await get_client().json("GET", gateway_path(AP + "/flows/{}", flow_id), params=params))


async def flow_published_get(*, flow: Flow) -> Flow | None:
    """The version the live webhook runs (the flow itself when it has no draft changes)."""
    if not flow.published:
        return None
    if not flow.has_draft_changes:
        return flow
    return await flow_get(flow_id=flow.id, version_id=flow.published_version_id or "")


async def flow_choices() -> list[tuple[str, str]]:
    """(flow id, display name) of every flow, following cursors; overlapping pages deduped."""
    client = get_client()
    choices: dict[str, str] = {}
    cursor = None
    for _ in range(COUNT_MAX_PAGES):
        params = {"limit": COUNT_PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
        page = SeekPage.from_body(await client.json("GET", f"{AP}/flows", params=params))
        for row in page.data:
            if isinstance(row, dict) and row.get("id"):
                version = row.get("version") if isinstance(row.get("version"), dict) else {}
                choices.setdefault(str(row["id"]), str(version.get("displayName") or row["id"]))
        cursor = page.next
        if not cursor:
            break
    return sorted(choices.items(), key=lambda item: item[1].lower())


async def flow_project_id() -> str:
    """The organisation's workflow project, as the engine reports it for the caller."""
    body = await get_client().json("GET", f"{AP}/users/me")
    return str(body.get("projectId") or "") if isinstance(body, dict) else ""


async def flow_piece_version(*, piece_name: str) -> str:
    """The piece version the engine ships (``GET /v1/pieces/{name}``, cached PIECE_VERSION_TTL seconds).

    The webhook piece falls back to the SDK guide's version when the engine cannot be asked; any other
    piece raises ``GatewayError`` then, since a guessed version would fail the operation anyway.
    """
    cached = _piece_versions.get(piece_name)
    if cached and time.monotonic() - cached[0] < PIECE_VERSION_TTL:
        return cached[1]
    fallback = WEBHOOK_PIECE_FALLBACK_VERSION if piece_name == WEBHOOK_PIECE else ""
    try:
        # A scoped name (``@activepieces/piece-webhook``) is two segments of the engine's route.
        parts = piece_name.split("/")
        body = await get_client().json("GET", gateway_path(AP + "/pieces" + "/{}" * len(parts), *parts))
    except GatewayError:
        if fallback:
            return fallback
        raise
    version = str(body.get("version") or "") if isinstance(body, dict) else ""
    if not re.fullmatch(r"[~^]?\d+\.\d+\.\d+", version):
        if fallback:
            return fallback
        raise GatewayError(f"The engine answered no usable version for the piece {piece_name}.")
    _piece_versions[piece_name] = (time.monotonic(), version)
    return version


async def flow_run_list(*, flow_id: str = "", status: str = "", cursor: str = "", limit: int = 20) -> Page:
    params: dict[str, Any] = {"limit": limit}
    if flow_id:
        params["flowId"] = flow_id
    if status:
        params["status"] = status
    return await _seek_page(f"{AP}/flow-runs", params, cursor=cursor, build=run_from)


async def flow_run_get(*, run_id: str) -> Run:
    """One run with its steps. The engine answers an unknown run with 400 FLOW_RUN_NOT_FOUND."""
    try:
        body = await get_client().json("GET", gateway_path(AP + "/flow-runs/{}", run_id))
    except GatewayValidationError as exc:
        raise GatewayNotFound(
            "Run not found", status=404, method=exc.method, path=exc.path, request_id=exc.request_id
        ) from exc
    return run_from(body)


def flow_webhook_urls(*, flow_id: str) -> dict[str, str]:
    """The gateway's public webhook URLs for a flow."""
    base = settings.IMBRACE_BASE_URL.rstrip("/") + gateway_path(AP + "/webhooks/{}", flow_id)
    return {"async": base, "sync": f"{base}/sync"}


async def flow_board_fields(*, board_id: str) -> list[dict]:
    """A board's fields (``id``, ``name``, ``type``) from the console's own board data, for the
    data-board step's pickers; empty when there is no board or it cannot be read."""
    from apps.boards.selectors import board_get

    if not board_id:
        return []
    try:
        board = await board_get(board_id=board_id)
    except GatewayError:
        return []
    fields = board.get("fields") if isinstance(board, dict) else None
    return [
        {"id": str(item.get("id") or item.get("_id")), "name": str(item.get("name") or ""), "type": item.get("type")}
        for item in fields or []
        if isinstance(item, dict) and (item.get("id") or item.get("_id"))
    ]
