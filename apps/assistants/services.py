"""Writes to assistants on the AI service (``/v3/ai``), each one audited.

The service's traps, hidden here (docs/contract/assistants-chat.md#creating-an-assistant, #editing):

- it creates assistants with ``streaming: false`` and no model unless told;
- its update route replaces the whole assistant, resetting what is not sent,
  so every edit reads the assistant, merges, and sends every field back;
- it does not check that ``workflow_name`` is unique, so the console does;
- bound flows are stored as a plain list of flow ids.
"""

from __future__ import annotations

import re
import time
import unicodedata
from typing import Any

from apps.audit.services import AuditEntry, audit_recorded, audited_json
from imbrace_console.gateway import GatewayError, gateway_path, get_client

from .selectors import assistant_get, assistant_workflow_name_owner, default_model, resource_ids

# Every field the full-replace route (``PUT /assistant_apps/{id}``) accepts; a field left out is reset.
APP_FIELDS = (
    "name",
    "workflow_name",
    "description",
    "instructions",
    "provider_id",
    "model_id",
    "file_ids",
    "folder_ids",
    "board_ids",
    "metadata",
    "personality_role",
    "core_task",
    "tone_and_style",
    "response_length",
    "banned_words",
    "mode",
    "channel",
    "category",
    "credential_id",
    "credential_name",
    "knowledge_hubs",
    "workflow_function_call",
    "show_thinking_process",
    "preload_information",
    "preload_information_type",
    "guardrail_id",
    "agent_type",
    "sub_agents",
    "streaming",
    "temperature",
    "use_memory",
    "version",
    "default_folder_id",
    "document_ai",
)
RESOURCE_FIELDS = {"folders": "folder_ids", "boards": "board_ids", "flows": "workflow_function_call"}


class WorkflowNameTaken(Exception):
    """Another assistant in the organization already uses this workflow name."""

    def __init__(self, workflow_name: str, owner: dict) -> None:
        self.workflow_name = workflow_name
        self.owner = owner
        super().__init__(f"The workflow name {workflow_name} is already used by the assistant “{owner.get('name')}”.")


def workflow_name_suggest(*, name: str, now: float | None = None) -> str:
    """A snake_case ``<slug>_v<epoch>`` name, unique in practice."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:200] or "assistant"
    if slug[0].isdigit():
        slug = f"assistant_{slug}"
    return f"{slug}_v{int(now if now is not None else time.time())}"


def _sub_agent_ids(value: Any) -> list[str]:
    """Sub-agents are read back as ``{assistant_id, name, ...}`` objects and written as ids."""
    ids = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            item = item.get("assistant_id") or item.get("id")
        if item:
            ids.append(str(item))
    return ids


def assistant_full_body(current: dict) -> dict:
    """The whole assistant as the full-replace route wants it: every field it accepts, as stored."""
    body = {key: current[key] for key in APP_FIELDS if key in current}
    body["sub_agents"] = _sub_agent_ids(current.get("sub_agents"))
    if not body.get("workflow_name"):
        # Required by the route, never stored by it: an assistant made elsewhere may lack one.
        body["workflow_name"] = workflow_name_suggest(name=str(current.get("name") or "assistant"))
    return body


async def assistant_create(*, actor, fields: dict) -> dict:
    """Create an assistant from the console's form fields (``name``, ``core_task``, ``provider_id``, ...).

    Always streaming, always with a provider and model; ``core_task`` (what the
    chat uses) is sent as ``instructions`` too. Raises ``WorkflowNameTaken``.
    """
    body = {key: value for key, value in fields.items() if key in APP_FIELDS}
    body["workflow_name"] = (body.get("workflow_name") or "").strip() or workflow_name_suggest(name=body["name"])
    owner = await assistant_workflow_name_owner(workflow_name=body["workflow_name"])
    if owner is not None:
        raise WorkflowNameTaken(body["workflow_name"], owner)
    body["instructions"] = body.get("core_task") or ""
    body["streaming"] = True
    if not body.get("provider_id") or not body.get("model_id"):
        # Never sent without both (every chat would fail): the organization's default from /v3/ai/providers.
        body["provider_id"], body["model_id"] = await default_model()
    entry = AuditEntry("assistants", "assistant.create", "assistant", "", body["name"], {"new": body})
    async with audit_recorded(actor=actor, entry=entry):
        created = await get_client().json("POST", "/v3/ai/assistant_apps", json=body)
        if not isinstance(created, dict) or not created.get("id"):
            raise GatewayError("The gateway answered the create without an assistant id.")
        entry.target_id = str(created["id"])
    return created


async def _replace(*, actor, current: dict, changes: dict, action: str) -> dict:
    """Merge ``changes`` into the assistant just read and send it whole."""
    assistant_id = str(current["id"])
    body = assistant_full_body(current)
    old = {key: body.get(key) for key in changes}
    body.update(changes)
    name = str(body.get("name") or "")
    entry = AuditEntry("assistants", action, "assistant", assistant_id, name, {"old": old, "new": changes})
    path = gateway_path("/v3/ai/assistant_apps/{}", assistant_id)
    updated = await audited_json("PUT", path, actor=actor, entry=entry, json=body)
    return updated if isinstance(updated, dict) else {**current, **changes}


async def assistant_update(*, actor, assistant_id: str, fields: dict) -> dict:
    """Change the given fields and keep every other one (read, merge, send all)."""
    current = await assistant_get(assistant_id=assistant_id)
    changes = {key: value for key, value in fields.items() if key in APP_FIELDS and key != "workflow_name"}
    if "core_task" in changes:
        changes["instructions"] = changes["core_task"] or ""
    return await _replace(actor=actor, current=current, changes=changes, action="assistant.update")


async def assistant_resources_update(
    *,
    actor,
    assistant_id: str,
    folder_ids: list[str] | None = None,
    board_ids: list[str] | None = None,
    flow_ids: list[str] | None = None,
) -> dict:
    """Set the knowledge folders, boards and bound flows (None = leave as is); flows as plain flow ids."""
    current = await assistant_get(assistant_id=assistant_id)
    changes: dict[str, list[str]] = {}
    for field, ids in (("folder_ids", folder_ids), ("board_ids", board_ids), ("workflow_function_call", flow_ids)):
        if ids is not None:
            changes[field] = list(dict.fromkeys(str(i) for i in ids if i))
    if not changes:
        return current
    return await _replace(actor=actor, current=current, changes=changes, action="assistant.resources.update")


async def assistant_resource_set(*, actor, assistant_id: str, kind: str, resource_id: str, attached: bool) -> dict:
    """Attach (or detach) one folder, board or flow, keeping the others."""
    field = RESOURCE_FIELDS[kind]
    current = await assistant_get(assistant_id=assistant_id)
    ids = [i for i in resource_ids(current.get(field)) if i != resource_id] + ([resource_id] if attached else [])
    return await _replace(actor=actor, current=current, changes={field: ids}, action="assistant.resources.update")


async def assistant_delete(*, actor, assistant_id: str, name: str = "") -> None:
    entry = AuditEntry("assistants", "assistant.delete", "assistant", assistant_id, name)
    await audited_json("DELETE", gateway_path("/v3/ai/assistant_apps/{}", assistant_id), actor=actor, entry=entry)
