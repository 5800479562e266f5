"""Small, pure statistics for the bench: percentiles and a latency summary."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The ``pct`` percentile (0-100) by linear interpolation between ranks; None when empty."""
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def largest_gap(times: Sequence[float]) -> float | None:
    """The longest interval between consecutive timestamps (unsorted input is sorted)."""
    if len(times) < 2:
        return None
    ordered = sorted(times)
    return max(b - a for a, b in itertools.pairwise(ordered))


def lateness(series: Sequence[Sequence[float]], reference: Sequence[Sequence[float]]) -> list[float]:
    """How late each event of each stream came, against the best seen for that event.

    Each stream is a list of event times relative to its own first event. Event
    ``k`` of a stream is compared with the earliest event ``k`` among the
    ``reference`` streams (the direct path), so the gateway's own pacing cancels
    out and what remains is the delay added on the way. Events beyond the
    reference's length are skipped.
    """
    best: list[float] = []
    for stream in reference:
        for index, value in enumerate(stream):
            if index < len(best):
                best[index] = min(best[index], value)
            else:
                best.append(value)
    return [
        max(0.0, value - best[index]) for stream in series for index, value in enumerate(stream) if index < len(best)
    ]
