"""The bench's pure helpers: percentiles, gaps, per-event lateness, targets, the table, the event reader, turns."""

from __future__ import annotations

import pytest

from bench.cases.upload import _turns
from bench.client import sse_events
from bench.report import judge, table
from bench.stats import largest_gap, lateness, percentile


def test_percentile_interpolates_between_ranks():
    values = [10, 20, 30, 40]
    assert percentile(values, 0) == 10
    assert percentile(values, 100) == 40
    assert percentile(values, 50) == 25
    assert percentile(values, 95) == pytest.approx(38.5)


def test_percentile_ignores_input_order_and_handles_edges():
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([7], 95) == 7
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_largest_gap_between_consecutive_times():
    assert largest_gap([0.0, 0.02, 0.09, 0.1]) == pytest.approx(0.07)
    assert largest_gap([0.1, 0.0]) == pytest.approx(0.1)
    assert largest_gap([0.5]) is None


def test_lateness_is_measured_against_the_earliest_direct_event():
    direct = [[0, 20, 40], [0, 25, 41]]
    console = [[0, 23, 50, 70]]
    # Event 1 best is 20 and event 2 best is 40; the fourth console event has no reference.
    assert lateness(console, direct) == [0, 3, 10]
    assert lateness(direct, direct) == [0, 0, 0, 0, 5, 1]


def test_judge_marks_targets_met_or_missed_and_leaves_skips_undecided():
    records = [
        {"case": "board_items_page_ms_p95", "console": 35.0, "direct": 12.0, "unit": "ms", "n": 10},
        {"case": "chat_first_event_ms_p50@50", "console": 19.0, "direct": 12.0, "unit": "ms", "n": 50},
        {"case": "chat_dropped@500", "console": 0, "direct": 0, "unit": "streams", "n": 500},
        {"case": "upload_1gib_throughput_mb_s", "console": None, "direct": None, "unit": "MB/s", "n": 0},
        {"case": "board_search_ms_p95", "console": 5.0, "direct": 4.0, "unit": "ms", "n": 10},
    ]
    judge(records)
    assert records[0]["met"] is False  # 23 ms over direct; the target is 20
    assert records[1]["met"] is True  # 7 ms over direct; the target is 10
    assert records[2]["met"] is True
    assert records[3]["met"] is None
    assert "met" not in records[4]


def test_table_shows_values_verdicts_and_notes():
    records = [
        {"case": "upload_stall_ms_max", "console": 80.5, "direct": 12.0, "unit": "ms", "n": 1, "note": "1 GiB"},
        {"case": "pages_rps@50", "console": None, "direct": None, "unit": "req/s", "n": 0, "note": "skipped: x"},
    ]
    judge(records)
    lines = table(records).splitlines()
    assert lines[0].split() == ["case", "console", "direct", "unit", "n", "target", "note"]
    assert lines[2].split() == ["upload_stall_ms_max", "80.5", "12", "ms", "1", "<=", "50", "ms:", "MISSED", "1", "GiB"]
    assert lines[3].split() == ["pages_rps@50", "-", "-", "req/s", "0", "skipped:", "x"]


class _Chunks:
    """Stands in for an httpx response: only the text chunks matter to the event reader."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    async def aiter_text(self):
        for chunk in self.chunks:
            yield chunk


async def test_sse_events_joins_split_chunks_and_skips_comments():
    chunks = ['data: {"a"', ":1}\n\n: keepalive\n\nevent: delta\r\ndata: <p>x</p>\r\n\r\n", "data: [DONE]\n\n"]
    events = [text async for _, text in sse_events(_Chunks(chunks))]
    assert events == ['data: {"a":1}', "event: delta\ndata: <p>x</p>", "data: [DONE]"]


def test_upload_turns_alternate_which_path_goes_first():
    assert _turns(1) == ["console", "direct"]
    assert _turns(3) == ["console", "direct", "direct", "console", "console", "direct"]
