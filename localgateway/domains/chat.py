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
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import secrets
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from .. import db
from ..config import Config
from ..routing import AI_AGENT, under

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_users (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organization_id, email)
);
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    assistant_id TEXT NOT NULL,
    title TEXT NOT NULL,
    visibility TEXT NOT NULL DEFAULT 'private',
    type TEXT NOT NULL DEFAULT 'chat',
    status TEXT NOT NULL DEFAULT 'idle',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chats_by_user ON chats (organization_id, user_id, created_at);
CREATE TABLE IF NOT EXISTS chat_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    parts TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_messages_by_chat ON chat_messages (chat_id, seq);
"""

# Model ids that make the "provider" fail inside the stream (200 + an ``error`` part), as a bad model does.
FAILING_MODELS = frozenset({"invalid", "invalid-model"})
NO_CONTENT_OUTPUT = "The tool call succeeded but returned no content."
FAILED_TOOL_OUTPUT = "can not execute workflow"
STREAM_HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "connection": "keep-alive",
    "x-vercel-ai-ui-message-stream": "v1",
    "x-accel-buffering": "no",
}
MAX_PASSAGE_CHARS = 600
MAX_ANSWER_PASSAGES = 3
STOP_WORDS = frozenset(
    re.findall(
        r"\S+",
        """a about above after again all also am an and any are as at be been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
    over own please same she should so some such tell than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom why will with would
    you your yours know show give explain describe find get let like want need""",
    )
)
FOLLOW_UP_WORDS = frozenset(
    re.findall(
        r"\S+", "more else that this it its those these they them elaborate continue further detail details again"
    )
)
GREETINGS = frozenset({"hi", "hello", "hey", "hallo", "morning", "afternoon", "evening", "thanks", "thank"})


# --- streams registry (for /_local/chat/streams) ---------------------------------------------------------------


@dataclass
class StreamRecord:
    id: str
    chat_id: str
    assistant_id: str
    opened_at: str
    closed_at: str | None = None
    completed: bool = False
    cancelled: bool = False
    events: int = 0
    client: str = ""  # the caller's address and port: a client reusing its connection sends from the same one


_streams: deque[StreamRecord] = deque(maxlen=5000)


# --- text helpers ----------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def keywords(text: str) -> list[str]:
    """Content words of ``text``, lower-cased and singular, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in _words(text):
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(_stem(word), None)
    return list(seen)


def split_passages(source: str, text: str) -> list[tuple[str, str]]:
    """A file's text as passages of at most ~600 characters (paragraphs, long ones cut at sentences)."""
    passages: list[tuple[str, str]] = []
    heading = ""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        if paragraph.startswith("#") and len(paragraph) < 120:
            heading = paragraph.lstrip("#").strip()  # a heading joins the passage it introduces
            continue
        if heading:
            paragraph, heading = f"{heading}: {paragraph}", ""
        chunk = ""
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
            if chunk and len(chunk) + len(sentence) > MAX_PASSAGE_CHARS:
                passages.append((source, chunk))
                chunk = ""
            chunk = f"{chunk} {sentence}".strip()
        if chunk:
            passages.append((source, chunk[: MAX_PASSAGE_CHARS * 2]))
    if heading:
        passages.append((source, heading))
    return passages


def rank_passages(passages: list[tuple[str, str]], query: dict[str, float]) -> list[tuple[float, str, str]]:
    """Passages scored by the idf-weighted query keywords they contain (source names count too), best first."""
    if not passages or not query:
        return []
    bags = [set(keywords(f"{source} {text}")) for source, text in passages]
    frequency = Counter(word for bag in bags for word in bag)
    total = len(passages)
    scored = []
    for (source, text), bag in zip(passages, bags, strict=True):
        score = sum(weight * math.log(1 + total / frequency[word]) for word, weight in query.items() if word in bag)
        if score > 0:
            scored.append((score, source, text))
    scored.sort(key=lambda row: row[0], reverse=True)
    return scored


# --- storage ---------------------------------------------------------------------------------------------------


def _local_user(organization_id: str, email: str) -> dict:
    """ai-agent's local user for the caller's account, found or created by email."""
    conn = db.conn()
    row = conn.execute(
        "SELECT * FROM chat_users WHERE organization_id = ? AND email = ?", (organization_id, email)
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT OR IGNORE INTO chat_users (id, organization_id, email, created_at) VALUES (?, ?, ?, ?)",
            (db.new_uuid(), organization_id, email, db.now_iso()),
        )
        row = conn.execute(
            "SELECT * FROM chat_users WHERE organization_id = ? AND email = ?", (organization_id, email)
        ).fetchone()
    return dict(row)


def _chat_json(row) -> dict:
    return {
        "id": row["id"],
        "createdAt": row["created_at"],
        "title": row["title"],
        "userId": row["user_id"],
        "organizationId": row["organization_id"],
        "assistantId": row["assistant_id"],
        "visibility": row["visibility"],
        "type": row["type"],
        "status": row["status"],
        "lastContext": None,
    }


def _message_json(row) -> dict:
    return {
        "id": row["id"],
        "chatId": row["chat_id"],
        "role": row["role"],
        "parts": db.loads(row["parts"]),
        "attachments": [],
        "metadata": db.loads(row["metadata"]),
        "createdAt": row["created_at"],
    }


def _title_for(text: str) -> str:
    """ai-agent names a chat with a model afterwards; here: the first words of its first message."""
    words = text.split()
    if not words:
        return "New chat"
    title = " ".join(words[:8])[:80] + ("…" if len(words) > 8 else "")
    return title[0].upper() + title[1:]


def _ensure_chat(chat_id: str, organization_id: str, user_id: str, assistant_id: str, first_text: str) -> None:
    db.conn().execute(
        "INSERT OR IGNORE INTO chats (id, organization_id, user_id, assistant_id, title, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (chat_id, organization_id, user_id, assistant_id, _title_for(first_text), db.now_iso()),
    )


def _set_status(chat_id: str, status: str) -> None:
    db.conn().execute("UPDATE chats SET status = ? WHERE id = ?", (status, chat_id))


def _save_message(
    chat_id: str, role: str, parts: list[dict], metadata: dict | None = None, message_id: str = ""
) -> None:
    """Store a message, unless its chat was deleted meanwhile (a reply can outlive its chat)."""
    db.conn().execute(
        "INSERT INTO chat_messages (id, chat_id, role, parts, metadata, created_at) "
        "SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chats WHERE id = ?)",
        (
            message_id or db.new_uuid(),
            chat_id,
            role,
            db.dumps(parts),
            None if metadata is None else db.dumps(metadata),
            db.now_iso(),
            chat_id,
        ),
    )


def _history(chat_id: str) -> list[dict]:
    rows = db.conn().execute("SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY seq", (chat_id,)).fetchall()
    return [{"role": row["role"], "text": _text_of(db.loads(row["parts"]))} for row in rows]


def _text_of(parts: object) -> str:
    if isinstance(parts, str):
        return parts
    if not isinstance(parts, list):
        return ""
    return "".join(str(part.get("text", "")) for part in parts if isinstance(part, dict) and part.get("type") == "text")


def _user_text(message: object) -> str | None:
    """The text of a client message in either accepted shape, or None when it is not a user message."""
    if not isinstance(message, dict) or message.get("role") != "user":
        return None
    if isinstance(message.get("content"), str):
        return message["content"]
    return _text_of(message.get("parts"))


# --- the responder ---------------------------------------------------------------------------------------------


@dataclass
class ToolCall:
    tool_call_id: str
    tool_name: str
    flow_name: str
    input: dict
    output: object = None


@dataclass
class Reply:
    text: str
    tool: ToolCall | None = None
    flow: dict | None = field(default=None, repr=False)


def _corpus(organization_id: str, assistant: dict) -> list[tuple[str, str]]:
    from . import boards, knowledge

    passages: list[tuple[str, str]] = []
    folder_ids = [str(value) for value in assistant.get("folder_ids") or []]
    board_ids = [str(value) for value in assistant.get("board_ids") or []]
    if folder_ids:
        for name, text in knowledge.folder_passages(organization_id, folder_ids):
            passages.extend(split_passages(name, text))
    if board_ids:
        for label, text in boards.board_item_texts(organization_id, board_ids):
            passages.append((label, " ".join(text.split())[: MAX_PASSAGE_CHARS * 2]))
    return passages


def _bound_flow(organization_id: str, assistant: dict, question: str) -> dict | None:
    """The bound flow whose description the question asks for (most shared keywords), if any."""
    flow_ids = [str(value) for value in assistant.get("workflow_function_call") or [] if isinstance(value, str)]
    if not flow_ids:
        return None
    from . import flows

    asked = set(keywords(question))
    lowered = question.lower()
    best, best_overlap = None, 0
    for tool in flows.flow_tools(organization_id, flow_ids):
        described = set(keywords(tool.get("description") or tool.get("name") or ""))
        overlap = len(asked & described)
        named = (tool.get("name") or "").lower() in lowered or (tool.get("tool_name") or "").lower() in lowered
        if (named or overlap >= min(2, len(described))) and overlap + (2 if named else 0) > best_overlap:
            best, best_overlap = tool, overlap + (2 if named else 0)
    return best


def _knowledge_answer(organization_id: str, assistant: dict, question: str, history: list[dict]) -> str:
    name = assistant.get("name") or "This assistant"
    words = set(_words(question))
    asked = keywords(question)
    if not asked and words & GREETINGS:
        return f"Hello! I am {name}. Ask me anything about the knowledge folders and boards I can read."
    passages = _corpus(organization_id, assistant)
    if not passages:
        return (
            f"{name} has no knowledge folders or boards with readable content attached, "
            "so I have nothing to answer from yet."
        )
    previous_question = next((turn["text"] for turn in reversed(history) if turn["role"] == "user"), "")
    previous_answer = next((turn["text"] for turn in reversed(history) if turn["role"] == "assistant"), "")
    follow_up = bool(previous_question) and (bool(words & FOLLOW_UP_WORDS) or len(asked) < 2)
    query = dict.fromkeys(asked, 1.0)
    if follow_up:
        for word in keywords(previous_question):
            query[word] = max(query.get(word, 0.0), 0.8)
    ranked = rank_passages(passages, query)
    topic = ", ".join(asked or keywords(previous_question)) or question.strip()
    if follow_up and ranked:
        fresh = [row for row in ranked if row[2] not in previous_answer]
        if not fresh:
            return f"I have nothing more about **{topic}** beyond what I already told you."
        ranked = fresh
    if not ranked:
        return (
            f"I could not find anything about **{topic}** in the knowledge folders and boards attached to {name}. "
            "Try other words, or attach the folder or board that covers it."
        )
    # The close runners-up, one passage per source: the rest of a source is kept for "tell me more".
    best = ranked[0][0]
    chosen, sources_used = [], set()
    for row in ranked:
        if row[0] >= best * 0.5 and row[1] not in sources_used and len(chosen) < MAX_ANSWER_PASSAGES:
            chosen.append(row)
            sources_used.add(row[1])
    intro = f"Here is more about **{topic}**:" if follow_up else f"Here is what I found about **{topic}**:"
    blocks = [intro]
    for _score, source, text in chosen:
        blocks.append(f"**{source}**\n{text}")
    sources = ", ".join(dict.fromkeys(source for _score, source, _text in chosen))
    blocks.append(f"_Sources: {sources}_")
    return "\n\n".join(blocks)


def _tool_output_text(output: object) -> str:
    if isinstance(output, str):
        return output
    return "```json\n" + json.dumps(output, indent=2, ensure_ascii=False) + "\n```"


def _compose(organization_id: str, assistant: dict, question: str, history: list[dict], chat_id: str) -> Reply:
    flow = _bound_flow(organization_id, assistant, question)
    if flow is None:
        return Reply(_knowledge_answer(organization_id, assistant, question, history))
    tool = ToolCall(
        tool_call_id="call_" + secrets.token_hex(8),
        tool_name=flow.get("tool_name") or re.sub(r"[^A-Za-z0-9]", "_", flow.get("name") or "flow"),
        flow_name=flow.get("name") or "flow",
        input={"query": question, "chat_id": chat_id, "board_ids": list(assistant.get("board_ids") or [])},
    )
    return Reply("", tool=tool, flow=flow)


async def _run_tool(organization_id: str, reply: Reply) -> None:
    """Call the flow's sync webhook as ai-agent's workflow tool does and fill in the reply around its output."""
    from . import flows

    tool = reply.tool
    assert tool is not None and reply.flow is not None
    try:
        status, body = await flows.flow_run_sync(organization_id, reply.flow["id"], {**tool.input, "method": "POST"})
    except Exception:  # a broken flow must not break the chat: the real tool reports a plain string
        status, body = 500, None
    if 200 <= status < 300:
        tool.output = NO_CONTENT_OUTPUT if body in (None, "", {}) else body
    else:
        tool.output = FAILED_TOOL_OUTPUT
    if tool.output == FAILED_TOOL_OUTPUT:
        reply.text = f"I tried to run the **{tool.flow_name}** flow, but it failed: {FAILED_TOOL_OUTPUT}."
    else:
        reply.text = f"I ran the **{tool.flow_name}** flow. It returned:\n\n{_tool_output_text(tool.output)}"


def _word_delay(config: Config, assistant: dict) -> float:
    """The pace of the stream: the config's, or the assistant's ``metadata.word_delay_ms`` (a local-only knob)."""
    metadata = assistant.get("metadata") if isinstance(assistant.get("metadata"), dict) else {}
    value = metadata.get("word_delay_ms")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 5000:
        return value / 1000
    return config.chat_word_delay


# --- the stream ------------------------------------------------------------------------------------------------


def _part(payload: dict | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"data: {data}\n\n".encode()


class DisconnectAwareStream(Response):
    """A streamed body whose iterator is closed as soon as the client goes away.

    Starlette's StreamingResponse notices a disconnect only at its next write
    (ASGI 2.4), which leaves a silent stream running; this watches
    ``http.disconnect`` and cancels the writer at once.
    """

    def __init__(self, parts: AsyncIterator[bytes], headers: dict[str, str]) -> None:
        self.parts = parts
        self.status_code = 200
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def write() -> None:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for chunk in self.parts:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        writer = asyncio.ensure_future(write())
        watcher = asyncio.ensure_future(watch())
        try:
            await asyncio.wait({writer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (writer, watcher):
                task.cancel()
            await asyncio.gather(writer, watcher, return_exceptions=True)
            await self.parts.aclose()
        if writer.done() and not writer.cancelled() and writer.exception() is not None:
            raise writer.exception()


async def _ui_message_stream(
    config: Config,
    *,
    organization_id: str,
    chat_id: str,
    assistant: dict,
    model_id: str,
    provider_id: str,
    question: str,
    history: list[dict],
    client: str = "",
) -> AsyncIterator[bytes]:
    message_id = db.new_uuid()
    record = StreamRecord(
        id=message_id, chat_id=chat_id, assistant_id=assistant["id"], opened_at=db.now_iso(), client=client
    )
    _streams.appendleft(record)
    delay = _word_delay(config, assistant)
    parts: list[dict] = []
    spoken: list[str] = []
    metadata: dict | None = None
    try:
        yield _part({"type": "start", "messageId": message_id})
        yield _part({"type": "start-step"})
        if model_id.lower() in FAILING_MODELS:
            error_text = f"Model '{model_id}' is not available from provider '{provider_id}'."
            metadata = {"error": True, "errorText": error_text}
            spoken.append(error_text)
            yield _part({"type": "error", "errorText": error_text})
            yield _part("[DONE]")
            record.completed = True
            return
        reply = _compose(organization_id, assistant, question, history, chat_id)
        if reply.tool is not None:
            tool = reply.tool
            yield _part({"type": "tool-input-start", "toolCallId": tool.tool_call_id, "toolName": tool.tool_name})
            yield _part(
                {"type": "tool-input-delta", "toolCallId": tool.tool_call_id, "inputTextDelta": db.dumps(tool.input)}
            )
            yield _part(
                {
                    "type": "tool-input-available",
                    "toolCallId": tool.tool_call_id,
                    "toolName": tool.tool_name,
                    "input": tool.input,
                }
            )
            await _run_tool(organization_id, reply)
            yield _part({"type": "tool-output-available", "toolCallId": tool.tool_call_id, "output": tool.output})
            parts.append(
                {
                    "type": f"tool-{tool.tool_name}",
                    "toolCallId": tool.tool_call_id,
                    "state": "output-available",
                    "input": tool.input,
                    "output": tool.output,
                }
            )
            yield _part({"type": "finish-step"})
            yield _part({"type": "start-step"})
        text_id = f"text-{int(time.time() * 1000)}-{secrets.token_hex(4)}"
        yield _part({"type": "text-start", "id": text_id})
        for index, word in enumerate(re.findall(r"\S+\s*", reply.text)):
            if index and delay:
                await asyncio.sleep(delay)
            spoken.append(word)
            yield _part({"type": "text-delta", "id": text_id, "delta": word})
        yield _part({"type": "text-end", "id": text_id})
        yield _part({"type": "finish-step"})
        yield _part({"type": "finish"})
        yield _part("[DONE]")
        record.completed = True
    finally:
        record.closed_at = db.now_iso()
        record.cancelled = not record.completed
        if not record.completed:
            metadata = {"stopped": True}
        text = "".join(spoken).rstrip()
        if text:
            parts.append({"type": "text", "text": text})
        _save_message(chat_id, "assistant", parts, metadata, message_id=message_id)
        _set_status(chat_id, "idle")


# --- routes ----------------------------------------------------------------------------------------------------


def _chat_error(status: int, code: str, message: str, cause: str | None = None) -> JSONResponse:
    body = {"code": code, "message": message}
    if cause is not None:
        body["cause"] = cause
    return JSONResponse(body, status)


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def routes(config: Config) -> list[BaseRoute]:
    def caller(request: Request) -> dict:
        identity = request.state.identity
        return {**_local_user(identity.organization_id, identity.email), "organization_id": identity.organization_id}

    def credential_missing(request: Request) -> JSONResponse | None:
        # The gateway forwards no credential for a JWT unless the client repeats it in x-access-token.
        if request.state.identity.mode == "jwt" and not request.headers.get("x-access-token"):
            return JSONResponse({"message": "Missing credential (x-access-token or x-api-key)"}, 401)
        return None

    async def chat(request: Request) -> Response:
        if (refused := credential_missing(request)) is not None:
            return refused
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return JSONResponse({"error": "Request body must be JSON"}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "Request body must be a JSON object"}, 400)
        chat_id, assistant_id, messages = body.get("id"), body.get("assistant_id"), body.get("messages")
        if not chat_id:
            return JSONResponse({"error": "Chat ID is required in request body"}, 400)
        if not assistant_id:
            return JSONResponse({"error": "Missing required field assistant_id"}, 400)
        if not isinstance(messages, list):
            return JSONResponse({"error": "Cannot read properties of undefined (reading 'length')"}, 500)
        if not _is_uuid(chat_id):
            issue = [{"validation": "uuid", "code": "invalid_string", "message": "Invalid uuid", "path": ["id"]}]
            return JSONResponse({"error": json.dumps(issue, indent=2)}, 500)
        user = caller(request)
        organization_id = user["organization_id"]
        question = _user_text(messages[-1]) if messages else None
        _ensure_chat(chat_id, organization_id, user["id"], str(assistant_id), question or "")
        _set_status(chat_id, "processing")
        if question is not None:
            _save_message(chat_id, "user", [{"type": "text", "text": question}])

        from . import assistants

        assistant = assistants.assistant_get_internal(organization_id, str(assistant_id))
        failure = None
        if assistant is None:
            failure = f"Assistant not found: {assistant_id}"
        elif not assistant.get("model_id") or not assistant.get("provider_id"):
            failure = "Assistant is missing model_id/provider_id configuration"
        if failure is not None:
            _save_message(
                chat_id, "assistant", [{"type": "text", "text": failure}], {"error": True, "errorText": failure}
            )
            _set_status(chat_id, "idle")
            return JSONResponse({"error": failure}, 500)

        model_id, provider_id = assistant["model_id"], assistant["provider_id"]
        override_model, override_provider = body.get("model_id"), body.get("provider_id")
        if (
            isinstance(override_model, str)
            and override_model
            and isinstance(override_provider, str)
            and override_provider
        ):
            model_id, provider_id = override_model, override_provider

        turns = _history(chat_id)
        if question is None:
            question = next((turn["text"] for turn in reversed(turns) if turn["role"] == "user"), "")
        earlier = turns[:-1] if turns and turns[-1]["role"] == "user" else turns

        if not assistant.get("streaming"):
            # Per ai-agent's source the non-streaming path neither saves the reply nor returns the chat to idle.
            if model_id.lower() in FAILING_MODELS:
                return PlainTextResponse("", 500)
            reply = _compose(organization_id, assistant, question, earlier, chat_id)
            if reply.tool is not None:
                await _run_tool(organization_id, reply)
            return PlainTextResponse(reply.text)

        parts = _ui_message_stream(
            config,
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
        if (refused := credential_missing(request)) is not None:
            return refused
        user = caller(request)
        return JSONResponse({"id": user["id"], "email": user["email"]})

    def owned_chat(request: Request) -> tuple[dict | None, JSONResponse | None]:
        user = caller(request)
        row = (
            db.conn()
            .execute(
                "SELECT rowid, * FROM chats WHERE id = ? AND organization_id = ?",
                (request.path_params["chat_id"], user["organization_id"]),
            )
            .fetchone()
        )
        if row is None:
            return None, _chat_error(404, "not_found:chat", "The requested chat was not found.")
        if row["user_id"] != user["id"] and row["visibility"] == "private":
            return None, _chat_error(403, "forbidden:chat", "This chat belongs to another user.")
        return dict(row), None

    async def chat_list(request: Request) -> JSONResponse:
        user = caller(request)
        after, before = request.query_params.get("starting_after"), request.query_params.get("ending_before")
        if after and before:
            return _chat_error(
                400,
                "bad_request:api",
                "The request couldn't be processed. Please check your input and try again.",
                "Only one of starting_after or ending_before can be provided.",
            )
        try:
            limit = int(request.query_params.get("limit", "10"))
        except ValueError:
            limit = 10
        limit = max(1, min(limit, 100))
        conn = db.conn()
        where, args = "organization_id = ? AND user_id = ?", [user["organization_id"], user["id"]]
        cursor_id = after or before
        order = "DESC"
        if cursor_id:
            anchor = conn.execute("SELECT rowid, created_at FROM chats WHERE id = ?", (cursor_id,)).fetchone()
            if anchor is None:
                return _chat_error(404, "not_found:database", f"Chat with id {cursor_id} not found")
            comparison = "<" if after else ">"
            where += f" AND (created_at, rowid) {comparison} (?, ?)"
            args += [anchor["created_at"], anchor["rowid"]]
            order = "DESC" if after else "ASC"
        rows = conn.execute(
            f"SELECT * FROM chats WHERE {where} ORDER BY created_at {order}, rowid {order} LIMIT ?",  # noqa: S608
            [*args, limit + 1],
        ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        if order == "ASC":
            rows.reverse()
        return JSONResponse({"chats": [_chat_json(row) for row in rows], "hasMore": has_more})

    async def chat_delete_all(request: Request) -> JSONResponse:
        user = caller(request)
        cursor = db.conn().execute(
            "DELETE FROM chats WHERE organization_id = ? AND user_id = ?", (user["organization_id"], user["id"])
        )
        return JSONResponse({"deletedCount": cursor.rowcount})

    async def chat_get(request: Request) -> JSONResponse:
        row, refused = owned_chat(request)
        return refused or JSONResponse(_chat_json(row))

    async def chat_update(request: Request) -> JSONResponse:
        row, refused = owned_chat(request)
        if refused:
            return refused
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return _chat_error(400, "bad_request:api", "The request body must be a JSON object.")
        visibility = body.get("visibility", row["visibility"])
        if visibility not in ("private", "public"):
            return _chat_error(400, "bad_request:api", "visibility must be private or public.")
        assistant_id = body.get("assistantId") or row["assistant_id"]
        db.conn().execute(
            "UPDATE chats SET visibility = ?, assistant_id = ? WHERE id = ?", (visibility, str(assistant_id), row["id"])
        )
        return JSONResponse({"ok": True})

    async def chat_delete(request: Request) -> JSONResponse:
        row, refused = owned_chat(request)
        if refused:
            return refused
        db.conn().execute("DELETE FROM chats WHERE id = ?", (row["id"],))
        return JSONResponse(_chat_json(row))

    async def chat_messages(request: Request) -> JSONResponse:
        row, refused = owned_chat(request)
        if refused:
            return refused
        rows = db.conn().execute("SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY seq", (row["id"],)).fetchall()
        return JSONResponse([_message_json(message) for message in rows])

    async def streams(request: Request) -> JSONResponse:
        chat_id = request.query_params.get("chat_id")
        rows = [asdict(record) for record in _streams if chat_id is None or record.chat_id == chat_id]
        return JSONResponse({"streams": rows[:500]})

    table = [
        ("/v2/chat", chat, ["POST"]),
        ("/chat-client/auth/user", auth_user, ["POST"]),
        ("/chat-client/chats", chat_list, ["GET"]),
        ("/chat-client/chats", chat_delete_all, ["DELETE"]),
        ("/chat-client/chats/{chat_id}", chat_get, ["GET"]),
        ("/chat-client/chats/{chat_id}", chat_update, ["PATCH"]),
        ("/chat-client/chats/{chat_id}", chat_delete, ["DELETE"]),
        ("/chat-client/chats/{chat_id}/messages", chat_messages, ["GET"]),
    ]
    return [*under(AI_AGENT, table), Route("/_local/chat/streams", streams, methods=["GET"])]


def seed(config: Config) -> None:
    """Chats start empty: history is made by chatting."""
