"""ai-agent's streaming chat (``/ai-agent/v2/chat``) and chat history (``/ai-agent/chat-client/*``).

The answers come from a deterministic responder instead of a model: it ranks
passages from the files in the assistant's folders and the items of its
boards against the question (plus the previous question when the new one is a
follow-up), calls a bound flow's sync webhook when the question asks for what
the flow's description covers, and streams the reply word by word as an AI
SDK v6 UI message stream (docs/contract/assistants-chat.md#the-event-stream). History is kept per session
``id`` and per local user (the caller's account email), as ai-agent does.

``GET /_local/chat/streams`` lists recent streams with when each opened and
closed and the address they came from, so tests can check that a client's
disconnect reached this process and that a client reuses its connection.

Layout: ``schema``, ``registry`` (the streams list), ``text`` and ``responder`` (the answers),
``store``, ``stream`` (the SSE body), ``access`` (caller, credential rule, owned chats), routes
by resource (``chat``, ``chats``).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from ...config import Config
from ...routing import AI_AGENT, under
from . import chat, chats
from .schema import SCHEMA

__all__ = ["SCHEMA", "routes", "seed"]


def routes(config: Config) -> list[BaseRoute]:
    table = [
        ("/v2/chat", chat.chat, ["POST"]),
        ("/chat-client/auth/user", chat.auth_user, ["POST"]),
        ("/chat-client/chats", chats.chat_list, ["GET"]),
        ("/chat-client/chats", chats.chat_delete_all, ["DELETE"]),
        ("/chat-client/chats/{chat_id}", chats.chat_get, ["GET"]),
        ("/chat-client/chats/{chat_id}", chats.chat_update, ["PATCH"]),
        ("/chat-client/chats/{chat_id}", chats.chat_delete, ["DELETE"]),
        ("/chat-client/chats/{chat_id}/messages", chats.chat_messages, ["GET"]),
    ]
    return [*under(AI_AGENT, table), Route("/_local/chat/streams", chats.streams, methods=["GET"])]


def seed(config: Config) -> None:
    """Chats start empty: history is made by chatting."""
