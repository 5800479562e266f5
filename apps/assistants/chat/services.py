"""Chat writes: conversations, message turns, and the relay of an answer stream from the gateway.

``chat_relay`` sends one user message to ``POST /ai-agent/v2/chat`` (only the
new message: the gateway keeps the history by the conversation's id) and turns
what comes back into a few kinds of ``RelayEvent`` as it arrives: the tool
calls so far, the Markdown blocks just finished and the block still being
written, each rendered to sanitized HTML (``streaming``; in a worker thread
when the work is not small), a failure, a keepalive during silence, and the end. Leaving the generator
(the browser went away or pressed Stop) leaves the ``async with`` and so
closes the upstream request at once. When the worker is shutting down
(``drain``), an answer still open after the grace period is cut off the same
way and ends with ``interrupted``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.audit.services import AuditEntry, audit_event_record, audited
from imbrace_console.gateway import (
    GatewayError,
    GatewayNotFound,
    GatewayStreamError,
    ServerSentEvent,
    gateway_path,
    get_client,
    sse_events,
)

from ..models import ChatTurn, Conversation
from . import drain
from .selectors import ToolCallView
from .streaming import MarkdownStream

SUCCESS = AuditEvent.Outcome.SUCCESS
logger = logging.getLogger(__name__)
TURN_RETENTION = timedelta(days=1)
TURN_CLEANUP_INTERVAL = timedelta(minutes=10)
TITLE_LENGTH = 80
UNSAVED = "The console could not save this message. Send it again."
_END: Any = object()  # what an exhausted upstream iterator gives in _chunks_with_keepalive
_CUT: Any = object()  # what _chunks_with_keepalive gives, last, when its ``until`` came first
TURN_SAVE_DELAY = 0.1  # seconds: a message waits at most this long for its answer's first word before it is saved


@dataclass(frozen=True)
class RelayEvent:
    """One step of a relayed answer.

    ``kind``: ``begin`` (first: the message is on its way; show the question),
    ``tools``, ``blocks`` (Markdown blocks just finished, to add), ``tail`` (the block
    still arriving, to replace the one before), ``more`` (plain text to add after
    the tail, for a long tail: see ``streaming``), each with its sanitized ``html``,
    ``failure``, ``interrupted`` (the worker is shutting down: cut off, the answer
    so far kept), ``keepalive`` or ``done`` (always last).
    """

    kind: str
    text: str = ""
    tools: tuple[ToolCallView, ...] = ()
    retry: bool = True  # whether a failure can be retried (the message was saved)
    html: str = ""


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


class _Every:
    """True at most once per ``interval`` seconds (per process): for housekeeping a request can do on the side."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0

    def due(self) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self.interval
        return True


_turn_cleanup = _Every(TURN_CLEANUP_INTERVAL.total_seconds())


def conversation_new(*, user, assistant: dict, text: str) -> ChatTurn:
    """The first message of a new conversation of ``user`` with ``assistant``, titled after it; not saved yet.

    ``chat_relay`` saves it (``chat_turn_save``) while the gateway works on it.
    """
    now = timezone.now()
    conversation = Conversation(
        user=user,
        assistant_id=str(assistant["id"]),
        assistant_name=str(assistant.get("name") or "")[:256],
        title=_title(text) or "New conversation",
        created_at=now,
        updated_at=now,
    )
    return ChatTurn(token=secrets.token_urlsafe(32), conversation=conversation, text=text, starts_conversation=True)


def chat_turn_new(*, conversation: Conversation, text: str) -> ChatTurn:
    """A message in an existing conversation; not saved yet (see ``conversation_new``)."""
    return ChatTurn(token=secrets.token_urlsafe(32), conversation=conversation, text=text)


@sync_to_async
def chat_turn_save(turn: ChatTurn) -> None:
    """Save a message, and the conversation it starts or moves to the top of the list, in one transaction.

    Now and then it also drops the message turns nobody will retry or stop any more (of every user).
    """
    with transaction.atomic():
        if turn.starts_conversation:
            if _turn_cleanup.due():
                ChatTurn.objects.filter(created_at__lt=timezone.now() - TURN_RETENTION).delete()
            turn.conversation.save(force_insert=True)
        else:
            Conversation.objects.filter(pk=turn.conversation_id).update(updated_at=timezone.now())
        turn.save(force_insert=True)


async def chat_turn_retry(*, user, token: str) -> ChatTurn | None:
    """A new message with the same text as the user's turn ``token`` (None if it is not theirs); not saved yet."""
    turn = await ChatTurn.objects.select_related("conversation").filter(token=token, conversation__user=user).afirst()
    if turn is None:
        return None
    return chat_turn_new(conversation=turn.conversation, text=turn.text)


def _conversation_event(conversation: Conversation, action: str) -> dict:
    """What an audit event of a conversation says: the assistant it is with, the conversation and its title."""
    return {
        "area": "assistants",
        "action": action,
        "target_type": "assistant",
        "target_id": conversation.assistant_id,
        "target_name": conversation.assistant_name,
        "changes": {"conversation": str(conversation.pk), "title": conversation.title},
    }


async def conversation_delete(*, actor, conversation: Conversation) -> None:
    """Delete the conversation on the gateway (if it got there) and in the console."""
    async with audited(actor=actor, **_conversation_event(conversation, "chat.delete")):
        with contextlib.suppress(GatewayNotFound):  # never reached the gateway: nothing to delete there
            await get_client().request("DELETE", gateway_path("/ai-agent/chat-client/chats/{}", conversation.pk))
    await conversation.adelete()


_UPDATE_KINDS = {"block": "blocks", "open": "tail", "more": "more"}


@dataclass
class _Answer:
    """What the relay knows of the answer so far, and what it last told the browser."""

    texts: dict[str, str] = field(default_factory=dict)
    tools: dict[str, ToolCallView] = field(default_factory=dict)
    error: str = ""
    finished: bool = False
    tools_changed: bool = False
    text_changed: bool = False
    markdown: MarkdownStream = field(default_factory=MarkdownStream)

    @property
    def text(self) -> str:
        return "\n\n".join(value for value in self.texts.values() if value)

    def apply(self, part: dict) -> None:
        """Take in one UI message stream part (unknown types are ignored)."""
        kind = part.get("type")
        call_id = str(part.get("toolCallId") or "")
        if kind == "text-start":
            self.texts.setdefault(str(part.get("id")), "")
        elif kind == "text-delta":
            key = str(part.get("id"))
            self.texts[key] = self.texts.get(key, "") + str(part.get("delta") or "")
            self.text_changed = True
        elif kind == "error":
            self.error = str(part.get("errorText") or part.get("error") or "The assistant failed to answer.")
        elif kind == "finish":
            self.finished = True
        elif kind == "tool-input-start":
            self.tools[call_id] = ToolCallView(call_id=call_id, name=str(part.get("toolName") or "tool"))
            self.tools_changed = True
        elif kind in ("tool-input-available", "tool-input-error") and call_id:
            tool = self.tools.setdefault(
                call_id, ToolCallView(call_id=call_id, name=str(part.get("toolName") or "tool"))
            )
            tool.input = part.get("input")
            if kind == "tool-input-error":
                tool.state, tool.error_text = "error", str(part.get("errorText") or "")
            self.tools_changed = True
        elif kind in ("tool-output-available", "tool-output-error", "tool-output-denied", "tool-approval-request"):
            tool = self.tools.get(call_id)
            if tool is not None:
                tool.state = {
                    "tool-output-available": "done",
                    "tool-output-error": "error",
                    "tool-output-denied": "denied",
                    "tool-approval-request": "approval",
                }[kind]
                tool.output = part.get("output")
                tool.error_text = str(part.get("errorText") or "")
                self.tools_changed = True

    async def changes(self, *, final: bool = False) -> list[RelayEvent]:
        """The events that bring the browser up to date (the rest of the text as blocks when ``final``).

        Markdown costs up to seconds on hostile text: more than a little is rendered in a worker thread.
        """
        events = []
        if self.tools_changed:
            events.append(RelayEvent("tools", tools=tuple(self.tools.values())))
            self.tools_changed = False
        if self.text_changed or final:
            self.text_changed = False
            text = self.text
            if self.markdown.cheap(text):
                updates = self.markdown.update(text, final=final)
            else:
                updates = await sync_to_async(self.markdown.update, thread_sensitive=False)(text, final=final)
            events.extend(RelayEvent(_UPDATE_KINDS[item.kind], text=item.text, html=item.html) for item in updates)
        return events


def _sse_part(event: ServerSentEvent) -> dict | str | None:
    """One SSE event's ``data`` as JSON (``"[DONE]"`` kept as text); None for an event to skip.

    The events themselves come from ``sse_events`` (httpx-sse), which follows the SSE spec: CRLF, CR or LF line
    endings, multi-line ``data``, comments, ``id``/``retry`` fields and events split across chunks.
    """
    data = event.data
    if not data:
        return None  # an event without data (the spec's comments never reach here)
    if data == "[DONE]":
        return data
    # ValueError: bad JSON or a 5,000-digit number; RecursionError: JSON nested 100,000 deep. Skipped alike.
    with contextlib.suppress(ValueError, RecursionError):
        part = json.loads(data)
        if isinstance(part, dict):
            return part
    return None


async def _chunks_with_keepalive[T](
    chunks: AsyncIterator[T], heartbeat: float, until: asyncio.Future | None = None
) -> AsyncIterator[T | None]:
    """The upstream chunks (or SSE events), with ``None`` after every ``heartbeat`` seconds of silence.

    The pending read is awaited across heartbeats, never cancelled, so no data is lost. Once ``until``
    is done (the drain's deadline), ``_CUT`` comes instead of the next chunk, and nothing after it.
    """
    iterator = aiter(chunks)
    pending: asyncio.Future | None = None
    waits: set[asyncio.Future] = set() if until is None else {until}
    try:
        while True:
            if until is not None and until.done():
                yield _CUT
                return
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator, _END))
            await asyncio.wait({pending, *waits}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED)
            if not pending.done():
                if until is None or not until.done():
                    yield None
                continue
            chunk = pending.result()
            pending = None
            if chunk is _END:
                return
            yield chunk
    finally:
        if pending is not None:
            pending.cancel()
            await asyncio.wait({pending})


async def _read_to_end(chunks: AsyncIterator[Any], timeout: float = 1.0) -> None:  # noqa: ASYNC109
    """Read and drop what is left of an upstream body, for up to ``timeout`` seconds (then it is closed)."""
    with contextlib.suppress(TimeoutError, GatewayStreamError):
        async with asyncio.timeout(timeout):
            async for _ in chunks:
                pass


async def _turn_saved(turn: ChatTurn) -> bool:
    """Save the turn (``chat_turn_save``); False if the database refused (logged)."""
    try:
        await chat_turn_save(turn)
    except DatabaseError:
        logger.exception("chat: the message of conversation %s could not be saved", turn.conversation.pk)
        return False
    return True


class _TurnSave:
    """The turn's save (``_turn_saved``), started by the first ``start()`` or ``await``, or after ``delay`` seconds.

    The relay starts it once the answer's first part is out, and relays the next
    parts while it runs (``_saved_and_recorded``). Run while the first part is
    on its way, the save (in the sync thread) and the relay (on the event loop)
    take turns at the interpreter and the first word comes later (``make
    bench``). ``delay`` bounds how long a slow answer leaves the message
    unsaved, so Stop and Retry find it.
    """

    def __init__(self, turn: ChatTurn, delay: float) -> None:
        self._turn = turn
        self._task: asyncio.Future[bool] | None = None
        self._timer = asyncio.get_running_loop().call_later(delay, self.start)

    def start(self) -> asyncio.Future[bool]:
        if self._task is None:
            self._timer.cancel()
            self._task = asyncio.ensure_future(_turn_saved(self._turn))
        return self._task

    def __await__(self):
        return self.start().__await__()

    @property
    def refused(self) -> bool:
        """The save is over, and the database refused it."""
        task = self._task
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return False
        return not task.result()


async def _saved_and_recorded(actor, turn: ChatTurn, saved: _TurnSave) -> bool:
    """Wait for the turn's save, then record a new conversation's start; whether the turn was saved."""
    if not await saved:
        return False
    if turn.starts_conversation:
        await audit_event_record(actor=actor, entry=_start_entry(turn.conversation), outcome=SUCCESS)
    return True


def _start_entry(conversation: Conversation) -> AuditEntry:
    """The audit event of a conversation's start: one per conversation (its first message), not one per message."""
    return AuditEntry(**_conversation_event(conversation, "chat.start"))


async def chat_relay(
    *, actor, turn: ChatTurn, heartbeat: float = 15.0, stall: float = 120.0, grace: float = 20.0
) -> AsyncIterator[RelayEvent]:
    """Save the turn, send its message and relay the answer as ``RelayEvent``s, from ``begin`` to ``done``.

    An upstream silent for ``stall`` seconds is given up on (the gateway sends no heartbeats of its own).
    An answer still open ``grace`` seconds after the worker began shutting down (``drain``) is cut off:
    the gateway stream is closed (the gateway keeps the answer so far, as for Stop), the answer so far
    is sent in full and ``interrupted`` follows.
    """
    conversation = turn.conversation
    payload = {
        "id": str(conversation.pk),
        "assistant_id": conversation.assistant_id,
        "messages": [{"id": str(uuid.uuid4()), "role": "user", "parts": [{"type": "text", "text": turn.text}]}],
    }
    answer = _Answer()
    drain.watch()
    cutoff = asyncio.ensure_future(drain.deadline(grace))
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(cutoff.cancel)
        sent = asyncio.get_running_loop().create_future()
        stream = get_client().stream("POST", "/ai-agent/v2/chat", json=payload, read_timeout=None, sent=sent)
        upstream = asyncio.ensure_future(stack.enter_async_context(stream))
        saved: _TurnSave | None = None
        try:
            # Once the message is on its way, the caller shows the question while the gateway
            # works on it. The message is saved (for Stop and Retry) once the first word is out,
            # or before a failure is shown, or after TURN_SAVE_DELAY, whichever comes first.
            await asyncio.wait({sent, upstream}, return_when=asyncio.FIRST_COMPLETED)  # or refused before
            saved = _TurnSave(turn, TURN_SAVE_DELAY)
            yield RelayEvent("begin")
            await asyncio.wait({upstream, cutoff}, return_when=asyncio.FIRST_COMPLETED)
            if not upstream.done():  # shutting down, and the gateway has not answered yet
                upstream.cancel()
                await asyncio.wait({upstream})
                retry = await _saved_and_recorded(actor, turn, saved)
                yield RelayEvent("interrupted") if retry else RelayEvent("failure", text=UNSAVED, retry=False)
                yield RelayEvent("done")
                return
            response = await upstream
        except GatewayError as exc:
            retry = await saved
            if turn.starts_conversation and retry:
                await audit_event_record(
                    actor=actor,
                    entry=_start_entry(conversation),
                    outcome=AuditEvent.Outcome.FAILURE,
                    message=exc.user_message_with_detail,
                    request_id=exc.request_id,
                )
            yield RelayEvent("failure", text=exc.user_message_with_detail if retry else UNSAVED, retry=retry)
            yield RelayEvent("done")
            return
        except BaseException:  # the browser left (GeneratorExit or cancelled): the message is saved all the same
            if saved is not None:
                await asyncio.wait({saved.start()})
            raise
        finally:
            if not upstream.done():  # the browser left before the gateway answered
                upstream.cancel()
                await asyncio.wait({upstream})
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("text/event-stream", "text/plain"):
            retry = await saved
            text = f"The gateway answered in a format the chat cannot show ({content_type})." if retry else UNSAVED
            yield RelayEvent("failure", text=text, retry=retry)
            yield RelayEvent("done")
            return
        plain = content_type == "text/plain"
        ended = False
        recorded: asyncio.Future[bool] | None = None  # the save and start record, once the first part is out
        silent = 0.0
        upstream_parts = response.aiter_bytes() if plain else sse_events(response)
        chunks = _chunks_with_keepalive(upstream_parts, heartbeat, cutoff)
        interrupted = False
        try:
            async for chunk in chunks:
                if chunk is _CUT:  # the worker is shutting down: the gateway sees the disconnect
                    interrupted = True
                    await chunks.aclose()
                    await response.aclose()
                    break
                if chunk is None:
                    silent += heartbeat
                    if silent >= stall:
                        answer.error = f"The assistant stopped answering for {stall:.0f} seconds. Retry to ask again."
                        break
                    yield RelayEvent("keepalive")
                    continue
                silent = 0.0
                if plain:  # a non-streaming assistant: the whole reply as one text body
                    answer.texts["0"] = answer.texts.get("0", "") + chunk.decode("utf-8", errors="replace")
                    answer.text_changed = True
                else:
                    part = _sse_part(chunk)
                    if part == "[DONE]":
                        ended = True
                    elif part is not None:
                        answer.apply(part)
                        ended = bool(answer.error)
                events = await answer.changes()
                for event in events:
                    yield event
                if events and recorded is None:
                    # Saved, and a new conversation's start recorded, while the next words are relayed:
                    # waiting for the database here held up the second word (make bench).
                    recorded = asyncio.ensure_future(_saved_and_recorded(actor, turn, saved))
                if ended or saved.refused:
                    break
        except GatewayStreamError:
            answer.error = "The connection to the Imbrace gateway was lost before the answer was complete."
        finally:
            # Waited for even when the browser left. A start is recorded even if no part came.
            await (recorded if recorded is not None else _saved_and_recorded(actor, turn, saved))
        if not await saved:
            yield RelayEvent("failure", text=UNSAVED, retry=False)
            yield RelayEvent("done")
            return
        if plain and not interrupted:
            ended = True
        for event in await answer.changes(final=True):
            yield event
        if interrupted:
            yield RelayEvent("interrupted")
        elif answer.error:
            yield RelayEvent("failure", text=answer.error)
        elif not (ended or answer.finished):
            yield RelayEvent("failure", text="The gateway ended the answer early. Retry to ask again.")
        elif not answer.text and not answer.tools:
            yield RelayEvent("failure", text="The assistant finished without an answer.")
        yield RelayEvent("done")
        if ended:  # the answer is complete; reading the end of the body lets the next message reuse the connection
            await _read_to_end(chunks)
