"""Per-minute aggregates of the console's work, buffered in memory and added to the database in batches.

``record(...)`` (called only from apps/ops/metrics.py, beside the Prometheus series) adds one
observation to this process's buffer under a lock: no database, no I/O. ``flush()`` takes the
buffer and adds it to the ``Aggregate`` rows of its minute and its hour with ``F()`` increments
(one transaction per flush), so every worker process on every host adds to the same rows. A
daemon thread flushes every ``CONSOLE_METRICS_FLUSH_SECONDS`` (0: never; the tests flush by hand),
and the process flushes once more as it exits. ``prune()`` is run by ``manage.py prune_metrics``
on the task worker's host, never by a web worker.
"""

from __future__ import annotations

import atexit
import bisect
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

logger = logging.getLogger(__name__)

# Upper bounds (milliseconds) of the latency histogram's buckets (fields h0..h11); the last has no bound.
BUCKET_BOUNDS_MS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
BUCKETS = tuple(f"h{i}" for i in range(len(BUCKET_BOUNDS_MS) + 1))
ERROR_CLASSES = ("timeout", "4xx", "5xx", "network", "other")
SPANS = (60, 3600)
# Gateway path prefixes -> the console's area; the first match wins.
AREA_PREFIXES = (
    ("/data-board/boards", "boards"),
    ("/data-board/", "knowledge"),
    ("/ai-agent/", "chat"),
    ("/v3/ai/", "assistants"),
    ("/activepieces/", "flows"),
    ("/platform/", "platform"),
)
MAX_KEYS = 50_000  # a buffer that cannot be written (database down) keeps at most this many rows


def area_of(path: str) -> str:
    for prefix, area in AREA_PREFIXES:
        if path.startswith(prefix):
            return area
    return "other"


def error_class(status: int | str) -> str:
    """A gateway call's outcome as an error class ("" for a success): timeout, 4xx, 5xx, network."""
    if isinstance(status, int) or str(status).isdigit():
        code = int(status)
        return "" if code < 400 else "4xx" if code < 500 else "5xx"
    return "timeout" if "timeout" in str(status).lower() else "network"


@dataclass
class Sums:
    """One row's worth of additions."""

    label: str = ""
    max_ms: float = 0.0
    values: dict[str, float] = field(default_factory=dict)

    def add(self, other: Sums) -> None:
        self.label = other.label or self.label
        self.max_ms = max(self.max_ms, other.max_ms)
        for name, value in other.values.items():
            self.values[name] = self.values.get(name, 0) + value


_lock = threading.Lock()
_buffer: dict[tuple[datetime, str, str, str], Sums] = {}
_flusher: threading.Thread | None = None


def record(
    kind: str,
    area: str = "",
    key: str = "",
    *,
    ms: float | None = None,
    error: str = "",
    stopped: bool = False,
    dur_ms: float = 0.0,
    size: int = 0,
    extra: int = 0,
    label: str = "",
    at: float | None = None,
) -> None:
    """Add one observation to this minute's row of (kind, area, key). ``error`` is one of ERROR_CLASSES or ""."""
    values: dict[str, float] = {"count": 1}
    if error:
        values[f"err_{error if error in ERROR_CLASSES else 'other'}"] = 1
    if stopped:
        values["stopped"] = 1
    if ms is not None:
        values["total_ms"] = ms
        values[BUCKETS[bisect.bisect_left(BUCKET_BOUNDS_MS, ms)]] = 1
    for name, value in (("dur_ms", dur_ms), ("size", size), ("extra", extra)):
        if value:
            values[name] = value
    minute = datetime.fromtimestamp((int(at if at is not None else time.time()) // 60) * 60, tz=UTC)
    sums = Sums(label=label[:255], max_ms=ms or 0.0, values=values)
    with _lock:
        row = _buffer.get((minute, kind, area, key[:255]))
        if row is None:
            _buffer[(minute, kind, area, key[:255])] = sums
        else:
            row.add(sums)
    if _flusher is None:
        _start_flusher()


def _start_flusher() -> None:
    global _flusher
    from django.conf import settings

    seconds = float(getattr(settings, "CONSOLE_METRICS_FLUSH_SECONDS", 0) or 0)
    with _lock:
        if _flusher is not None:
            return
        _flusher = threading.Thread(target=_flush_forever, args=(seconds,), name="metrics-flush", daemon=True)
    if seconds > 0:
        _flusher.start()
        atexit.register(_flush_quietly)


def _flush_quietly() -> None:
    try:
        flush()
    except Exception:  # the process is ending: say so, without a traceback on the way out
        logger.warning("metrics: the last aggregates could not be written as the process ended")


def _flush_forever(seconds: float) -> None:
    from django.db import close_old_connections

    while True:
        time.sleep(seconds)
        close_old_connections()
        try:
            flush()
        except Exception:  # the thread must outlive a database outage; flush() kept the numbers
            logger.warning("metrics: could not write the aggregates; kept for the next try", exc_info=True)


def pending() -> int:
    with _lock:
        return len(_buffer)


def _rows(taken: dict[tuple[datetime, str, str, str], Sums]) -> dict[tuple[int, datetime, str, str, str], Sums]:
    """Each buffered minute added to its minute row and to its hour row."""
    rows: dict[tuple[int, datetime, str, str, str], Sums] = {}
    for (minute, kind, area, key), sums in taken.items():
        for span in SPANS:
            start = minute.replace(minute=0) if span == 3600 else minute
            row = rows.setdefault((span, start, kind, area, key), Sums())
            row.add(sums)
    return rows


def flush() -> int:
    """Write the buffer to the database (one transaction); returns the rows touched. Keeps it on failure."""
    with _lock:
        taken = dict(_buffer)
        _buffer.clear()
    if not taken:
        return 0
    try:
        rows = _rows(taken)
        _write(rows)
    except BaseException:
        with _lock:
            for name, sums in taken.items():
                if name in _buffer:
                    sums.add(_buffer[name])
                if len(_buffer) < MAX_KEYS or name in _buffer:
                    _buffer[name] = sums
        raise
    return len(rows)


def _write(rows: dict[tuple[int, datetime, str, str, str], Sums]) -> None:
    from django.db import IntegrityError, transaction
    from django.db.models import F, Value
    from django.db.models.functions import Greatest

    from .models import Aggregate

    with transaction.atomic():
        # The same order in every process, so two flushes never wait on each other's rows in a circle.
        for (span, start, kind, area, key), sums in sorted(rows.items(), key=lambda item: item[0]):
            where = {"span": span, "start": start, "kind": kind, "area": area, "key": key}
            changes = {name: F(name) + value for name, value in sums.values.items()}
            changes["max_ms"] = Greatest(F("max_ms"), Value(float(sums.max_ms)))
            if sums.label:
                changes["label"] = sums.label
            if Aggregate.objects.filter(**where).update(**changes):
                continue
            try:
                with transaction.atomic():
                    Aggregate.objects.create(**where, label=sums.label, max_ms=sums.max_ms, **sums.values)
            except IntegrityError:  # another process created it first: add to it
                Aggregate.objects.filter(**where).update(**changes)


def prune(*, days: int) -> int:
    """Delete aggregates whose minute or hour began more than ``days`` days ago."""
    from .models import Aggregate

    deleted, _ = Aggregate.objects.filter(start__lt=datetime.now(UTC) - timedelta(days=days)).delete()
    return deleted
