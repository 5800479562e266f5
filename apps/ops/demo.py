"""Sample aggregates, so the dashboard's charts have something to show on a fresh demo (and for the bench).

``seed_aggregates`` writes rows straight into ``Aggregate`` (bulk inserts, no buffer): gateway calls
for ``routes`` route templates over ``days`` days as hour rows, minute rows for the last
``minute_days`` days, a few errors and slow calls, and chat turns for two sample assistants.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
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


def _routes(count: int) -> list[str]:
    routes = list(SAMPLE_ROUTES[:count])
    while len(routes) < count:
        base = SAMPLE_ROUTES[len(routes) % len(SAMPLE_ROUTES)]
        routes.append(f"{base}/sample{len(routes)}")
    return routes


def _row(rng: random.Random, span: int, start: datetime, kind: str, area: str, key: str, calls: int, **extra):
    from .models import Aggregate

    typical = 40 + 80 * (len(key) % 5)
    spread = [max(1.0, rng.gauss(typical, typical / 3)) for _ in range(min(calls, 12))]
    hist = dict.fromkeys(BUCKETS, 0)
    for index in range(calls):
        value = spread[index % len(spread)]
        hist[BUCKETS[sum(1 for bound in BUCKET_BOUNDS_MS if value > bound)]] += 1
    return Aggregate(
        span=span,
        start=start,
        kind=kind,
        area=area,
        key=key,
        count=calls,
        total_ms=sum(spread) / len(spread) * calls,
        max_ms=max(spread),
        **hist,
        **extra,
    )


def _rows(*, days: int, routes: int, minute_days: float, now: datetime, seed: int) -> Iterator:
    rng = random.Random(seed)
    names = _routes(routes)
    hour_now = now.replace(minute=0, second=0, microsecond=0)
    for hours_ago in range(days * 24):
        start = hour_now - timedelta(hours=hours_ago)
        for index, key in enumerate(names):
            calls = rng.randint(20, 120)
            errors = {"err_5xx": rng.randint(1, 4)} if (hours_ago + index) % 37 == 0 else {}
            yield _row(rng, 3600, start, "gateway", area_of(key.split(" ", 1)[1]), key, calls, **errors)
        for assistant_id, label in SAMPLE_ASSISTANTS:
            turns = rng.randint(2, 12)
            failed = {"err_timeout": 1} if hours_ago % 11 == 0 else {}
            yield _row(
                rng, 3600, start, "chat", "chat", assistant_id, turns, label=label, dur_ms=turns * 4000, **failed
            )
    minute_now = now.replace(second=0, microsecond=0)
    for minutes_ago in range(int(minute_days * 1440)):
        start = minute_now - timedelta(minutes=minutes_ago)
        for index, key in enumerate(names):
            errors = {"err_timeout": 1} if (minutes_ago + index) % 97 == 0 else {}
            yield _row(rng, 60, start, "gateway", area_of(key.split(" ", 1)[1]), key, rng.randint(1, 3), **errors)


def seed_aggregates(
    *, days: int = 7, routes: int = 12, minute_days: float = 1 / 24, now: datetime | None = None, seed: int = 7
) -> int:
    """Insert the sample rows (on top of any there); returns how many."""
    from .models import Aggregate

    batch, written = [], 0
    for row in _rows(days=days, routes=routes, minute_days=minute_days, now=now or datetime.now(UTC), seed=seed):
        batch.append(row)
        if len(batch) >= 5000:
            Aggregate.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    Aggregate.objects.bulk_create(batch)
    return written + len(batch)
