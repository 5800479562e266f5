"""The AI SDK v6 UI message stream, word by word, that notices the client going away."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import AsyncIterator

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ... import db
from ...config import Config
from .registry import StreamRecord, _streams
from .responder import compose, run_tool, word_delay
from .schema import FAILING_MODELS
from .store import save_message, set_status

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


async def ui_message_stream(
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
    delay = word_delay(config, assistant)
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
        reply = compose(organization_id, assistant, question, history, chat_id)
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
            await run_tool(organization_id, reply)
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
        save_message(chat_id, "assistant", parts, metadata, message_id=message_id)
        set_status(chat_id, "idle")
