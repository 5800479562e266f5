"""The measurement aggregates: buffered in memory, added to the database in batches, pruned."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from apps.ops import aggregates, metrics
from apps.ops.models import Aggregate
from apps.ops.selectors import Stat, _assistant_stats, _attention, _gateway_health

pytestmark = pytest.mark.django_db


def test_route_areas_and_error_classes():
    assert aggregates.area_of("/data-board/boards/{id}/items") == "boards"
    assert aggregates.area_of("/data-board/folders/{id}") == "knowledge"
    assert aggregates.area_of("/ai-agent/v2/chat") == "chat"
    assert aggregates.area_of("/v3/ai/accounts/assistants") == "assistants"
    assert aggregates.area_of("/activepieces/v1/flow-runs") == "flows"
    assert aggregates.area_of("/platform/v1/account") == "platform"
    assert [aggregates.error_class(s) for s in (200, 404, 503, "ReadTimeout", "ConnectError")] == [
        "",
        "4xx",
        "5xx",
        "timeout",
        "network",
    ]


def test_recording_writes_nothing_until_flushed():
    metrics.gateway_call("GET", "/data-board/boards/abc123def456/items", 200, 0.0, "r1")
    assert Aggregate.objects.count() == 0
    assert aggregates.pending() == 1
    assert aggregates.flush() == 2  # its minute row and its hour row
    assert aggregates.pending() == 0
    minute = Aggregate.objects.get(span=60)
    assert (minute.kind, minute.area, minute.key, minute.count) == (
        "gateway",
        "boards",
        "GET /data-board/boards/{id}/items",
        1,
    )
    assert Aggregate.objects.get(span=3600).count == 1


def test_two_threads_and_two_flushes_add_exact_counts():
    at = datetime(2026, 12, 7, 10, 15, 30, tzinfo=UTC).timestamp()

    def calls(status: int) -> None:
        for index in range(2000):
            aggregates.record(
                "gateway",
                "flows",
                "GET /activepieces/v1/flows",
                ms=index % 300,
                error=aggregates.error_class(status),
                at=at,
            )

    threads = [threading.Thread(target=calls, args=(status,)) for status in (200, 503)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        aggregates.flush()  # flushes while the threads record lose nothing
    for thread in threads:
        thread.join()
    aggregates.flush()
    aggregates.record("gateway", "flows", "GET /activepieces/v1/flows", ms=5000, at=at)
    aggregates.flush()  # adds to the rows already there
    minute = Aggregate.objects.get(span=60)
    hour = Aggregate.objects.get(span=3600)
    for row in (minute, hour):
        assert row.count == 4001
        assert row.err_5xx == 2000
        assert row.max_ms == 5000
        assert sum(getattr(row, name) for name in aggregates.BUCKETS) == 4001
    assert minute.start == datetime(2026, 12, 7, 10, 15, tzinfo=UTC)
    assert hour.start == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_a_row_another_process_made_meanwhile_is_added_to(monkeypatch):
    from django.db.models import QuerySet

    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC).timestamp()
    aggregates.record("login", "login", at=at)
    aggregates.flush()
    original, seen = QuerySet.update, []

    def first_finds_nothing(self, **changes):  # as if the row was made by another process just after
        seen.append(changes)
        return 0 if len(seen) == 1 else original(self, **changes)

    monkeypatch.setattr(QuerySet, "update", first_finds_nothing)
    aggregates.record("login", "login", at=at)
    aggregates.flush()  # the create meets the unique constraint, and adds to the row instead
    monkeypatch.undo()
    assert [row.count for row in Aggregate.objects.order_by("span")] == [2, 2]


def test_a_failed_flush_keeps_the_numbers(monkeypatch):
    aggregates.record("login", "login")

    def down(rows):
        raise RuntimeError("database down")

    monkeypatch.setattr(aggregates, "_write", down)
    with pytest.raises(RuntimeError):
        aggregates.flush()
    aggregates.record("login", "login")
    monkeypatch.undo()
    aggregates.flush()
    assert Aggregate.objects.get(span=60, kind="login").count == 2


def test_percentiles_from_the_histogram():
    stat = Stat(hist=[0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0], max_ms=90)  # ten calls between 50 and 100 ms
    assert 50 <= stat.p50 <= 90
    assert stat.p95 <= 90
    assert Stat().p50 is None


def test_prune_deletes_only_rows_older_than_the_retention(capsys):
    now = datetime.now(UTC)
    aggregates.record("login", "login", at=(now - timedelta(days=31)).timestamp())
    aggregates.record("login", "login", at=(now - timedelta(days=2)).timestamp())
    aggregates.flush()
    assert Aggregate.objects.count() == 4
    call_command("prune_metrics")  # CONSOLE_METRICS_RETENTION_DAYS, 30 by default
    assert "Deleted 2 aggregate row(s) older than 30 day(s)" in capsys.readouterr().out
    assert all(row.start > now - timedelta(days=3) for row in Aggregate.objects.all())


async def _turns(events):
    return [
        event async for event in metrics.chat_stream_observed(events, assistant_id="asst1", assistant_name="Helpdesk")
    ]


def test_a_chat_turn_is_measured_with_its_outcome():
    import asyncio
    from types import SimpleNamespace as Event

    async def answer(*events):
        for event in events:
            yield event

    asyncio.run(
        _turns(answer(Event(kind="begin"), Event(kind="blocks", text="Hello there, friend."), Event(kind="done")))
    )
    failing = answer(
        Event(kind="begin"),
        Event(kind="failure", text="The Imbrace gateway took too long to answer."),
        Event(kind="done"),
    )
    asyncio.run(_turns(failing))
    aggregates.flush()
    row = Aggregate.objects.get(span=60, kind="chat")
    assert (row.key, row.label, row.count, row.err_timeout, row.size) == ("asst1", "Helpdesk", 2, 1, 3)
    [item] = _assistant_stats("1h")
    assert (item.name, item.stat.count, item.failed) == ("Helpdesk", 2, 1)


def test_health_and_attention_read_the_rows():
    now = datetime.now(UTC)
    for index in range(10):
        aggregates.record("gateway", "boards", "GET /data-board/boards", ms=40 + index, at=now.timestamp())
    aggregates.record("gateway", "flows", "POST /activepieces/v1/flows", ms=900, error="5xx", at=now.timestamp())
    aggregates.record("upload", "knowledge", error="5xx", size=100, at=now.timestamp())
    aggregates.flush()
    health = _gateway_health("1h")
    assert dict((area, stat.count) for area, stat in health.areas) == {"boards": 10, "flows": 1}
    assert health.slowest[0][1] == "POST /activepieces/v1/flows"
    attention = _attention()
    assert [area for area, _ in attention.gateway_areas] == ["flows"]
    assert attention.uploads.error_count == 1
    assert not attention.empty


def test_sample_numbers_leave_stored_rows_as_they_are():
    from apps.ops.demo import seed_aggregates

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    real = Aggregate.objects.create(
        span=3600, start=now, kind="gateway", area="boards", key="GET /data-board/boards", count=3
    )
    offered = seed_aggregates(days=1, routes=2, now=now)
    stored = Aggregate.objects.count()
    assert stored == offered  # the real row, and every sample row but the one for its hour and key
    real.refresh_from_db()
    assert real.count == 3
    seed_aggregates(days=1, routes=2, now=now)  # again: nothing added, nothing raised
    assert Aggregate.objects.count() == stored


def test_an_assistant_needs_attention_when_its_first_word_is_much_slower_than_usual():
    now = datetime.now(UTC)
    earlier = (now - timedelta(days=3)).timestamp()

    def turns(key: str, count: int, ms: float, at: float) -> None:
        for _ in range(count):
            aggregates.record("chat", "chat", key, ms=ms, label=key.title(), at=at)

    turns("slower", 6, 100, earlier)
    turns("slower", 6, 400, now.timestamp())  # four times its usual
    turns("steady", 6, 100, earlier)
    turns("steady", 6, 120, now.timestamp())  # a little slower: not worth a look
    turns("rare", 3, 100, earlier)
    turns("rare", 3, 900, now.timestamp())  # too few chats to tell
    aggregates.flush()
    slower = _attention(now).assistants_slower
    assert [item.assistant_id for item, _ in slower] == ["slower"]
    item, usual = slower[0]
    assert (item.stat.mean_ms, usual) == (400, 100)
