"""The AI service's assistants, custom providers and model catalogue (``/v3/ai``).

Follows docs/contract/assistants-chat.md: create answers 200; every failure is a 400
``{"detail": "[ERROR: <message>]"}``, "not found" included; the two update
routes reset the fields the contract lists when they are left out; deletes
are soft. Each assistant is one JSON row, scoped to the caller's organization.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from .. import db
from ..config import Config
from ..routing import AI, under

SCHEMA = """
CREATE TABLE IF NOT EXISTS ai_assistants (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ai_assistants_by_org ON ai_assistants (organization_id, deleted_at, created_at);
CREATE TABLE IF NOT EXISTS ai_providers (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
"""

PERSONA_FIELDS = ("personality_role", "core_task", "tone_and_style", "response_length", "banned_words")
PROVIDER_TYPES = ("openai", "custom", "google", "bedrock", "ollama", "vllm")
SECRET_HINTS = ("key", "secret", "token", "password")

# The platform ("system") catalogue behind ``GET /workflow-agent/models``.
SYSTEM_MODELS = (
    {"name": "gpt-4o-mini", "provider": "openai", "is_toolCall_available": True, "is_vision_available": True},
    {"name": "gpt-4.1", "provider": "openai", "is_toolCall_available": True, "is_vision_available": True},
    {
        "name": "claude-3-5-sonnet",
        "provider": "bedrock",
        "is_toolCall_available": True,
        "is_vision_available": True,
        "is_support_thinking": True,
    },
    {"name": "gemini-2.0-flash", "provider": "google", "is_toolCall_available": True, "is_vision_available": True},
    {"name": "llama-3.1-8b-instruct", "provider": "vllm", "is_toolCall_available": False, "is_vision_available": False},
)


class InputError(ValueError):
    """A body the service refuses; the message is what it answers in ``[ERROR: ...]``."""


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"detail": f"[ERROR: {message}]"}, status)


def _not_found() -> JSONResponse:
    return _error("Assistant not found")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("Request body must be a dictionary.") from exc


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InputError(message)


def _check_body(body: Any) -> dict:
    _require(body is not None, "Request body cannot be None.")
    _require(isinstance(body, dict), "Request body must be a dictionary.")
    return body


def _check_common(body: dict) -> None:
    """The checks both validators share (chat-ai ``helper.py``): types and lengths."""
    name = body.get("name")
    _require(bool(name) and isinstance(name, str) and len(name) <= 256, "Invalid assistant name.")
    description = body.get("description")
    _require(
        not description or (isinstance(description, str) and len(description) <= 512),
        "Invalid assistant description.",
    )
    for key, message in (
        ("file_ids", "Invalid assistant file IDs."),
        ("folder_ids", "Invalid assistant folder IDs."),
        ("board_ids", "Invalid assistant board IDs."),
    ):
        _require(not body.get(key) or isinstance(body[key], list), message)
    _require(not body.get("metadata") or isinstance(body["metadata"], dict), "Invalid assistant metadata.")
    for key, message in (
        ("mode", "Invalid assistant mode."),
        ("channel", "Invalid assistant channel."),
        ("personality_role", "Invalid assistant personality and role."),
        ("core_task", "Invalid assistant core task."),
        ("tone_and_style", "Invalid assistant tone and style."),
        ("response_length", "Invalid assistant response length."),
        ("banned_words", "Invalid assistant banned words."),
    ):
        _require(not body.get(key) or isinstance(body[key], str), message)
    temperature = body.get("temperature", 0.1)
    # The service skips the range check for 0 (falsy), so 0 is accepted.
    _require(
        not temperature
        or (isinstance(temperature, int | float) and not isinstance(temperature, bool) and 0 <= temperature <= 2),
        "Invalid assistant temperature.",
    )
    vibe_code = body.get("vibe_code", False)
    _require(vibe_code is None or isinstance(vibe_code, bool), "Invalid vibe_coding - must be a boolean.")


def _validate_app(body: Any) -> dict:
    """``validate_create_assistant_app_input``: the create and full-replace routes."""
    body = _check_body(body)
    _check_common(body)
    _require(not body.get("sub_agents") or isinstance(body["sub_agents"], list), "Invalid sub-agents input.")
    _require(body.get("provider_id") is None or isinstance(body["provider_id"], str), "Invalid provider_id.")
    workflow_name = body.get("workflow_name")
    _require(
        bool(workflow_name) and isinstance(workflow_name, str) and len(workflow_name) <= 256,
        "Invalid workflow name.",
    )
    credential_id = body.get("credential_id")
    _require(
        not credential_id or (isinstance(credential_id, int) and not isinstance(credential_id, bool)),
        "Invalid credential ID.",
    )
    _require(not body.get("credential_name") or isinstance(body["credential_name"], str), "Invalid credential name.")
    _require(not body.get("guardrail_id") or isinstance(body["guardrail_id"], str), "Invalid guardrail id.")
    document_ai = body.get("document_ai")
    if document_ai is not None:
        _require(isinstance(document_ai, dict), "Invalid document_ai configuration.")
        for key in ("vlm_provider_id", "vlm_model", "source_languages"):
            _require(key in document_ai, f"document_ai missing required field: {key}")
        _require(isinstance(document_ai["source_languages"], list), "document_ai.source_languages must be a list.")
    return body


def _validate_assistant(body: Any) -> dict:
    """``validate_create_assistant_input``: ``POST`` and ``PUT /assistants``."""
    body = _check_body(body)
    _check_common(body)
    instructions = body.get("instructions")
    _require(
        not instructions or (isinstance(instructions, str) and len(instructions) <= 32768),
        "Invalid assistant instructions.",
    )
    _require(
        body.get("provider_id") is None or isinstance(body["provider_id"], str),
        "Invalid provider_id - must be a string.",
    )
    _require(
        body.get("sub_agents") is None or isinstance(body["sub_agents"], list), "Invalid sub_agents - must be a list."
    )
    _require(
        body.get("agent_type") is None or isinstance(body["agent_type"], str), "Invalid agent_type - must be a string."
    )
    _require(
        body.get("team_leads") is None or isinstance(body["team_leads"], list), "Invalid team_leads - must be a list."
    )
    return body


def _category(value: Any) -> Any:
    """A comma-separated string becomes a list; anything else is kept."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def generated_instructions(row: dict) -> str:
    """The settings block the service writes when no instructions are given."""
    labels = (
        ("Personality and Role", row.get("personality_role")),
        ("Core Task", row.get("core_task")),
        ("Tone and Style", row.get("tone_and_style")),
        ("Response Length", row.get("response_length")),
        ("Banned Words", row.get("banned_words")),
        ("Other Requirements", (row.get("metadata") or {}).get("other_requirements")),
    )
    lines = ["Follow these settings for the AI Assistant strictly:"]
    lines += [f"- {label}: {value or ''}" for label, value in labels]
    return "\n".join(lines)


# --- storage -------------------------------------------------------------------------------------


def _load(organization_id: str, assistant_id: str) -> dict | None:
    found = (
        db.conn()
        .execute(
            "SELECT data FROM ai_assistants WHERE id = ? AND organization_id = ? AND deleted_at IS NULL",
            (assistant_id, organization_id),
        )
        .fetchone()
    )
    return None if found is None else db.loads(found["data"])


def _all(organization_id: str, search: str = "") -> list[dict]:
    sql = "SELECT data FROM ai_assistants WHERE organization_id = ? AND deleted_at IS NULL"
    params: list[Any] = [organization_id]
    if search:
        sql += " AND instr(lower(name), ?) > 0"
        params.append(search.lower())
    sql += " ORDER BY created_at DESC, rowid DESC"
    return [db.loads(found["data"]) for found in db.conn().execute(sql, params)]


def _insert(row: dict) -> None:
    db.conn().execute(
        "INSERT INTO ai_assistants (id, organization_id, name, created_at, deleted_at, data)"
        " VALUES (?, ?, ?, ?, NULL, ?)",
        (row["id"], row["organization_id"], row["name"], row["created_at"], db.dumps(row)),
    )


def _save(row: dict) -> None:
    row["updated_at"] = db.now_iso()
    db.conn().execute(
        "UPDATE ai_assistants SET name = ?, deleted_at = ?, data = ? WHERE id = ?",
        (row["name"], row.get("deleted_at"), db.dumps(row), row["id"]),
    )


# --- shapes --------------------------------------------------------------------------------------


def _written(row: dict) -> dict:
    """What create and update answer: the row without its internal keys."""
    return {k: v for k, v in row.items() if k not in ("assistant_id", "updated_at", "deleted_at")}


def _listed(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "deleted_at"}


def _read(organization_id: str, row: dict) -> dict:
    """``GET /assistants/{id}``: sub-agents expanded, and its team leads for a plain agent."""
    shown = _listed(row)
    sub_agents = []
    for sub_id in row.get("sub_agents") or []:
        sub = _load(organization_id, str(sub_id))
        if sub is not None:
            sub_agents.append({"assistant_id": sub["id"], "name": sub["name"], "instructions": sub.get("core_task")})
    shown["sub_agents"] = sub_agents
    if row.get("agent_type") == "agent":
        shown["team_leads"] = [
            {"assistant_id": other["id"], "name": other["name"]}
            for other in _all(organization_id)
            if row["id"] in (other.get("sub_agents") or [])
        ]
    return shown


def assistant_get_internal(organization_id: str, assistant_id: str) -> dict | None:
    """The stored assistant as ``GET /v3/ai/assistants/{id}`` returns it, or None (for the chat service)."""
    row = _load(organization_id, assistant_id)
    return None if row is None else _read(organization_id, row)


def _new_row(organization_id: str, body: dict, *, mode: str) -> dict:
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


def _partial(organization_id: str, row: dict, body: dict) -> None:
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
        _write_team_leads(organization_id, row["id"], [str(lead) for lead in body["team_leads"]])


def _write_team_leads(organization_id: str, assistant_id: str, lead_ids: list[str]) -> None:
    """``team_leads`` is stored the other way round: in each parent's ``sub_agents``."""
    for other in _all(organization_id):
        if other["id"] == assistant_id:
            continue
        subs = list(other.get("sub_agents") or [])
        wanted = other["id"] in lead_ids
        if wanted and assistant_id not in subs:
            other["sub_agents"] = [*subs, assistant_id]
            _save(other)
        elif not wanted and assistant_id in subs:
            other["sub_agents"] = [sub for sub in subs if sub != assistant_id]
            _save(other)


# --- providers -----------------------------------------------------------------------------------


def _masked(value: Any, key: str = "") -> Any:
    """Provider config with every secret-looking string reduced to its last four characters."""
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    if isinstance(value, str) and value and any(hint in key.lower() for hint in SECRET_HINTS):
        return "****" + value[-4:] if len(value) > 8 else "****"
    return value


def _provider_public(provider: dict) -> dict:
    return {**provider, "config": _masked(provider.get("config") or {})}


def _providers(organization_id: str) -> list[dict]:
    rows = db.conn().execute(
        "SELECT data FROM ai_providers WHERE organization_id = ? ORDER BY created_at, rowid", (organization_id,)
    )
    return [db.loads(found["data"]) for found in rows]


def provider_insert(organization_id: str, *, name: str, type_: str, config: dict, models: list[dict]) -> dict:
    now = db.now_iso()
    provider = {
        "id": db.new_uuid().replace("-", "")[:24],
        "provider_id": db.new_uuid(),
        "organization_id": organization_id,
        "name": name,
        "type": type_,
        "source": "custom",
        "is_shown": True,
        "config": config,
        "models": models,
        "metadata": {},
        "created_at": now,
        "updated_at": now,
    }
    db.conn().execute(
        "INSERT INTO ai_providers (id, provider_id, organization_id, created_at, data) VALUES (?, ?, ?, ?, ?)",
        (provider["id"], provider["provider_id"], organization_id, now, db.dumps(provider)),
    )
    return provider


def _provider_model(entry: Any) -> dict:
    if isinstance(entry, str):
        entry = {"name": entry}
    _require(
        isinstance(entry, dict) and isinstance(entry.get("name"), str) and bool(entry["name"]),
        "Invalid provider config.",
    )
    return {
        "name": entry["name"],
        "is_shown": bool(entry.get("is_shown", False)),
        "is_toolCall_available": bool(entry.get("is_toolCall_available", True)),
        "is_vision_available": bool(entry.get("is_vision_available", False)),
    }


# --- routes --------------------------------------------------------------------------------------


def routes(config: Config) -> list[BaseRoute]:
    def org(request: Request) -> str:
        return request.state.identity.organization_id

    async def app_create(request: Request) -> JSONResponse:
        try:
            body = _validate_app(await _json_body(request))
        except InputError as exc:
            return _error(str(exc))
        row = _new_row(org(request), body, mode="advanced")
        _insert(row)
        return JSONResponse(_written(row))

    async def assistant_create(request: Request) -> JSONResponse:
        try:
            body = _validate_assistant(await _json_body(request))
        except InputError as exc:
            return _error(str(exc))
        row = _new_row(org(request), body, mode="standard")
        _insert(row)
        if body.get("team_leads"):
            _write_team_leads(org(request), row["id"], [str(lead) for lead in body["team_leads"]])
        return JSONResponse(_written(row))

    async def app_replace(request: Request) -> JSONResponse:
        try:
            body = _validate_app(await _json_body(request))
        except InputError as exc:
            return _error(str(exc))
        row = _load(org(request), request.path_params["assistant_id"])
        if row is None:
            return _not_found()
        _replace(row, body)
        _save(row)
        return JSONResponse(_written(row))

    async def assistant_update(request: Request) -> JSONResponse:
        try:
            body = _validate_assistant(await _json_body(request))
        except InputError as exc:
            return _error(str(exc))
        row = _load(org(request), request.path_params["assistant_id"])
        if row is None:
            return _not_found()
        _partial(org(request), row, body)
        _save(row)
        return JSONResponse(_written(row))

    async def instructions_update(request: Request) -> JSONResponse:
        try:
            body = await _json_body(request)
        except InputError as exc:
            return _error(str(exc))
        row = _load(org(request), request.path_params["assistant_id"])
        if row is None:
            return _not_found()
        value = body.get("instructions") if isinstance(body, dict) else None
        if not value or not isinstance(value, str):
            return _error("400: core_task is required")
        row["core_task"] = value
        row["instructions"] = generated_instructions(row)
        _save(row)
        return JSONResponse(_written(row))

    async def assistant_read(request: Request) -> JSONResponse:
        found = assistant_get_internal(org(request), request.path_params["assistant_id"])
        return _not_found() if found is None else JSONResponse(found)

    async def assistant_list(request: Request) -> JSONResponse:
        return JSONResponse([_listed(row) for row in _all(org(request), request.query_params.get("search", ""))])

    async def check_name(request: Request) -> JSONResponse:
        name = request.query_params.get("name", "")
        taken = db.conn().execute(
            "SELECT 1 FROM ai_assistants WHERE organization_id = ? AND deleted_at IS NULL AND name = ? LIMIT 1",
            (org(request), name),
        )
        return JSONResponse({"exist": taken.fetchone() is not None})

    async def agents(request: Request) -> JSONResponse:
        excluded = request.query_params.get("assistant_id")
        return JSONResponse(
            [
                _listed(row)
                for row in _all(org(request))
                if row.get("agent_type") != "team_lead" and row["id"] != excluded
            ]
        )

    async def assistant_delete(request: Request) -> JSONResponse:
        row = _load(org(request), request.path_params["assistant_id"])
        if row is None:
            return _not_found()
        row["deleted_at"] = db.now_iso()
        _save(row)
        return JSONResponse({"id": row["id"], "object": "assistant.deleted", "deleted": True})

    async def bulk_delete(request: Request) -> JSONResponse:
        try:
            ids = await _json_body(request)
        except InputError as exc:
            return _error(str(exc))
        if not isinstance(ids, list) or not ids:
            return _error("Invalid assistant IDs.")
        deleted = []
        for assistant_id in ids:
            row = _load(org(request), str(assistant_id))
            if row is not None:
                row["deleted_at"] = db.now_iso()
                _save(row)
                deleted.append(row["id"])
        return JSONResponse({"deleted": deleted})

    async def provider_list(request: Request) -> JSONResponse:
        return JSONResponse([_provider_public(p) for p in _providers(org(request))])

    async def provider_read(request: Request) -> JSONResponse:
        wanted = request.path_params["provider_id"]
        for provider in _providers(org(request)):
            if wanted in (provider["id"], provider["provider_id"]):
                return JSONResponse(_provider_public(provider))
        return JSONResponse({"detail": "Provider not found"}, 404)

    async def provider_create(request: Request) -> JSONResponse:
        """The real service test-connects and discovers models; here they come in ``models``."""
        try:
            body = _check_body(await _json_body(request))
            _require(isinstance(body.get("name"), str) and bool(body["name"].strip()), "Invalid provider name.")
            _require(body.get("type") in PROVIDER_TYPES, "Invalid provider type.")
            _require(isinstance(body.get("config"), dict), "Invalid provider config.")
            models = [_provider_model(entry) for entry in body.get("models") or []]
        except InputError as exc:
            return _error(str(exc))
        provider = provider_insert(
            org(request), name=body["name"].strip(), type_=body["type"], config=body["config"], models=models
        )
        return JSONResponse(_provider_public(provider))

    async def system_models(request: Request) -> JSONResponse:
        models = [dict(model) for model in SYSTEM_MODELS]
        if request.query_params.get("vision") == "true":
            models = [model for model in models if model["is_vision_available"]]
        return JSONResponse({"success": True, "message": "Models retrieved successfully", "data": models})

    return under(
        AI,
        [
            ("/assistant_apps", app_create, ["POST"]),
            ("/assistant_apps/{assistant_id}", app_replace, ["PUT"]),
            ("/assistant_apps/{assistant_id}", assistant_delete, ["DELETE"]),
            ("/accounts/assistants", assistant_list, ["GET"]),
            ("/assistants", assistant_list, ["GET"]),
            ("/assistants", assistant_create, ["POST"]),
            ("/assistants", bulk_delete, ["DELETE"]),
            ("/assistants/check-name", check_name, ["GET"]),
            ("/assistants/agents", agents, ["GET"]),
            ("/assistants/{assistant_id}", assistant_read, ["GET"]),
            ("/assistants/{assistant_id}", assistant_update, ["PUT"]),
            ("/assistants/{assistant_id}", assistant_delete, ["DELETE"]),
            ("/assistants/{assistant_id}/instructions", instructions_update, ["PATCH"]),
            ("/providers", provider_list, ["GET"]),
            ("/providers", provider_create, ["POST"]),
            ("/providers/{provider_id}", provider_read, ["GET"]),
            ("/workflow-agent/models", system_models, ["GET"]),
        ],
    )


# --- demo data -----------------------------------------------------------------------------------


def _seeded_id(sql: str, organization_id: str) -> str | None:
    """The id another domain's seed stored, or None when that table or row is not there."""
    try:
        found = db.conn().execute(sql, (organization_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if found is None else str(found[0])


SUPPORT_BOT_SOURCES = {
    "folder_ids": "SELECT id FROM kh_folders WHERE organization_id = ? AND name = 'Product Documentation'"
    " AND parent_folder_id = 'root' ORDER BY created_at LIMIT 1",
    "board_ids": "SELECT id FROM boards WHERE organization_id = ? AND name = 'Sales Pipeline'"
    " ORDER BY created_at LIMIT 1",
    "workflow_function_call": "SELECT f.id FROM ap_flows f JOIN ap_projects p ON p.id = f.project_id"
    " WHERE p.organization_id = ? AND f.published_version_id IS NOT NULL"
    " ORDER BY f.status = 'ENABLED' DESC, f.created LIMIT 1",
}


def seed(config: Config) -> None:
    """A custom provider for the model picker, and the "Support Bot" using the demo folder, board and flow."""
    organization_id = config.organization_id
    if _providers(organization_id) or _all(organization_id, "Support Bot"):
        return
    provider_insert(
        organization_id,
        name="Team OpenAI-compatible",
        type_="openai",
        config={"openApi": {"baseUrl": "https://llm.team.example/v1", "apiKey": "sk-demo-local-7c1e4b2a9f30"}},
        models=[
            _provider_model(entry)
            for entry in (
                {"name": "team-gpt-4o", "is_shown": True, "is_vision_available": True},
                {"name": "team-gpt-4o-mini", "is_shown": True},
                {"name": "team-embedding-large", "is_shown": False, "is_toolCall_available": False},
            )
        ],
    )
    uses = {
        key: [found] if (found := _seeded_id(sql, organization_id)) else [] for key, sql in SUPPORT_BOT_SOURCES.items()
    }
    body = {
        "name": "Support Bot",
        "workflow_name": "support_bot_v1",
        "description": "Answers product, shipping and returns questions, and looks up deals in the sales pipeline.",
        "provider_id": "system",
        "model_id": "Default",
        "streaming": True,
        "temperature": 0.2,
        "personality_role": "A friendly, precise support agent for the Imbrace demo shop",
        "core_task": "Answer customer questions from the product documentation. When asked about a deal, look it up"
        " in the Sales Pipeline board. Say plainly when the documents do not cover a question.",
        "tone_and_style": "Warm and plain; no jargon",
        "response_length": "Short: a few sentences or a brief list",
        **uses,
    }
    body["instructions"] = body["core_task"]
    _insert(_new_row(organization_id, body, mode="advanced"))
