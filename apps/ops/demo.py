"""Sample aggregates, so the dashboard's charts have something to show on a fresh demo (and for the bench).

``seed_aggregates`` inserts rows straight into the ``Aggregate`` table (batched ``executemany``, no
buffer): gateway calls for ``routes`` route templates over ``days`` days as hour rows, minute rows
for the last ``minute_days`` days, a few errors and slow calls, and chat turns for two sample
assistants. It is fast enough to seed 30 days of minute rows for 50 routes (2.2 million rows).
"""

from __future__ import annotations

import bisect
import random
from datetime import UTC, datetime, timedelta

from .aggregates import BUCKET_BOUNDS_MS, BUCKETS, area_of

SAMPLE_ROUTES = (
    "GET /data-board/boards",
    "GET /data-board/boards/{id}",
    "GET /data-board/boards/{id}/items",
    "PATCH /data-board/boards/{id}/items/{id}",
    "GET /data-board/folders",
    "POST /data-board/files/upload",
    "GET /v3/ai/accounts/assistants",
    "GET /v3/ai/assistants/{id}",
    "POST /ai-agent/v2/chat",
    "GET /activepieces/v1/flows",
    "GET /activepieces/v1/flow-runs",
    "GET /platform/v1/account",
)
# Keys that are not gateway ids, so the dashboard links them to no assistant page.
SAMPLE_ASSISTANTS = (("sample helpdesk", "Helpdesk (sample numbers)"), ("sample sales", "Sales desk (sample numbers)"))
COLUMNS = (
    "span",
    "start",
    "kind",
    "area",
    "key",
    "label",
    "count",
    "err_timeout",
    "err_4xx",
    "err_5xx",
    "err_network",
    "err_other",
    "stopped",
    "total_ms",
    "max_ms",
    "dur_ms",
    "size",
    "extra",
    *BUCKETS,
)


def _routes(count: int) -> list[str]:
    routes = list(SAMPLE_ROUTES[:count])
    while len(routes) < count:
        base = SAMPLE_ROUTES[len(routes) % len(SAMPLE_ROUTES)]
        routes.append(f"{base}/sample{len(routes)}")
    return routes


def _row(rng: random.Random, span: int, start: datetime, kind: str, area: str, key: str, calls: int, **extra) -> tuple:
    """One row: calls around a typical latency for the key, most in its bucket, some in the next ones."""
    typical = (40 + 80 * (len(key) % 5)) * (0.8 + 0.4 * rng.random())
    bucket = bisect.bisect_left(BUCKET_BOUNDS_MS, typical)
    hist = [0] * len(BUCKETS)
    slower = calls // 5
    hist[bucket] = calls - slower
    hist[min(bucket + 1, len(BUCKETS) - 1)] += slower
    values = {
        "count": calls,
        "total_ms": typical * calls,
        "max_ms": typical * (2 if slower else 1),
        **extra,
    }
    fixed = (span, start, kind, area, key, values.pop("label", ""))
    counters = tuple(values.get(name, 0) for name in COLUMNS[6:18])
    return (*fixed, *counters, *hist)


def _rows(*, days: int, routes: int, minute_days: float, now: datetime, seed: int, adapt=lambda value: value):
    """The rows as tuples of COLUMNS; ``adapt`` turns each start into what the database driver takes."""
    rng = random.Random(seed)
    names = [(key, area_of(key.split(" ", 1)[1])) for key in _routes(routes)]
    hour_now = now.replace(minute=0, second=0, microsecond=0)
    for hours_ago in range(days * 24):
        start = adapt(hour_now - timedelta(hours=hours_ago))
        for index, (key, area) in enumerate(names):
            errors = {"err_5xx": 1 + (hours_ago % 3)} if (hours_ago + index) % 37 == 0 else {}
            yield _row(rng, 3600, start, "gateway", area, key, rng.randint(20, 120), **errors)
        for assistant_id, label in SAMPLE_ASSISTANTS:
            turns = rng.randint(2, 12)
            failed = {"err_timeout": 1} if hours_ago % 11 == 0 else {}
            yield _row(
                rng, 3600, start, "chat", "chat", assistant_id, turns, label=label, dur_ms=turns * 4000, **failed
            )
    minute_now = now.replace(second=0, microsecond=0)
    for minutes_ago in range(int(minute_days * 1440)):
        start = adapt(minute_now - timedelta(minutes=minutes_ago))
        for index, (key, area) in enumerate(names):
            errors = {"err_timeout": 1} if (minutes_ago + index) % 97 == 0 else {}
            yield _row(rng, 60, start, "gateway", area, key, 1 + (minutes_ago + index) % 3, **errors)


def seed_aggregates(
    *, days: int = 7, routes: int = 12, minute_days: float = 1 / 24, now: datetime | None = None, seed: int = 7
) -> int:
    """Insert the sample rows; returns how many were offered. A row for a minute and key already stored (real
    numbers, or an earlier seed) is left as it is (``ON CONFLICT DO NOTHING``: SQLite and PostgreSQL)."""
    from django.db import connection, transaction

    from .models import Aggregate

    table = connection.ops.quote_name(Aggregate._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in COLUMNS)
    values = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING"  # noqa: S608 (fixed names)
    batch: list[tuple] = []
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value
        now = now or datetime.now(UTC)
        for row in _rows(days=days, routes=routes, minute_days=minute_days, now=now, seed=seed, adapt=adapt):
            batch.append(row)
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                written, batch = written + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
    return written + len(batch)
