"""Changes to flows through Activepieces: create, edit steps, publish, trigger, bind.

Every change is a flow operation (``POST /v1/flows/{id}`` with ``{type, request}``)
and is audited. The traps hidden here: a flow whose version is not valid (an
empty trigger above all) is never sent to publish; a sync webhook without a
Return Response step answers only after the gateway's 30 s limit, so the
console waits a little longer and explains what happened; bound flows are
stored on the assistant as plain flow ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from apps.audit.services import AuditEntry, audit_recorded
from imbrace_console.gateway import (
    GatewayError,
    GatewayNotFound,
    GatewayTimeout,
    GatewayUnavailable,
    gateway_path,
    get_client,
)

from .boardstep import legacy_to_board_action
from .selectors import (
    AP,
    BOARD_PIECE,
    WEBHOOK_PIECE,
    Flow,
    flow_board_fields,
    flow_from,
    flow_get,
    flow_piece_version,
    flow_run_get,
    flow_webhook_urls,
)

# The gateway gives a sync webhook 30 s; the console reads a little longer so it sees the gateway's answer.
SYNC_READ_TIMEOUT = 35.0
GATEWAY_SYNC_LIMIT = 30


class FlowNotPublishable(Exception):
    """The flow's version is not valid; ``reason`` says what to fix."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TriggerResult:
    """What happened when the console called a flow's webhook."""

    outcome: str  # accepted | response | no_response | timeout | failed | disabled | gone
    message: str
    status: int | None = None
    body: Any = None
    headers: dict | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("accepted", "response")

    @property
    def body_text(self) -> str:
        if self.body is None:
            return ""
        if isinstance(self.body, str):
            return self.body
        return json.dumps(self.body, indent=2, ensure_ascii=False)


async def _operate(*, actor, flow_id: str, kind: str, request: dict, action: str, name: str = "", changes=None) -> Flow:
    entry = AuditEntry("flows", action, "flow", flow_id, name, changes or {})
    async with audit_recorded(actor=actor, entry=entry):
        body = await get_client().json(
            "POST", gateway_path(AP + "/flows/{}", flow_id), json={"type": kind, "request": request}
        )
        flow = flow_from(body)
        entry.target_name = flow.name
    return flow


# --- flows ------------------------------------------------------------------------------------------


async def flow_create(*, actor, display_name: str) -> Flow:
    """A new flow in the caller's project (the engine takes the project from the credential)."""
    async with audit_recorded(actor=actor, entry=AuditEntry("flows", "flow.create", "flow", "", display_name)) as entry:
        body = await get_client().json("POST", f"{AP}/flows", json={"displayName": display_name})
        flow = flow_from(body)
        entry.target_id = flow.id
    return flow


async def flow_rename(*, actor, flow_id: str, display_name: str, old_name: str = "") -> Flow:
    return await _operate(
        actor=actor,
        flow_id=flow_id,
        kind="CHANGE_NAME",
        request={"displayName": display_name},
        action="flow.rename",
        name=display_name,
        changes={"old": {"displayName": old_name}, "new": {"displayName": display_name}},
    )


async def flow_delete(*, actor, flow_id: str, name: str = "") -> None:
    async with audit_recorded(actor=actor, entry=AuditEntry("flows", "flow.delete", "flow", flow_id, name)):
        await get_client().request("DELETE", gateway_path(AP + "/flows/{}", flow_id))


async def flow_trigger_webhook_set(*, actor, flow_id: str) -> Flow:
    """Make the trigger the webhook piece's Catch Webhook (no auth), keeping the steps after it."""
    trigger = {
        "name": "trigger",
        "type": "PIECE_TRIGGER",
        "valid": True,
        "displayName": "Catch Webhook",
        "settings": {
            "pieceName": WEBHOOK_PIECE,
            "pieceVersion": await flow_piece_version(piece_name=WEBHOOK_PIECE),
            "triggerName": "catch_webhook",
            "input": {"authType": "none", "authFields": {}},
            "propertySettings": {},
        },
    }
    return await _operate(
        actor=actor, flow_id=flow_id, kind="UPDATE_TRIGGER", request=trigger, action="flow.trigger.webhook"
    )


def _next_step_name(flow: Flow) -> str:
    used = {step.name for step in flow.steps}
    number = len(flow.steps) + 1
    while f"step_{number}" in used:
        number += 1
    return f"step_{number}"


async def return_response_action(
    *, name: str, status: int, headers: dict[str, str], body: Any, response_type: str, respond: str
) -> dict:
    return {
        "name": name,
        "type": "PIECE",
        "valid": True,
        "displayName": "Return Response",
        "settings": {
            "pieceName": WEBHOOK_PIECE,
            "pieceVersion": await flow_piece_version(piece_name=WEBHOOK_PIECE),
            "actionName": "return_response",
            "input": {
                "responseType": response_type,
                "respond": respond,
                "fields": {"status": status, "headers": headers, "body": body},
            },
            "propertySettings": {},
            "errorHandlingOptions": {"continueOnFailure": {"value": False}, "retryOnFailure": {"value": False}},
        },
    }


async def board_piece_version() -> str:
    """The data-board piece's version as the engine reports it: what a new board step names (never a guess)."""
    return await flow_piece_version(piece_name=BOARD_PIECE)


async def _step_replace(*, actor, flow: Flow, action: dict, audit_action: str, old: dict, new: dict) -> Flow:
    """Put ``action`` in place of the flow's step of the same name, audited as ``audit_action`` (old and new)."""
    changes = {"old": old, "new": new}
    return await _operate(
        actor=actor,
        flow_id=flow.id,
        kind="UPDATE_ACTION",
        request=action,
        action=audit_action,
        name=flow.name,
        changes=changes,
    )


async def flow_step_convert(*, actor, flow: Flow, step_name: str) -> Flow:
    """Replace an old ``create_board_item`` step by the equivalent ``auto_data_board`` create step."""
    step = next((item for item in flow.steps if item.name == step_name), None)
    if step is None or step.kind != "board_item_legacy":
        raise ValueError("Only a create_board_item step can be converted.")
    action = legacy_to_board_action(
        step.raw,
        piece_version=await board_piece_version(),
        board_fields=await flow_board_fields(board_id=step.board_id),
    )
    settings_ = action["settings"]
    old = {"step": step_name, "actionName": "create_board_item", "input": step.input}
    new = {"step": step_name, "actionName": settings_["actionName"], "input": settings_["input"]}
    return await _step_replace(
        actor=actor, flow=flow, action=action, audit_action="flow.step.convert", old=old, new=new
    )


async def flow_webhook_reveal(*, actor, flow: Flow) -> dict[str, str]:
    """The flow's webhook URLs, shown in full only after this audit entry (the URL is the flow's key)."""
    async with audit_recorded(
        actor=actor, entry=AuditEntry("flows", "flow.webhook.reveal", "flow", flow.id, flow.name)
    ):
        pass
    return flow_webhook_urls(flow_id=flow.id)


async def flow_step_add(*, actor, flow: Flow, action: dict) -> Flow:
    """Append a step at the end of the flow; ``action['name']`` is filled in when empty."""
    action = {**action, "name": action.get("name") or _next_step_name(flow)}
    parent = flow.steps[-1].name if flow.steps else "trigger"
    return await _operate(
        actor=actor,
        flow_id=flow.id,
        kind="ADD_ACTION",
        request={"parentStep": parent, "stepLocationRelativeToParent": "AFTER", "action": action},
        action="flow.step.add",
        name=flow.name,
        changes={"new": {"step": action["name"], "displayName": action.get("displayName")}},
    )


async def flow_step_update(*, actor, flow: Flow, action: dict) -> Flow:
    raw = next((step.raw for step in flow.steps if step.name == action["name"]), {})
    old = {"step": action["name"], "input": (raw.get("settings") or {}).get("input")}
    new = {"step": action["name"], "input": action["settings"]["input"]}
    return await _step_replace(actor=actor, flow=flow, action=action, audit_action="flow.step.update", old=old, new=new)


async def flow_step_delete(*, actor, flow: Flow, step_name: str) -> Flow:
    return await _operate(
        actor=actor,
        flow_id=flow.id,
        kind="DELETE_ACTION",
        request={"names": [step_name]},
        action="flow.step.delete",
        name=flow.name,
        changes={"old": {"step": step_name}},
    )


async def flow_publish(*, actor, flow_id: str) -> Flow:
    """Lock and publish the latest version; refused here when the engine would call it invalid."""
    flow = await flow_get(flow_id=flow_id)
    reason = flow.invalid_reason
    if reason:
        raise FlowNotPublishable(reason)
    return await _operate(
        actor=actor, flow_id=flow_id, kind="LOCK_AND_PUBLISH", request={}, action="flow.publish", name=flow.name
    )


async def flow_status_set(*, actor, flow: Flow, enabled: bool) -> Flow:
    if enabled and not flow.published:
        raise FlowNotPublishable("The flow has never been published: publish it to enable it.")
    status = "ENABLED" if enabled else "DISABLED"
    return await _operate(
        actor=actor,
        flow_id=flow.id,
        kind="CHANGE_STATUS",
        request={"status": status},
        action="flow.enable" if enabled else "flow.disable",
        name=flow.name,
        changes={"old": {"status": flow.status}, "new": {"status": status}},
    )


async def flow_tool_update(*, actor, flow: Flow, description: str, parameters: dict) -> Flow:
    """Store the chat-tool definition in ``metadata.settings.ai`` (other metadata kept)."""
    metadata = dict(flow.metadata)
    settings_ = dict(metadata.get("settings") or {}) if isinstance(metadata.get("settings"), dict) else {}
    settings_["ai"] = {
        "type": "function",
        "function": {"name": flow.tool_name, "description": description, "parameters": parameters},
    }
    metadata["settings"] = settings_
    return await _operate(
        actor=actor,
        flow_id=flow.id,
        kind="UPDATE_METADATA",
        request={"metadata": metadata},
        action="flow.tool.update",
        name=flow.name,
        changes={"old": {"tool": flow.tool}, "new": {"tool": settings_["ai"]["function"]}},
    )


# --- triggering -------------------------------------------------------------------------------------


def _response_body(response) -> Any:
    if not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


async def flow_trigger(*, actor, flow_id: str, payload: Any, sync: bool, name: str = "") -> TriggerResult:
    """Call the flow's live webhook: async (accepted at once) or sync (waits for its Return Response)."""
    path = gateway_path(AP + "/webhooks/{}" + ("/sync" if sync else ""), flow_id)
    try:
        action = "flow.trigger.sync" if sync else "flow.trigger"
        entry = AuditEntry("flows", action, "flow", flow_id, name, {"new": {"payload": payload}})
        async with audit_recorded(actor=actor, entry=entry):
            response = await get_client().request(
                "POST", path, json=payload, timeout=SYNC_READ_TIMEOUT if sync else None
            )
    except GatewayNotFound:
        return TriggerResult(
            "disabled", "The flow is not enabled, so its webhook answered 404. Publish and enable it first.", 404
        )
    except GatewayTimeout:
        return _timed_out()
    except GatewayUnavailable as exc:
        if exc.status == 504:
            return _timed_out()
        raise
    except GatewayError as exc:
        if exc.status == 410:
            return TriggerResult("gone", "The flow no longer exists (the webhook answered 410 Gone).", 410)
        if exc.status == 500:
            return TriggerResult(
                "failed",
                (exc.message or "The flow failed before it returned a response.")
                + ". Open its latest run to see which step failed and why.",
                500,
            )
        if exc.status is not None and sync and exc.status not in (401, 403):
            return TriggerResult("response", f"The flow answered with status {exc.status}.", exc.status, exc.message)
        raise
    if not sync:
        return TriggerResult("accepted", "Accepted: the flow will run in the background.", response.status_code)
    if response.status_code == 204:
        return TriggerResult(
            "no_response",
            "The flow finished without a Return Response step, so the gateway waited for its "
            f"{GATEWAY_SYNC_LIMIT} s limit and answered 204 No Content. Add a Return Response step to get an answer.",
            204,
        )
    headers = {key: value for key, value in response.headers.items() if key.lower().startswith("x-")}
    return TriggerResult(
        "response",
        f"The flow answered with status {response.status_code}.",
        response.status_code,
        _response_body(response),
        headers,
    )


def _timed_out() -> TriggerResult:
    return TriggerResult(
        "timeout",
        f"No answer within the gateway's {GATEWAY_SYNC_LIMIT} s limit. A sync trigger only answers when the flow "
        "reaches a Return Response step; check that the flow has one and look at its latest run.",
        504,
    )


async def flow_run_rerun(*, actor, run_id: str) -> tuple[TriggerResult, str]:
    """Trigger the run's flow again (async) with the payload its trigger received; (result, flow id)."""
    run = await flow_run_get(run_id=run_id)
    payload = run.trigger_body if run.trigger_body is not None else {}
    return await flow_trigger(actor=actor, flow_id=run.flow_id, payload=payload, sync=False, name=run.flow_name), (
        run.flow_id
    )


# --- assistants -------------------------------------------------------------------------------------


async def flow_assistants_update(*, actor, flow_id: str, assistant_ids: list[str]) -> list[str]:
    """Bind the flow to exactly these assistants (as a chat tool); returns the names changed."""
    from apps.assistants.selectors import assistant_list, resource_ids
    from apps.assistants.services import assistant_resources_update

    wanted = set(assistant_ids)
    changed = []
    for assistant in await assistant_list():
        assistant_id = str(assistant.get("id") or "")
        if not assistant_id:
            continue
        bound = resource_ids(assistant.get("workflow_function_call"))
        if (flow_id in bound) == (assistant_id in wanted):
            continue
        flow_ids = [i for i in bound if i != flow_id] + ([flow_id] if assistant_id in wanted else [])
        await assistant_resources_update(actor=actor, assistant_id=assistant_id, flow_ids=flow_ids)
        changed.append(str(assistant.get("name") or assistant_id))
    return changed
