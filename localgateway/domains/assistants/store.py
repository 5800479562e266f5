"""Assistants as one JSON row each (soft-deleted), their public shapes and the update rules."""

from __future__ import annotations

from typing import Any

from ... import db
from .schema import PERSONA_FIELDS
from .validation import _category, generated_instructions

# --- storage -------------------------------------------------------------------------------------


def load(organization_id: str, assistant_id: str) -> dict | None:
    found = (
        db.conn()
        .execute(
            "SELECT data FROM ai_assistants WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
            (assistant_id, organization_id),
        )
        .fetchone()
    )
    return None if found is None else db.loads(found["data"])


def all_rows(organization_id: str, search: str = "") -> list[dict]:
    sql = "SELECT data FROM ai_assistants WHERE organization_id = ? AND deleted_at IS NULL"
    params: list[Any] = [organization_id]
    if search:
        sql += " AND instr(lower(name), ?) > 0"
        params.append(search.lower())
    sql += " ORDER BY created_at DESC, rowid DESC"
    return [db.loads(found["data"]) for found in db.conn().execute(sql, params)]


def insert(row: dict) -> None:
    db.conn().execute(
        "INSERT INTO ai_assistants (id, organization_id, name, created_at, deleted_at, data)"
        " VALUES (?, ?, ?, ?, NULL, ?)",
        (row["id"], row["organization_id"], row["name"], row["created_at"], db.dumps(row)),
    )


def save(row: dict) -> None:
    row["updated_at"] = db.now_iso()
    db.conn().execute(
        "UPDATE ai_assistants SET name = ?, deleted_at = ?, data = ? WHERE id = ?",
        (row["name"], row.get("deleted_at"), db.dumps(row), row["id"]),
    )


# --- shapes --------------------------------------------------------------------------------------


def written(row: dict) -> dict:
    """What create and update answer: the row without its internal keys."""
    return {k: v for k, v in row.items() if k not in ("assistant_id", "updated_at", "deleted_at")}


def listed(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "deleted_at"}


def _read(organization_id: str, row: dict) -> dict:
    """``GET /assistants/{id}``: sub-agents expanded, and its team leads for a plain agent."""
    shown = listed(row)
    sub_agents = []
    for sub_id in row.get("sub_agents") or []:
        sub = load(organization_id, str(sub_id))
        if sub is not None:
            sub_agents.append({"assistant_id": sub["id"], "name": sub["name"], "instructions": sub.get("core_task")})
    shown["sub_agents"] = sub_agents
    if row.get("agent_type") == "agent":
        shown["team_leads"] = [
            {"assistant_id": other["id"], "name": other["name"]}
            for other in all_rows(organization_id)
            if row["id"] in (other.get("sub_agents") or [])
        ]
    return shown


def assistant_get_internal(organization_id: str, assistant_id: str) -> dict | None:
    """The stored assistant as ``GET /v3/ai/assistants/{id}`` returns it, or None (for the chat service)."""
    row = load(organization_id, assistant_id)
    return None if row is None else _read(organization_id, row)


def new_row(organization_id: str, body: dict, *, mode: str) -> dict:
    now = db.now_iso()
    assistant_id = db.new_uuid()
    row: dict[str, Any] = {
        "id": assistant_id,
        "assistant_id": assistant_id,
        "organization_id": organization_id,
        "name": body["name"],
        "workflow_name": body.get("workflow_name"),
        "model": "rag",
        "model_id": body["model_id"] if body.get("model_id") is not None else "",
        "provider_id": body.get("provider_id"),
        "description": body.get("description") or "",
        "instructions": "",
        **{field: body.get(field) for field in PERSONA_FIELDS},
        "banned_words": body.get("banned_words") or "",
        "agent_type": body.get("agent_type") or "agent",
        "mode": body.get("mode") or mode,
        "category": _category(body.get("category")) or [],
        "channel": body.get("channel"),
        "preload_information": body.get("preload_information") or "",
        "preload_information_type": body.get("preload_information_type") or "",
        "workflow_function_call": body["workflow_function_call"]
        if body.get("workflow_function_call") is not None
        else [],
        "credential_name": body.get("credential_name"),
        "credential_id": body.get("credential_id"),
        "guardrail_id": body.get("guardrail_id") or "",
        "default_folder_id": body.get("default_folder_id"),
        "version": str(body.get("version", 1)),
        "object": None,
        "reasoning_effort": None,
        "temperature": body.get("temperature", 0.1),
        "top_p": None,
        "use_history": False,
        "streaming": body.get("streaming", False),
        "show_thinking_process": bool(body.get("show_thinking_process") or False),
        "use_memory": body.get("use_memory", True),
        "file_ids": body.get("file_ids") or [],
        "sub_agents": body.get("sub_agents") or [],
        "knowledge_hubs": body.get("knowledge_hubs") or [],
        "board_ids": body.get("board_ids") or [],
        "folder_ids": body.get("folder_ids") or [],
        "metadata": body.get("metadata") or None,
        "tools": None,
        "tool_resources": None,
        "response_format": None,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "document_ai": body.get("document_ai"),
    }
    row["instructions"] = body.get("instructions") or generated_instructions(row)
    return row


def _apply_resets(row: dict, body: dict) -> None:
    """The fields both update routes reset to their defaults when the body leaves them out."""
    row["name"] = body["name"]
    row["description"] = body.get("description") or ""
    row["provider_id"] = body.get("provider_id")
    for field in PERSONA_FIELDS:
        row[field] = body.get(field)
    row["channel"] = body.get("channel")
    row["category"] = _category(body.get("category"))
    row["streaming"] = body.get("streaming", False)
    row["show_thinking_process"] = bool(body.get("show_thinking_process") or False)
    row["temperature"] = body.get("temperature", 0.1)
    row["use_memory"] = body.get("use_memory", True)
    row["mode"] = body.get("mode") or "standard"
    row["default_folder_id"] = body.get("default_folder_id")
    if body.get("metadata"):
        row["metadata"] = {**(row.get("metadata") or {}), **body["metadata"]}


def _replace(row: dict, body: dict) -> None:
    """``PUT /assistant_apps/{id}``: everything not sent falls back to its default (assistants-chat.md#editing)."""
    _apply_resets(row, body)
    row["model_id"] = body["model_id"] if body.get("model_id") is not None else ""
    row["agent_type"] = body.get("agent_type", "agent")
    row["sub_agents"] = body.get("sub_agents") or []
    row["knowledge_hubs"] = body.get("knowledge_hubs") or []
    row["workflow_function_call"] = (
        body["workflow_function_call"] if body.get("workflow_function_call") is not None else []
    )
    row["guardrail_id"] = body.get("guardrail_id") or ""
    row["preload_information"] = body.get("preload_information") or ""
    row["document_ai"] = body.get("document_ai")
    for key in ("file_ids", "folder_ids", "board_ids"):
        if body.get(key) is not None:
            row[key] = body[key]
    row["instructions"] = generated_instructions(row)


def partial(organization_id: str, row: dict, body: dict) -> None:
    """``PUT /assistants/{id}``: keeps some omitted fields, still resets others (assistants-chat.md#editing)."""
    _apply_resets(row, body)
    for key in (
        "model_id",
        "knowledge_hubs",
        "workflow_function_call",
        "guardrail_id",
        "file_ids",
        "folder_ids",
        "board_ids",
        "preload_information",
    ):
        if body.get(key) is not None:
            row[key] = body[key]
    if "sub_agents" in body:
        row["sub_agents"] = body["sub_agents"] or []
    if "agent_type" in body:
        row["agent_type"] = body["agent_type"]
    row["instructions"] = generated_instructions(row)
    if body.get("team_leads") is not None:
        write_team_leads(organization_id, row["id"], [str(lead) for lead in body["team_leads"]])


def write_team_leads(organization_id: str, assistant_id: str, lead_ids: list[str]) -> None:
    """``team_leads`` is stored the other way round: in each parent's ``sub_agents``."""
    for other in all_rows(organization_id):
        if other["id"] == assistant_id:
            continue
        subs = list(other.get("sub_agents") or [])
        wanted = other["id"] in lead_ids
        if wanted and assistant_id not in subs:
            other["sub_agents"] = [*subs, assistant_id]
            save(other)
        elif not wanted and assistant_id in subs:
            other["sub_agents"] = [sub for sub in subs if sub != assistant_id]
            save(other)
