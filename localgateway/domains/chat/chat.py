"""``POST /ai-agent/v2/chat``: the streamed (or plain) reply, and ``/chat-client/auth/user``."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ...errors import ApiError
from .access import caller, is_uuid, require_credential
from .responder import compose, run_tool
from .schema import FAILING_MODELS, STREAM_HEADERS
from .store import _history, ensure_chat, save_message, set_status, user_text
from .stream import DisconnectAwareStream, ui_message_stream


async def chat(request: Request) -> Response:
    require_credential(request)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, {"error": "Request body must be JSON"}) from None
    if not isinstance(body, dict):
        raise ApiError(400, {"error": "Request body must be a JSON object"})
    chat_id, assistant_id, messages = body.get("id"), body.get("assistant_id"), body.get("messages")
    if not chat_id:
        raise ApiError(400, {"error": "Chat ID is required in request body"})
    if not assistant_id:
        raise ApiError(400, {"error": "Missing required field assistant_id"})
    if not isinstance(messages, list):
        raise ApiError(500, {"error": "Cannot read properties of undefined (reading 'length')"})
    if not is_uuid(chat_id):
        issue = [{"validation": "uuid", "code": "invalid_string", "message": "Invalid uuid", "path": ["id"]}]
        raise ApiError(500, {"error": json.dumps(issue, indent=2)})
    user = caller(request)
    organization_id = user["organization_id"]
    question = user_text(messages[-1]) if messages else None
    ensure_chat(chat_id, organization_id, user["id"], str(assistant_id), question or "")
    set_status(chat_id, "processing")
    if question is not None:
        save_message(chat_id, "user", [{"type": "text", "text": question}])

    from .. import assistants

    assistant = assistants.assistant_get_internal(organization_id, str(assistant_id))
    failure = None
    if assistant is None:
        failure = f"Assistant not found: {assistant_id}"
    elif not assistant.get("model_id") or not assistant.get("provider_id"):
        failure = "Assistant is missing model_id/provider_id configuration"
    if failure is not None:
        save_message(chat_id, "assistant", [{"type": "text", "text": failure}], {"error": True, "errorText": failure})
        set_status(chat_id, "idle")
        raise ApiError(500, {"error": failure})

    model_id, provider_id = assistant["model_id"], assistant["provider_id"]
    override_model, override_provider = body.get("model_id"), body.get("provider_id")
    if isinstance(override_model, str) and override_model and isinstance(override_provider, str) and override_provider:
        model_id, provider_id = override_model, override_provider

    turns = _history(chat_id)
    if question is None:
        question = next((turn["text"] for turn in reversed(turns) if turn["role"] == "user"), "")
    earlier = turns[:-1] if turns and turns[-1]["role"] == "user" else turns

    if not assistant.get("streaming"):
        # Per ai-agent's source the non-streaming path neither saves the reply nor returns the chat to idle.
        if model_id.lower() in FAILING_MODELS:
            return PlainTextResponse("", 500)
        reply = compose(organization_id, assistant, question, earlier, chat_id)
        if reply.tool is not None:
            await run_tool(organization_id, reply)
        return PlainTextResponse(reply.text)

    parts = ui_message_stream(
        request.app.state.config,
        organization_id=organization_id,
        chat_id=chat_id,
        assistant=assistant,
        model_id=model_id,
        provider_id=provider_id,
        question=question,
        history=earlier,
        client=f"{request.client.host}:{request.client.port}" if request.client else "",
    )
    return DisconnectAwareStream(parts, STREAM_HEADERS)


async def auth_user(request: Request) -> JSONResponse:
    require_credential(request)
    user = caller(request)
    return JSONResponse({"id": user["id"], "email": user["email"]})
