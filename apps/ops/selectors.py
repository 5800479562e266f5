"""Reads of the console's measurement aggregates (apps/ops/aggregates.py) for the dashboard.

The last hour is read from minute rows, longer windows from hour rows, so a week of 50 route
templates is a few thousand rows whatever the traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asgiref.sync import sync_to_async
from django.db.models import Max, Sum

from .aggregates import BUCKET_BOUNDS_MS, BUCKETS, ERROR_CLASSES
from .models import Aggregate

WINDOWS = {"1h": (timedelta(hours=1), 60), "24h": (timedelta(hours=24), 3600), "7d": (timedelta(days=7), 3600)}
WINDOW_LABELS = {"1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days"}
DEFAULT_WINDOW = "24h"
SUMMED = (
    "count",
    *(f"err_{name}" for name in ERROR_CLASSES),
    "stopped",
    "total_ms",
    "dur_ms",
    "size",
    "extra",
    *BUCKETS,
)


@dataclass
class Stat:
    """Sums of some aggregate rows, with the figures read from them."""

    count: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    stopped: int = 0
    total_ms: float = 0.0
    dur_ms: float = 0.0
    size: int = 0
    extra: int = 0
    max_ms: float = 0.0
    hist: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))

    @classmethod
    def of(cls, row: dict) -> Stat:
        return cls(
            count=int(row["s_count"] or 0),
            errors={name: int(row[f"s_err_{name}"] or 0) for name in ERROR_CLASSES if row[f"s_err_{name}"]},
            stopped=int(row["s_stopped"] or 0),
            total_ms=float(row["s_total_ms"] or 0),
            dur_ms=float(row["s_dur_ms"] or 0),
            size=int(row["s_size"] or 0),
            extra=int(row["s_extra"] or 0),
            max_ms=float(row["m_max_ms"] or 0),
            hist=[int(row[f"s_{name}"] or 0) for name in BUCKETS],
        )

    def add(self, other: Stat) -> None:
        """Add another row's sums to these."""
        self.count += other.count
        for name, value in other.errors.items():
            self.errors[name] = self.errors.get(name, 0) + value
        self.stopped += other.stopped
        self.total_ms += other.total_ms
        self.dur_ms += other.dur_ms
        self.size += other.size
        self.extra += other.extra
        self.max_ms = max(self.max_ms, other.max_ms)
        self.hist = [mine + theirs for mine, theirs in zip(self.hist, other.hist, strict=True)]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def error_rate(self) -> float:
        return self.error_count / self.count if self.count else 0.0

    @property
    def error_percent(self) -> float:
        return 100 * self.error_rate

    def percentile(self, q: float) -> float | None:
        """The q-th latency percentile (ms), read from the histogram (linear within a bucket, at most the max)."""
        seen = sum(self.hist)
        if not seen:
            return None
        rank, below = q * seen, 0
        for index, inside in enumerate(self.hist):
            if inside and below + inside >= rank:
                low = BUCKET_BOUNDS_MS[index - 1] if index else 0
                high = BUCKET_BOUNDS_MS[index] if index < len(BUCKET_BOUNDS_MS) else self.max_ms
                return min(low + (high - low) * (rank - below) / inside, self.max_ms or high)
            below += inside
        return self.max_ms

    @property
    def p50(self) -> float | None:
        return self.percentile(0.5)

    @property
    def mean_ms(self) -> float | None:
        """The exact mean latency of the observations that had one (the histogram's p50 is only as fine as its
        buckets: 100 and 120 ms fall in buckets 2.5 times apart)."""
        timed = sum(self.hist)
        return self.total_ms / timed if timed else None

    @property
    def p95(self) -> float | None:
        return self.percentile(0.95)

    @property
    def mean_duration_ms(self) -> float | None:
        return self.dur_ms / self.count if self.count else None


def window_start(window: str, now: datetime | None = None) -> tuple[datetime, int]:
    """The first minute or hour of ``window`` ("1h", "24h", "7d") and the row span read for it."""
    length, span = WINDOWS[window]
    now = now or datetime.now(UTC)
    floor = now.replace(second=0, microsecond=0)
    if span == 3600:
        floor = floor.replace(minute=0)
    return floor - length + timedelta(seconds=span), span


def _sums(rows, *group: str) -> list[dict]:
    sums = {f"s_{name}": Sum(name) for name in SUMMED}
    return list(rows.values(*group).annotate(**sums, m_max_ms=Max("max_ms")).order_by(*group))


def _rows(kind: str, window: str, now: datetime | None = None):
    start, span = window_start(window, now)
    return Aggregate.objects.filter(span=span, kind=kind, start__gte=start)


@dataclass
class Series:
    """One line of a chart: the start of each minute or hour and the figures in it."""

    name: str
    starts: list[datetime] = field(default_factory=list)
    stats: list[Stat] = field(default_factory=list)


@dataclass
class GatewayHealth:
    window: str
    areas: list[tuple[str, Stat]]
    series: list[Series]
    slowest: list[tuple[str, str, Stat]]


def _gateway_health(window: str, now: datetime | None = None) -> GatewayHealth:
    rows = _rows("gateway", window, now)
    series: dict[str, Series] = {}
    totals: dict[str, Stat] = {}
    for row in _sums(rows, "area", "start"):
        line = series.setdefault(row["area"], Series(row["area"]))
        line.starts.append(row["start"])
        line.stats.append(Stat.of(row))
        totals.setdefault(row["area"], Stat()).add(line.stats[-1])
    areas = sorted(totals.items())
    routes = [(row["area"], row["key"], Stat.of(row)) for row in _sums(rows, "area", "key")]
    routes.sort(key=lambda route: -(route[2].p95 or 0))
    return GatewayHealth(window=window, areas=areas, series=list(series.values()), slowest=routes[:8])


@dataclass
class AssistantStat:
    assistant_id: str
    name: str
    stat: Stat

    @property
    def failed(self) -> int:
        return self.stat.error_count


def _assistant_stats(window: str, now: datetime | None = None) -> list[AssistantStat]:
    rows = _rows("chat", window, now)
    names = dict(rows.values_list("key", "label").exclude(label="").order_by("key", "start"))
    stats = [AssistantStat(row["key"], names.get(row["key"], ""), Stat.of(row)) for row in _sums(rows, "key")]
    stats.sort(key=lambda item: -item.stat.count)
    return stats


@dataclass
class Attention:
    """What the console's own measurements say needs someone, over the last 24 hours."""

    gateway_areas: list[tuple[str, Stat]]
    assistants_failing: list[AssistantStat]
    assistants_slower: list[tuple[AssistantStat, float]]  # with their usual (the week before) mean first word
    uploads: Stat
    imports: Stat
    lockouts: int

    @property
    def empty(self) -> bool:
        return not (
            self.gateway_areas
            or self.assistants_failing
            or self.assistants_slower
            or self.uploads.error_count
            or self.imports.error_count
            or self.lockouts
        )


SLOWER_FACTOR = 1.5  # a mean first word this many times slower than usual needs attention
SLOWER_MIN_TURNS = 5  # on at least this many turns in each period


def _one(rows) -> Stat:
    found = _sums(rows)
    return Stat.of(found[0]) if found and found[0]["s_count"] is not None else Stat()


def _attention(now: datetime | None = None) -> Attention:
    now = now or datetime.now(UTC)
    day_start, _ = window_start("24h", now)
    gateway = [(area, stat) for area, stat in _gateway_health("24h", now).areas if stat.error_count]
    assistants = _assistant_stats("24h", now)
    before = Aggregate.objects.filter(
        span=3600, kind="chat", start__gte=day_start - timedelta(days=7), start__lt=day_start
    )
    usual = {row["key"]: Stat.of(row) for row in _sums(before, "key")}
    slower = []
    for item in assistants:
        past = usual.get(item.assistant_id)
        if past is None or past.count < SLOWER_MIN_TURNS or item.stat.count < SLOWER_MIN_TURNS:
            continue
        if item.stat.mean_ms and past.mean_ms and item.stat.mean_ms > SLOWER_FACTOR * past.mean_ms:
            slower.append((item, past.mean_ms))
    lockouts = _one(_rows("login", "24h", now)).count
    return Attention(
        gateway_areas=gateway,
        assistants_failing=[item for item in assistants if item.failed],
        assistants_slower=slower,
        uploads=_one(_rows("upload", "24h", now)),
        imports=_one(_rows("import", "24h", now)),
        lockouts=lockouts,
    )


def window_or_default(value: str | None) -> str:
    return value if value in WINDOWS else DEFAULT_WINDOW


async def gateway_health_get(*, window: str) -> GatewayHealth:
    return await sync_to_async(_gateway_health)(window)


async def assistant_stat_list(*, window: str) -> list[AssistantStat]:
    return await sync_to_async(_assistant_stats)(window)


async def attention_get() -> Attention:
    return await sync_to_async(_attention)()
