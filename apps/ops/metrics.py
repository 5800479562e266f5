"""The console's Prometheus metrics, and the small functions other code calls to record them.

With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts), every worker writes
its values to files in that folder and ``/metrics`` reads them all, so several uvicorn
workers on one host report one view (prometheus-client's multiprocess mode). The folder
must be emptied when the console (all its workers) starts: docs/operations.md.

Recording a value is a write to a memory-mapped file (or to memory without the folder)
and to the process's buffer of per-minute aggregates (apps/ops/aggregates.py, written to the
database in batches by a thread of its own): no database, no network on the caller's path.
Each label is bounded: views by URL name, gateway calls by route template (ids replaced by
``{id}``).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import AsyncIterator, Iterable

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from . import aggregates
from .logs import GATEWAY_REQUEST_ID

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "console_http_requests", "Requests answered, by view (URL name), method and status.", ["view", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "console_http_request_duration_seconds",
    "Time from the request to its response's headers, by view (URL name).",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
GATEWAY_CALLS = Counter(
    "console_gateway_requests",
    "Calls to the gateway (each attempt), by method, route template and status (or transport failure).",
    ["method", "route", "status"],
)
GATEWAY_SECONDS = Histogram(
    "console_gateway_request_duration_seconds",
    "Time of each gateway call to its response's headers, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
CHAT_STREAMS = Gauge("console_chat_streams_open", "Chat answers being streamed now.", multiprocess_mode="livesum")
CHAT_FIRST_WORD = Histogram(
    "console_chat_first_word_seconds",
    "Time from a chat message's stream opening to the answer's first words.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
)
UPLOAD_BYTES = Counter("console_upload_bytes", "Bytes received in upload requests (knowledge files).")
UPLOADS = Counter("console_uploads", "Uploaded files, by outcome and HTTP status.", ["outcome", "status"])
IMPORTS = Counter("console_imports", "CSV import jobs ended, by outcome (done, failed).", ["outcome"])
LOGIN_LOCKOUTS = Counter("console_login_lockouts", "Log-in attempts refused by the log-in limits (429).", ["form"])
_ID_FREE = re.compile(r"^(?:[a-z][a-z_-]*|v\d+)$")


def route_template(path: str) -> str:
    """``/data-board/boards/5f0e.../items`` -> ``/data-board/boards/{id}/items``: words stay, anything else is an id."""
    path = path.split("?", 1)[0]
    return "/".join(part if not part or _ID_FREE.match(part) else "{id}" for part in path.split("/"))


# --- Hooks called by other code ----------------------------------------------------------------


def gateway_call(method: str, path: str, status: int | str, started: float, request_id: str) -> None:
    """One gateway call (called by the gateway client's log line, with its ``time.perf_counter()`` start)."""
    GATEWAY_REQUEST_ID.set(request_id)
    route = route_template(path)
    seconds = time.perf_counter() - started
    GATEWAY_CALLS.labels(method, route, str(status)).inc()
    GATEWAY_SECONDS.labels(method, route).observe(seconds)
    error = aggregates.error_class(status)
    aggregates.record("gateway", aggregates.area_of(route), f"{method} {route}", ms=seconds * 1000, error=error)


_request_series: dict[tuple[str, str, int], tuple] = {}


def request_done(view: str, method: str, status: int, seconds: float) -> None:
    """One answered request: its labelled series are looked up once per process, then only written."""
    key = (view, method, status)
    series = _request_series.get(key)
    if series is None:
        series = _request_series[key] = (REQUESTS.labels(view, method, str(status)), REQUEST_SECONDS.labels(view))
    series[0].inc()
    series[1].observe(seconds)


def login_lockout(form: str = "login") -> None:
    """A log-in (``login``) or current-password check (``password-change``) refused by the limits."""
    LOGIN_LOCKOUTS.labels(form).inc()
    aggregates.record("login", form)


def uploads_done(
    content_length: str | int | None, statuses: Iterable[tuple[bool, int]], *, seconds: float | None = None
) -> None:
    """An upload request (its ``Content-Length``), each file's (ok, HTTP status) and the request's time."""
    size = 0
    with contextlib.suppress(ValueError):
        size = max(int(content_length or 0), 0)
        UPLOAD_BYTES.inc(size)
    for ok, status in statuses:
        UPLOADS.labels("ok" if ok else "failed", str(status)).inc()
        error = "" if ok else aggregates.error_class(status) or "other"
        ms = seconds * 1000 if seconds is not None else None
        aggregates.record("upload", "knowledge", ms=ms, error=error, size=size)
        size = 0  # the request's bytes are counted once, with its first file


def import_done(*, outcome: str, rows: int, refused: int, seconds: float | None) -> None:
    """A CSV import job that ended (``done`` or ``failed``), run by the task worker."""
    IMPORTS.labels(outcome).inc()
    ms = seconds * 1000 if seconds is not None else None
    aggregates.record("import", "boards", ms=ms, error="" if outcome == "done" else "other", size=rows, extra=refused)


def chat_failure_class(text: str) -> str:
    """A failed answer's error class, read from the relay's failure sentence (it carries no type)."""
    text = text.lower()
    if "too long" in text:
        return "timeout"
    if "unavailable" in text or "could not reach" in text:
        return "5xx"
    if "early" in text or "lost" in text:
        return "network"
    return "other"


async def chat_stream_observed(
    events: AsyncIterator, *, assistant_id: str = "", assistant_name: str = "", first_word_kinds=("blocks", "tail")
) -> AsyncIterator:
    """The chat relay's events, passed on unchanged, counted as an open stream and timed to the first words.

    When the answer ends, its turn is added to the assistant's aggregates: time to the first word,
    duration, words, tool calls and outcome (done; failed with its class; stopped when the browser
    left before either).
    """
    started = time.perf_counter()
    first_word: float | None = None
    outcome, error, words, tools, tail = "stopped", "", 0, 0, ""
    CHAT_STREAMS.inc()
    try:
        async for event in events:
            kind = getattr(event, "kind", None)
            if first_word is None and kind in first_word_kinds:
                first_word = time.perf_counter() - started
                CHAT_FIRST_WORD.observe(first_word)
            if kind == "blocks":
                words, tail = words + len(event.text.split()), ""
            elif kind == "tail":
                tail = event.text
            elif kind == "tools":
                tools = max(tools, len(event.tools))
            elif kind == "failure":
                outcome, error = "failed", chat_failure_class(event.text)
            elif kind == "done" and outcome == "stopped":
                outcome = "done"
            yield event
    finally:
        CHAT_STREAMS.dec()
        aggregates.record(
            "chat",
            "chat",
            assistant_id,
            label=assistant_name,
            ms=first_word * 1000 if first_word is not None else None,
            dur_ms=(time.perf_counter() - started) * 1000,
            error=error,
            stopped=outcome == "stopped",
            size=words + len(tail.split()),
            extra=tools,
        )
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()


# --- Exposition ---------------------------------------------------------------------------------


class ImportJobsCollector(Collector):
    """CSV import jobs by state, counted in the database when scraped: jobs outlive any one process."""

    def collect(self):
        from apps.boards.import_jobs import jobs_by_status

        family = GaugeMetricFamily("console_import_jobs", "CSV import jobs in each state.", labels=["state"])
        for state, count in sorted(jobs_by_status().items()):
            family.add_metric([state], count)
        yield family


def exposition() -> bytes:
    """The Prometheus text format: every worker's values in multiprocess mode, else this process's."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)


def database_exposition() -> bytes:
    """The values read from the database when scraped (import jobs), which every host reports alike."""
    registry = CollectorRegistry()
    registry.register(ImportJobsCollector())
    return generate_latest(registry)


def worker_exited(pid: int | None = None) -> None:
    """Drop a finished worker's live gauges (open chat streams) from the shared view."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(pid or os.getpid())
