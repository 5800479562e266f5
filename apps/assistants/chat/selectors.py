"""Reads for chat: a user's conversations (console DB) and a conversation's history (the gateway)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.utils.safestring import SafeString

from imbrace_console.gateway import GatewayNotFound, gateway_path, get_client

from ..markdown import markdown_render, plain_render
from ..models import ChatTurn, Conversation
from ..selectors import assistant_get

CHAT_ASSISTANT_REUSE_SECONDS = 60.0
CHAT_ASSISTANTS_KEPT = 256
_chat_assistants: dict[str, tuple[float, dict]] = {}  # assistant id -> (when read, the assistant)


@dataclass
class ToolCallView:
    """One tool (flow) call as the chat shows it."""

    call_id: str
    name: str
    state: str = "running"  # running | done | error | denied | approval
    input: object = None
    output: object = None
    error_text: str = ""

    @property
    def input_json(self) -> str:
        return _pretty(self.input)

    @property
    def output_text(self) -> str:
        return self.output if isinstance(self.output, str) else _pretty(self.output)


@dataclass
class ChatMessageView:
    role: str  # user | assistant
    html: SafeString
    tools: list[ToolCallView] = field(default_factory=list)
    error: str = ""
    stopped: bool = False


def _pretty(value: object) -> str:
    if value is None:
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


async def chat_assistant(*, assistant_id: str, fresh: bool = False) -> dict:
    """The assistant of a chat: read from the gateway when a chat page opens (``fresh``), then reused a while.

    Starting a conversation needs only the assistant's id and name, and a second
    read would be on the way to the answer's first word; a name up to
    ``CHAT_ASSISTANT_REUSE_SECONDS`` old will do (per process). An unknown id is read, and so refused.
    """
    now = time.monotonic()
    kept = _chat_assistants.get(assistant_id)
    if kept is not None and not fresh and now - kept[0] < CHAT_ASSISTANT_REUSE_SECONDS:
        return kept[1]
    assistant = await assistant_get(assistant_id=assistant_id)
    if len(_chat_assistants) >= CHAT_ASSISTANTS_KEPT:
        _chat_assistants.clear()
    _chat_assistants[assistant_id] = (now, assistant)
    return assistant


async def conversation_list(*, user, assistant_id: str | None = None, limit: int = 50) -> list[Conversation]:
    """The user's conversations, most recently used first (one assistant's, or all)."""
    queryset = Conversation.objects.filter(user=user)
    if assistant_id is not None:
        queryset = queryset.filter(assistant_id=assistant_id)
    return [conversation async for conversation in queryset[:limit]]


async def conversation_get(*, user, conversation_id: uuid.UUID | str) -> Conversation | None:
    """The user's own conversation, or None (someone else's is None too)."""
    return await Conversation.objects.filter(user=user, pk=conversation_id).afirst()


async def chat_turn_exists(*, user, token: str) -> bool:
    """Whether ``token`` is one of the user's message turns."""
    return await ChatTurn.objects.filter(token=token, conversation__user=user).aexists()


def _tool_from_part(part: dict) -> ToolCallView:
    state = {
        "output-available": "done",
        "output-error": "error",
        "output-denied": "denied",
        "approval-requested": "approval",
    }.get(str(part.get("state")), "running")
    return ToolCallView(
        call_id=str(part.get("toolCallId") or ""),
        name=str(part.get("toolName") or str(part.get("type", "tool-"))[len("tool-") :] or "tool"),
        state=state,
        input=part.get("input"),
        output=part.get("output"),
        error_text=str(part.get("errorText") or ""),
    )


def chat_message_view(row: dict) -> ChatMessageView | None:
    """A stored message (AI SDK UI parts) as the chat page shows it; None for rows it does not show."""
    role = row.get("role")
    if role not in ("user", "assistant"):
        return None
    parts = row.get("parts") if isinstance(row.get("parts"), list) else []
    text = "\n\n".join(
        str(part.get("text", "")) for part in parts if isinstance(part, dict) and part.get("type") == "text"
    )
    tools = [
        _tool_from_part(part)
        for part in parts
        if isinstance(part, dict) and str(part.get("type", "")).startswith(("tool-", "dynamic-tool"))
    ]
    metadata = row.get("metadata") if isinstance(row.get("metadata"), dict) else {}
    error = str(metadata.get("errorText") or "") if metadata.get("error") else ""
    html = plain_render(text) if role == "user" else markdown_render("" if error else text)
    return ChatMessageView(role=role, html=html, tools=tools, error=error, stopped=bool(metadata.get("stopped")))


async def chat_message_list(*, conversation_id: uuid.UUID | str) -> list[ChatMessageView]:
    """The conversation's history as the gateway keeps it, oldest first (empty before the first answer)."""
    try:
        rows = await get_client().json("GET", gateway_path("/ai-agent/chat-client/chats/{}/messages", conversation_id))
    except GatewayNotFound:
        return []
    if not isinstance(rows, list):
        return []
    # Markdown can take seconds on hostile text: the history is rendered in a worker thread, off the loop.
    return await sync_to_async(_message_views, thread_sensitive=False)(rows)


def _message_views(rows: list) -> list[ChatMessageView]:
    views = (chat_message_view(row) for row in rows if isinstance(row, dict))
    return [view for view in views if view is not None]
