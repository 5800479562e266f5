"""Request checks: every refusal is a 400 ``{"detail": "[ERROR: <message>]"}``, raised as ``InputError``."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from ...errors import ApiError


class InputError(ApiError):
    """What the service refuses, as ``{"detail": "[ERROR: <message>]"}`` (400, "not found" included)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(status, {"detail": f"[ERROR: {message}]"})


def error(message: str, status: int = 400) -> InputError:
    return InputError(message, status)


def not_found() -> InputError:
    return InputError("Assistant not found")


def org(request: Request) -> str:
    return request.state.identity.organization_id


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError("Request body must be a dictionary.") from exc


def require(condition: bool, message: str) -> None:
    if not condition:
        raise InputError(message)


def check_body(body: Any) -> dict:
    require(body is not None, "Request body cannot be None.")
    require(isinstance(body, dict), "Request body must be a dictionary.")
    return body


def _check_common(body: dict) -> None:
    """The checks both validators share (chat-ai ``helper.py``): types and lengths."""
    name = body.get("name")
    require(bool(name) and isinstance(name, str) and len(name) <= 256, "Invalid assistant name.")
    description = body.get("description")
    require(
        not description or (isinstance(description, str) and len(description) <= 512),
        "Invalid assistant description.",
    )
    for key, message in (
        ("file_ids", "Invalid assistant file IDs."),
        ("folder_ids", "Invalid assistant folder IDs."),
        ("board_ids", "Invalid assistant board IDs."),
    ):
        require(not body.get(key) or isinstance(body[key], list), message)
    require(not body.get("metadata") or isinstance(body["metadata"], dict), "Invalid assistant metadata.")
    for key, message in (
        ("mode", "Invalid assistant mode."),
        ("channel", "Invalid assistant channel."),
        ("personality_role", "Invalid assistant personality and role."),
        ("core_task", "Invalid assistant core task."),
        ("tone_and_style", "Invalid assistant tone and style."),
        ("response_length", "Invalid assistant response length."),
        ("banned_words", "Invalid assistant banned words."),
    ):
        require(not body.get(key) or isinstance(body[key], str), message)
    temperature = body.get("temperature", 0.1)
    # The service skips the range check for 0 (falsy), so 0 is accepted.
    require(
        not temperature
        or (isinstance(temperature, int | float) and not isinstance(temperature, bool) and 0 <= temperature <= 2),
        "Invalid assistant temperature.",
    )
    vibe_code = body.get("vibe_code", False)
    require(vibe_code is None or isinstance(vibe_code, bool), "Invalid vibe_coding - must be a boolean.")


def validate_app(body: Any) -> dict:
    """``validate_create_assistant_app_input``: the create and full-replace routes."""
    body = check_body(body)
    _check_common(body)
    require(not body.get("sub_agents") or isinstance(body["sub_agents"], list), "Invalid sub-agents input.")
    require(body.get("provider_id") is None or isinstance(body["provider_id"], str), "Invalid provider_id.")
    workflow_name = body.get("workflow_name")
    require(
        bool(workflow_name) and isinstance(workflow_name, str) and len(workflow_name) <= 256,
        "Invalid workflow name.",
    )
    credential_id = body.get("credential_id")
    require(
        not credential_id or (isinstance(credential_id, int) and not isinstance(credential_id, bool)),
        "Invalid credential ID.",
    )
    require(not body.get("credential_name") or isinstance(body["credential_name"], str), "Invalid credential name.")
    require(not body.get("guardrail_id") or isinstance(body["guardrail_id"], str), "Invalid guardrail id.")
    document_ai = body.get("document_ai")
    if document_ai is not None:
        require(isinstance(document_ai, dict), "Invalid document_ai configuration.")
        for key in ("vlm_provider_id", "vlm_model", "source_languages"):
            require(key in document_ai, f"document_ai missing required field: {key}")
        require(isinstance(document_ai["source_languages"], list), "document_ai.source_languages must be a list.")
    return body


def validate_assistant(body: Any) -> dict:
    """``validate_create_assistant_input``: ``POST`` and ``PUT /assistants``."""
    body = check_body(body)
    _check_common(body)
    instructions = body.get("instructions")
    require(
        not instructions or (isinstance(instructions, str) and len(instructions) <= 32768),
        "Invalid assistant instructions.",
    )
    require(
        body.get("provider_id") is None or isinstance(body["provider_id"], str),
        "Invalid provider_id - must be a string.",
    )
    require(
        body.get("sub_agents") is None or isinstance(body["sub_agents"], list), "Invalid sub_agents - must be a list."
    )
    require(
        body.get("agent_type") is None or isinstance(body["agent_type"], str), "Invalid agent_type - must be a string."
    )
    require(
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
