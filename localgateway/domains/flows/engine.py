"""The small workflow engine behind the local Activepieces stand-in.

It runs a flow's linear chain of steps, resolving ``{{trigger.body.x}}`` style references: the
webhook piece's Return Response, and the data-board piece's ``auto_data_board`` (``board_piece``).
The pieces and step validity are in ``catalog``. Nothing here touches HTTP: ``run_store`` stores
runs and hands this module a graph and a payload.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import board_piece
from .catalog import BOARD_ACTION, BOARD_PIECE, WEBHOOK_PIECE


def chain(trigger: dict) -> list[dict]:
    """The actions in order (each without its ``nextAction``)."""
    steps = []
    node = trigger.get("nextAction")
    while isinstance(node, dict):
        steps.append({key: value for key, value in node.items() if key != "nextAction"})
        node = node.get("nextAction")
    return steps


def link(trigger: dict, actions: list[dict]) -> dict:
    """The trigger with ``actions`` chained after it."""
    head = None
    for action in reversed(actions):
        node = {key: value for key, value in action.items() if key != "nextAction"}
        if head is not None:
            node["nextAction"] = head
        head = node
    result = {key: value for key, value in trigger.items() if key != "nextAction"}
    if head is not None:
        result["nextAction"] = head
    return result


def version_valid(trigger: dict) -> bool:
    return bool(trigger.get("valid")) and all(step.get("valid") for step in chain(trigger))


# --- references: ``{{trigger.body.name}}`` --------------------------------------------------------

_TEMPLATE = re.compile(r"\{\{\s*(.+?)\s*\}\}")
_TOKEN = re.compile(r"""\.?([A-Za-z_$][\w$-]*)|\[\s*(?:(\d+)|'([^']*)'|"([^"]*)")\s*\]""")


class _Missing:
    pass


MISSING = _Missing()


def lookup(expression: str, context: dict) -> Any:
    """Follow a dotted/bracketed path through the step outputs; MISSING when it leads nowhere."""
    value: Any = context
    position = 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            return MISSING
        position = match.end()
        name, index, single, double = match.groups()
        key: Any = name if name is not None else (int(index) if index is not None else (single or double or ""))
        found = isinstance(value, dict) and key in value
        indexed = isinstance(value, list) and isinstance(key, int) and key < len(value)
        if found or indexed:
            value = value[key]
        else:
            return MISSING
    return value


def resolve(value: Any, context: dict) -> Any:
    """Substitute references in strings, recursively. A lone ``{{ref}}`` keeps the referenced type.

    A lone reference to something the payload does not have is undefined, as in the engine's
    JavaScript: the key disappears from its object (and is null in a list).
    """
    if isinstance(value, dict):
        resolved = {key: resolve(item, context) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not MISSING}
    if isinstance(value, list):
        return [None if item is MISSING else item for item in (resolve(entry, context) for entry in value)]
    if not isinstance(value, str):
        return value
    whole = _TEMPLATE.fullmatch(value.strip())
    if whole:
        return lookup(whole.group(1), context)

    def text(match: re.Match) -> str:
        found = lookup(match.group(1), context)
        if found is MISSING or found is None:
            return ""
        return found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)

    return _TEMPLATE.sub(text, value)


@dataclass
class WebhookResponse:
    status: int
    headers: dict[str, str]
    body: Any
    response_type: str = "json"


@dataclass
class RunResult:
    status: str = "SUCCEEDED"
    steps: dict[str, dict] = field(default_factory=dict)
    failed_step: dict | None = None
    response: WebhookResponse | None = None


class StepFailed(Exception):
    pass


def _ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


def _return_response(values: dict) -> WebhookResponse:
    fields = values.get("fields") if isinstance(values.get("fields"), dict) else {}
    response_type = values.get("responseType") or "json"
    try:
        status = int(fields.get("status") or 200)
    except (TypeError, ValueError):
        raise StepFailed(f"Status must be a number, got {fields.get('status')!r}") from None
    if not 100 <= status <= 599:
        raise StepFailed(f"Status must be between 100 and 599, got {status}")
    headers = fields.get("headers") if isinstance(fields.get("headers"), dict) else {}
    headers = {str(key): str(value) for key, value in headers.items()}
    body = fields.get("body")
    if response_type == "json" and isinstance(body, str):
        with contextlib.suppress(json.JSONDecodeError):
            body = json.loads(body)
    if response_type == "redirect":
        return WebhookResponse(301, {**headers, "Location": str(body or "")}, None, "redirect")
    return WebhookResponse(status, headers, body, response_type)


def execute(
    *,
    trigger: dict,
    request: dict,
    organization_id: str,
    on_response: Callable[[WebhookResponse], None] | None = None,
    flow_id: str = "",
    board_calls: board_piece.BoardCalls | None = None,
) -> RunResult:
    """Run the chain for one incoming request. ``on_response`` fires as soon as a Return Response runs."""
    result = RunResult()
    result.steps["trigger"] = {
        "type": "PIECE_TRIGGER",
        "status": "SUCCEEDED",
        "input": {},
        "output": request,
        "duration": 0,
    }
    context: dict[str, Any] = {"trigger": request}
    for step in chain(trigger):
        if step.get("skip"):
            continue
        name = step.get("name", "")
        started = time.perf_counter()
        settings = step.get("settings") or {}
        values = resolve(settings.get("input") or {}, context)
        values = values if isinstance(values, dict) else {}
        record: dict[str, Any] = {"type": step.get("type"), "status": "SUCCEEDED", "input": values}
        stop = False
        try:
            run = RunContext(organization_id, flow_id, board_calls or board_piece.BoardCalls())
            output, stop = _run_action(step, values, run, context)
        except StepFailed as exc:
            record.update(status="FAILED", errorMessage=str(exc), output=None, duration=_ms(started))
            result.steps[name] = record
            options = settings.get("errorHandlingOptions") or {}
            if (options.get("continueOnFailure") or {}).get("value"):
                context[name] = None
                continue
            result.status = "FAILED"
            result.failed_step = {"name": name, "displayName": step.get("displayName", name)}
            return result
        record.update(output=output, duration=_ms(started))
        result.steps[name] = record
        context[name] = output
        if step_is_return_response(step) and result.response is None:
            result.response = WebhookResponse(
                output["status"], output["headers"], output["body"], values.get("responseType") or "json"
            )
            if on_response is not None:
                on_response(result.response)
        if stop:
            break
    return result


def step_is_return_response(step: dict) -> bool:
    settings = step.get("settings") or {}
    return (
        step.get("type") == "PIECE"
        and settings.get("pieceName") == WEBHOOK_PIECE
        and settings.get("actionName") == "return_response"
    )


@dataclass
class RunContext:
    organization_id: str
    flow_id: str
    board_calls: board_piece.BoardCalls


def _run_action(step: dict, values: dict, run: RunContext, context: dict) -> tuple[Any, bool]:
    """One step's output, and whether the flow stops after it."""
    if not step.get("valid"):
        raise StepFailed("The step is not configured completely.")
    if step.get("type") == "CODE":
        raise StepFailed("Code steps need the Node.js sandbox, which the local gateway does not have.")
    if step_is_return_response(step):
        response = _return_response(values)
        output = {"status": response.status, "headers": response.headers, "body": response.body}
        return output, (values.get("respond") or "stop") == "stop"
    settings = step.get("settings") or {}
    if settings.get("pieceName") == BOARD_PIECE and settings.get("actionName") == BOARD_ACTION:
        output = board_piece.run(
            values,
            organization_id=run.organization_id,
            trigger_output=context.get("trigger"),
            flow_id=run.flow_id,
            calls=run.board_calls,
        )
        return output, False
    raise StepFailed(f"The piece {settings.get('pieceName')} is not available on this engine.")
