"""Chat: the first relayed word with 1 and 50 streams open; how fast a disconnect reaches the gateway.

The direct path posts the message to ``/ai-agent/v2/chat`` and reads the UI
message stream. The console path does what the page's script does: posts the
message to the console asking for ``text/event-stream`` and reads the answer
from that response. Both are timed from the moment the message is sent to the first word.

"At N streams" means N streams are open when the message is sent: N - 1
replies of the slow assistant are started over a short ramp (as people press
Send, not in one instant), and then probe messages are sent one at a time
while they stream. The background streams go the same way as the probes
(console or direct), and the two paths take turns.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from ..client import console_login, gateway_client, sse_events
from ..job import Job, Skip, record
from ..seed import CHAT_TEXT
from ..stats import percentile, rounded

RECORDS = {
    "chat_first_event_ms_p50@1": "ms",
    "chat_first_event_ms_p50@50": "ms",
    "chat_disconnect_to_upstream_close_ms": "ms",
}


@dataclass
class Stream:
    """One chat reply as a client saw it (``time.perf_counter()`` times)."""

    sent: float = 0.0
    words: list[float] = field(default_factory=list)
    left_at: float = 0.0  # epoch seconds the client began to close the stream (when it left early)
    completed: bool = False
    error: str = ""

    @property
    def first_ms(self) -> float | None:
        return (self.words[0] - self.sent) * 1000 if self.words else None

    def relative(self) -> list[float]:
        """Word times after the first word, in ms."""
        return [(moment - self.words[0]) * 1000 for moment in self.words]


def chat_urls(ctx) -> dict[str, str]:
    """Where the console takes a message for each bench assistant."""
    urls = {}
    for key in ("assistant_id", "slow_assistant_id"):
        assistant_id = ctx.need(key)
        url = ctx.url_for("assistants-chat-send", assistant_id=assistant_id)
        if url is None:
            raise Skip("the console has no chat (assistants-chat-send) yet")
        urls[assistant_id] = url
    return urls


def chat_params(ctx) -> dict:
    return {
        "assistant_id": ctx.need("assistant_id"),
        "slow_assistant_id": ctx.need("slow_assistant_id"),
        "chat_urls": chat_urls(ctx),
    }


def params(ctx) -> dict:
    quick = ctx.quick
    return {
        **chat_params(ctx),
        "single_rounds": 5 if quick else 40,
        "many": 5 if quick else 50,
        "many_rounds": 1 if quick else 2,
        "ramp_s": 0.5 if quick else 3.0,
        "settle_s": 3.0 if quick else 10.0,
        "probes": 3 if quick else 10,
        "disconnects": 2 if quick else 10,
    }


# --- the two paths ---------------------------------------------------------------------------------------------


def _direct_body(assistant_id: str, chat_id: str) -> dict:
    return {
        "id": chat_id,
        "assistant_id": assistant_id,
        "messages": [{"id": str(uuid.uuid4()), "role": "user", "parts": [{"type": "text", "text": CHAT_TEXT}]}],
    }


async def direct_chat(
    direct: httpx.AsyncClient, assistant_id: str, *, stream: Stream | None = None, stop_after_first: bool = False
) -> Stream:
    """Send a message straight to the gateway and read the reply's parts (into ``stream`` if given)."""
    stream = stream or Stream()
    stream.sent = time.perf_counter()
    body = _direct_body(assistant_id, str(uuid.uuid4()))
    try:
        async with direct.stream("POST", "/ai-agent/v2/chat", json=body) as response:
            if response.status_code != 200:
                stream.error = f"HTTP {response.status_code}"
                return stream
            async for moment, event in sse_events(response):
                if event.startswith('data: {"type":"text-delta"'):
                    stream.words.append(moment)
                    if stop_after_first:
                        stream.left_at = time.time()
                        return stream
                elif event == "data: [DONE]":
                    stream.completed = True
    except httpx.HTTPError as exc:
        stream.error = exc.__class__.__name__
    return stream


class ConsoleChat:
    """The page's side of the console's chat: post the message and read the answer from the response."""

    TEXT_EVENTS = ("event: delta", "event: block")
    HEADERS = {"Accept": "text/event-stream", "HX-Request": "true"}  # as static/js/chat.js posts it

    def __init__(self, client: httpx.AsyncClient, chat_urls: dict[str, str]) -> None:
        self.client = client
        self.chat_urls = chat_urls

    async def chat(self, assistant_id: str, *, stream: Stream | None = None, stop_after_first: bool = False) -> Stream:
        stream = stream or Stream()
        stream.sent = time.perf_counter()
        form = {"message": CHAT_TEXT, "conversation_id": ""}
        try:
            async with self.client.stream(
                "POST", self.chat_urls[assistant_id], data=form, headers=self.HEADERS
            ) as response:
                if response.status_code != 200:
                    stream.error = f"send HTTP {response.status_code}"
                    return stream
                failed = False
                async for moment, event in sse_events(response):
                    if event.startswith(self.TEXT_EVENTS):
                        stream.words.append(moment)
                        if stop_after_first:
                            stream.left_at = time.time()
                            return stream
                    elif event.startswith("event: failure"):
                        failed = True
                        stream.error = "failure event"
                    elif event.startswith("event: done"):
                        stream.completed = not failed
        except httpx.HTTPError as exc:
            stream.error = exc.__class__.__name__
        return stream


class ChatPaths:
    """Both paths of a chat case: the console (logged in once) and the gateway direct.

    ``probe[path]()`` sends a message to the fast assistant; ``background[path](stream)``
    one to the slow assistant, filling ``stream``; ``leave[path]()`` leaves a slow reply
    after its first word.
    """

    def __init__(self, console: httpx.AsyncClient, direct: httpx.AsyncClient, p: dict) -> None:
        self.console, self.direct = console, direct
        self.relay = relay = ConsoleChat(console, p["chat_urls"])
        self.fast, self.slow = fast, slow = p["assistant_id"], p["slow_assistant_id"]
        self.probe = {"console": lambda: relay.chat(fast), "direct": lambda: direct_chat(direct, fast)}
        self.background = {
            "console": lambda stream: relay.chat(slow, stream=stream),
            "direct": lambda stream: direct_chat(direct, slow, stream=stream),
        }
        self.leave = {
            "console": lambda: relay.chat(slow, stop_after_first=True),
            "direct": lambda: direct_chat(direct, slow, stop_after_first=True),
        }

    @classmethod
    async def open(cls, job: Job, *, connections: int) -> ChatPaths:
        console = await console_login(
            job.console_url, job.username, job.password, connections=connections, verify=job.console_tls_verify
        )
        return cls(console, gateway_client(job.gateway_url, job.api_key, connections=connections), job.params)

    async def aclose(self) -> None:
        await self.console.aclose()
        await self.direct.aclose()


# --- measuring -------------------------------------------------------------------------------------------------


async def sequential(runs: dict, count: int) -> dict[str, list[Stream]]:
    """``count`` chats per path, one at a time, the paths taking turns."""
    seen: dict[str, list[Stream]] = {name: [] for name in runs}
    for _ in range(count):
        for name, run in runs.items():
            seen[name].append(await run())
    return seen


async def plateau(
    background, probe, *, count: int, ramp_s: float, probes: int, settle_s: float, finish: bool
) -> tuple[list[Stream], list[Stream]]:
    """Open ``count`` background chats over ``ramp_s``; once they stream, send ``probes`` chats one by one.

    ``background(stream)`` fills the Stream it is given. With ``finish`` the
    background chats are read to their end; otherwise they are left (closed).
    """
    streams = [Stream() for _ in range(count)]
    tasks = []
    for stream in streams:
        tasks.append(asyncio.ensure_future(background(stream)))
        await asyncio.sleep(ramp_s / max(count, 1))
    deadline = time.perf_counter() + settle_s
    while time.perf_counter() < deadline and not all(s.words or s.error or s.completed for s in streams):
        await asyncio.sleep(0.05)
    probed = [await probe() for _ in range(probes)]
    if not finish:
        for task in tasks:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return streams, probed


def first_word_record(case: str, seen: dict[str, list[Stream]], note: str = "") -> dict:
    def p50(name: str) -> float | None:
        return rounded(percentile([s.first_ms for s in seen[name] if s.first_ms is not None], 50))

    failed = {name: sum(1 for s in seen[name] if s.first_ms is None) for name in seen}
    if any(failed.values()):
        note = f"{note}; no first word: {failed['console']} console, {failed['direct']} direct".lstrip("; ")
    return record(case, p50("console"), p50("direct"), "ms", len(seen["console"]), **({"note": note} if note else {}))


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def _upstream_closed_at(gateway: httpx.AsyncClient, assistant_id: str, since: float) -> float | None:
    """When the gateway saw the newest stream of ``assistant_id`` close (epoch seconds), waiting up to 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = (await gateway.get("/_local/chat/streams")).json()["streams"]
        mine = [row for row in rows if row["assistant_id"] == assistant_id and _epoch(row["opened_at"]) >= since - 1]
        if mine and mine[0]["closed_at"]:
            return _epoch(mine[0]["closed_at"])
        await asyncio.sleep(0.005)
    return None


async def disconnects(runs: dict, gateway: httpx.AsyncClient, assistant_id: str, count: int) -> dict:
    """Leave a reply after its first word; how long until the gateway's stream closed (ms), per path."""
    seen: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(count):
        for name, run in runs.items():
            since = time.time()
            stream = await run()  # returns once the first word is in and the connection is closed
            closed = await _upstream_closed_at(gateway, assistant_id, since) if stream.words else None
            if closed is not None:
                # The gateway stamps whole milliseconds: a close in the same millisecond may read a little early.
                seen[name].append(max(0.0, (closed - stream.left_at) * 1000))
    return seen


async def run(job: Job) -> list[dict]:
    p = job.params
    paths = await ChatPaths.open(job, connections=p["many"] + 10)
    probe, background = paths.probe, paths.background
    many: dict[str, list[Stream]] = {"console": [], "direct": []}
    try:
        for warm in probe.values():  # warm both paths
            await warm()
        single = await sequential(probe, p["single_rounds"])
        for _ in range(p["many_rounds"]):
            for name in ("console", "direct"):
                _, probed = await plateau(
                    background[name],
                    probe[name],
                    count=p["many"] - 1,
                    ramp_s=p["ramp_s"],
                    probes=p["probes"],
                    settle_s=p["settle_s"],
                    finish=False,
                )
                many[name].extend(probed)
        closed = await disconnects(paths.leave, paths.direct, paths.slow, p["disconnects"])
    finally:
        await paths.aclose()
    many_note = f"{p['many']} open" if p["many"] != 50 else ""
    worst = {name: rounded(max(values)) if values else None for name, values in closed.items()}
    return [
        first_word_record("chat_first_event_ms_p50@1", single),
        first_word_record("chat_first_event_ms_p50@50", many, many_note),
        record(
            "chat_disconnect_to_upstream_close_ms",
            worst["console"],
            worst["direct"],
            "ms",
            len(closed["console"]),
            note=f"worst of {p['disconnects']}; median {rounded(percentile(closed['console'], 50))} ms console",
        ),
    ]
