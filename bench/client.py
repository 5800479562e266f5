"""What the load process uses to talk to the servers: a logged-in console session,
a direct gateway client, a reader of server-sent events, a memory sampler, and
its own helper processes started."""

from __future__ import annotations

import asyncio
import re
import sys
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import psutil

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = httpx.Timeout(120, connect=30)


async def ready_process(module: str, *args: str, stderr: int | None = None) -> asyncio.subprocess.Process:
    """``python -m module *args``, once it has printed its ``ready`` line (an empty read if it failed first).

    A case starts measuring after this: the helper's interpreter starting up
    is not part of what it measures.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, stdout=asyncio.subprocess.PIPE, stderr=stderr
    )
    assert process.stdout is not None
    await process.stdout.readline()
    return process


def _limits(connections: int) -> httpx.Limits:
    return httpx.Limits(max_connections=connections, max_keepalive_connections=connections)


async def console_login(
    url: str, username: str, password: str, *, connections: int = 100, verify: bool = True
) -> httpx.AsyncClient:
    """A client holding a console session (logged in once through the login form, with CSRF).

    The production settings name the cookies ``__Host-sessionid`` and ``__Host-csrftoken``.
    """
    client = httpx.AsyncClient(base_url=url, timeout=TIMEOUT, limits=_limits(connections), verify=verify)
    page = await client.get("/login/")
    match = _CSRF_INPUT.search(page.text)
    if page.status_code != 200 or match is None:
        await client.aclose()
        raise RuntimeError(f"console login page answered {page.status_code} without a CSRF token")
    response = await client.post(
        "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{url}/login/"},
    )
    names = {name.removeprefix("__Host-"): name for name in client.cookies}
    if response.status_code != 302 or "sessionid" not in names:
        await client.aclose()
        raise RuntimeError(f"console login failed with {response.status_code}")
    # Django rotates the CSRF token at login; htmx sends the new one in a header.
    client.headers["X-CSRFToken"] = client.cookies[names["csrftoken"]]
    client.headers["Referer"] = f"{url}/"
    return client


def gateway_client(url: str, api_key: str, *, connections: int = 100) -> httpx.AsyncClient:
    """Straight to the gateway with the API key, as the console's gateway client calls it."""
    return httpx.AsyncClient(base_url=url, headers={"x-api-key": api_key}, timeout=TIMEOUT, limits=_limits(connections))


@dataclass
class Events:
    """Server-sent events of one stream as they arrived (``time.perf_counter()``)."""

    times: list[float] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[float, str]]:
    """Yield ``(arrival time, event text)`` per event; comments (heartbeats) are skipped."""
    buffer = ""
    async for chunk in response.aiter_text():
        now = time.perf_counter()
        buffer += chunk
        while True:
            end = _event_end(buffer)
            if end is None:
                break
            raw, buffer = buffer[: end[0]], buffer[end[1] :]
            lines = [line for line in raw.splitlines() if line and not line.startswith(":")]
            if lines:
                yield now, "\n".join(lines)


def _event_end(buffer: str) -> tuple[int, int] | None:
    """Where the first complete event ends (SSE allows \\n\\n, \\r\\n\\r\\n and \\r\\r)."""
    best = None
    for separator in ("\n\n", "\r\n\r\n", "\r\r"):
        index = buffer.find(separator)
        if index != -1 and (best is None or index < best[0]):
            best = (index, index + len(separator))
    return best


class RssSampler:
    """Samples the resident memory of processes (their sum) in a background thread; ``peak`` since ``reset``."""

    def __init__(self, *pids: int, interval: float = 0.02) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        return sum(process.memory_info().rss for process in self.processes)

    def reset(self) -> int:
        self.peak = current = self.rss()
        return current

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.Error:
                return

    def __enter__(self) -> RssSampler:
        self.reset()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
