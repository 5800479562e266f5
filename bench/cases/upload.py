"""Uploads: a 1 GiB file through the console versus straight to the gateway.

A separate process sends the file from disk as the console's page does (the raw body, named
by ``X-File-Name``) and, on the direct path, as the gateway's API wants it (a
multipart form). That keeps the load process free to watch the rest of the
console while the upload runs: chat replies on the fast assistant (the longest
gap between words) and a list page fetched over and over (the slowest answer).
The same watchers run during the direct upload, which shows what the
gateway's own work costs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx

from ..client import RssSampler, console_login, gateway_client, ready_process
from ..job import Job, Skip, record
from ..pauses import Pauses
from ..stats import largest_gap, percentile, rounded
from .chat import ConsoleChat, chat_urls

RECORDS = {
    "upload_1gib_throughput_mb_s": "MB/s",
    "upload_1gib_rss_growth_mb": "MB",
    "upload_stall_ms_max": "ms",
}
MB = 1 << 20
FULL_SIZE = 1 << 30
QUICK_SIZE = 16 * MB
# Each upload's file is deleted once it is measured (see _delete_uploads). Shortly after such a
# delete the whole machine can pause (every process, idle ones too, wakes late at the same
# moment), so the next upload waits this long and is measured on a settled machine.
SETTLE_S = 6.0
UPLOAD_NAME = "bench-upload.docx"  # a type the console accepts and the local gateway stores without reading


def params(ctx) -> dict:
    folder_id = ctx.need("folder_id")
    upload_url = ctx.url_for("knowledge-file-upload", folder_id=folder_id)
    if upload_url is None:
        raise Skip("the console has no upload endpoint (knowledge-file-upload) yet")
    try:
        chat = {
            "assistant_id": ctx.need("assistant_id"),
            "chat_urls": chat_urls(ctx),
        }
    except Skip:
        chat = {"assistant_id": None, "chat_urls": None}
    return {
        **chat,
        "folder_id": folder_id,
        "upload_url": upload_url,
        "size": QUICK_SIZE if ctx.quick else FULL_SIZE,
        "file_dir": str(ctx.work_dir),
        "page_url": ctx.url_for("knowledge-list") or "/",
        # Uploads per path, taking turns (console, direct, direct, console, ...): one upload's
        # throughput moves a lot from run to run on a shared machine, so the median of three is kept.
        "rounds": 1 if ctx.quick else 3,
        "settle_s": 0 if ctx.quick else SETTLE_S,
    }


def _make_file(path: Path, size: int) -> None:
    block = os.urandom(MB)  # incompressible, written once and repeated
    with path.open("wb") as handle:
        for _ in range(size // MB):
            handle.write(block)
        os.fsync(handle.fileno())  # on disk before the first upload, not written back under it


async def _delete_uploads(gateway: httpx.AsyncClient, folder_id: str) -> None:
    """Delete what the uploads stored in the bench's folder, through the gateway's API.

    Each upload leaves a 1 GiB file in the local gateway's data directory; left
    there, the kernel writes them back to disk while the next uploads are
    measured (six of them are more than its dirty-page threshold), which slows
    both paths' uploads and stalls them at random. Deleted at once, most of
    their pages are never written.
    """
    listed = await gateway.get("/data-board/files", params={"folder_id": folder_id})
    ids = [file["id"] for file in listed.json().get("data") or []]
    if ids:
        await gateway.post("/data-board/files/delete", json={"ids": ids})


def _turns(rounds: int) -> list[str]:
    """The paths in the order they upload: console, direct, direct, console, console, direct, ..."""
    return [name for round_ in range(rounds) for name in (("console", "direct"), ("direct", "console"))[round_ % 2]]


def _ok(run: dict) -> bool:
    return 200 <= run["status"] < 400


async def _upload_finished(process: asyncio.subprocess.Process) -> tuple[int, float, str]:
    """How the upload went: (HTTP status, seconds, body head); status 0 when the uploader failed."""
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        return 0, 0.0, (stderr.decode(errors="replace").strip().splitlines() or ["uploader failed"])[-1][:200]
    result = json.loads(stdout)
    return result["status"], result["seconds"], result["body"][:200]


class Watch:
    """While an upload runs: chat replies one after another, and a page fetched over and over."""

    def __init__(self, console: httpx.AsyncClient, relay: ConsoleChat | None, assistant_id: str | None, page_url: str):
        self.console, self.relay, self.assistant_id, self.page_url = console, relay, assistant_id, page_url
        self.gaps: list[float] = []
        self.pages: list[float] = []
        self.running = True

    async def _chat(self) -> None:
        while self.running and self.relay is not None:
            stream = await self.relay.chat(self.assistant_id)
            gap = largest_gap(stream.words)
            if gap is not None:
                self.gaps.append(gap * 1000)

    async def _page(self) -> None:
        while self.running:
            started = time.perf_counter()
            await self.console.get(self.page_url)
            self.pages.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)

    async def during(self, work):
        tasks = [asyncio.ensure_future(self._chat()), asyncio.ensure_future(self._page())]
        try:
            return await work
        finally:
            self.running = False
            await asyncio.gather(*tasks, return_exceptions=True)

    def worst(self) -> tuple[float | None, float | None]:
        return (max(self.gaps) if self.gaps else None), (max(self.pages) if self.pages else None)


async def run(job: Job) -> list[dict]:
    p = job.params
    path = Path(p["file_dir"]) / UPLOAD_NAME
    await asyncio.to_thread(_make_file, path, p["size"])
    console = await console_login(job.console_url, job.username, job.password, verify=job.console_tls_verify)
    gateway = gateway_client(job.gateway_url, job.api_key)
    relay = ConsoleChat(console, p["chat_urls"]) if p["chat_urls"] else None
    cookies = "; ".join(f"{name}={value}" for name, value in console.cookies.items())
    path_arg = str(path)
    via_console = [
        f"{job.console_url}{p['upload_url']}",
        path_arg,
        *([] if job.console_tls_verify else ["--insecure"]),
        *("--header", f"Cookie: {cookies}"),
        *("--header", f"X-CSRFToken: {console.headers['X-CSRFToken']}"),
        *("--header", f"Referer: {job.console_url}/"),
        *("--header", "Accept: application/json"),
        # As the console's page sends a file: the raw body, named by X-File-Name.
        *("--header", "Content-Type: application/octet-stream"),
        *("--header", f"X-File-Name: {UPLOAD_NAME}"),
    ]
    via_direct = [
        f"{job.gateway_url}/data-board/files/upload",
        path_arg,
        *("--header", f"x-api-key: {job.api_key}"),
        *("--form", f"folder_id={p['folder_id']}"),
    ]
    paths = {"console": via_console, "direct": via_direct}
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    try:
        # Warm the watchers' paths: a page's first answer (its template compiled, its gateway
        # connection opened) is not a stall caused by the upload.
        await console.get(p["page_url"])
        if relay is not None:
            await relay.chat(p["assistant_id"])
        async with Pauses() as pauses:
            with RssSampler(*job.console_pids) as memory:
                for index, name in enumerate(_turns(p["rounds"])):
                    if index:
                        await asyncio.sleep(p["settle_s"])  # after the last upload's delete: see SETTLE_S
                    # The watchers start once it is about to send: its start-up is not the upload.
                    uploader = await ready_process("bench.uploader", *paths[name], stderr=asyncio.subprocess.PIPE)
                    watch = Watch(console, relay, p["assistant_id"], p["page_url"])
                    before = memory.reset()
                    started = time.monotonic()
                    status, seconds, body = await watch.during(_upload_finished(uploader))
                    runs[name].append(
                        {
                            "status": status,
                            "seconds": seconds,
                            "body": body,
                            "growth": (memory.peak - before) / MB,
                            "worst": watch.worst(),
                            "window": (started, time.monotonic()),
                        }
                    )
                    await _delete_uploads(gateway, p["folder_id"])
    finally:
        await console.aclose()
        await gateway.aclose()
        path.unlink(missing_ok=True)

    size_mb = p["size"] / MB
    failed = [f"{name}: HTTP {r['status']} {r['body']}" for name in runs for r in runs[name] if not _ok(r)]

    def throughput(name: str) -> float | None:
        """The median over the rounds; None if any upload failed."""
        if not all(_ok(r) for r in runs[name]):
            return None
        return rounded(percentile([size_mb / r["seconds"] for r in runs[name]], 50))

    def stall(name: str) -> float | None:
        """The worst over every round: the longest chat gap or slowest page seen while any upload ran."""
        values = [value for r in runs[name] for value in r["worst"] if value is not None]
        return rounded(max(values)) if values else None

    def machine_pause(name: str) -> float:
        """The longest a separate idle process was kept from waking while this path's uploads ran."""
        return rounded(max(pauses.worst(*r["window"]) for r in runs[name]))

    gap = max((r["worst"][0] for r in runs["console"] if r["worst"][0] is not None), default=None)
    page = max((r["worst"][1] for r in runs["console"] if r["worst"][1] is not None), default=None)
    growth = max(r["growth"] for r in runs["console"])
    count = p["rounds"]
    size_note = f"{size_mb:.0f} MiB" if p["size"] != FULL_SIZE else ""
    pause = {name: machine_pause(name) for name in runs}
    stall_note = (
        f"console: longest chat gap {rounded(gap)} ms, slowest page {rounded(page)} ms; "
        f"the machine: a 10 ms sleep in an idle process overran by up to {pause['console']} ms "
        f"during the console's uploads, {pause['direct']} ms during the direct ones"
    )
    if relay is None:
        stall_note += " (no chat relay yet: pages only)"
    rounds_note = f"median of {count} uploads per path, taking turns" if count > 1 else ""
    notes = "; ".join(filter(None, [rounds_note, size_note, *failed]))
    return [
        record(
            "upload_1gib_throughput_mb_s",
            throughput("console"),
            throughput("direct"),
            "MB/s",
            count,
            **({"note": notes} if notes else {}),
        ),
        record(
            "upload_1gib_rss_growth_mb",
            rounded(growth),
            None,
            "MB",
            count,
            note="the largest of (peak console RSS during an upload - RSS before it)",
        ),
        record(
            "upload_stall_ms_max",
            stall("console"),
            stall("direct"),
            "ms",
            count,
            note="; ".join(filter(None, [stall_note, size_note])),
            machine_pause_ms=pause,
        ),
    ]
