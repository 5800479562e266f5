"""A chat answer relayed through the console is measured for its assistant (the dashboard's Assistants card)."""

from __future__ import annotations

import asyncio

import pytest

from apps.ops import aggregates
from tests.chat_helpers import make_assistant
from tests.console.assistants.test_chat_relay import open_stream, viewer_client  # noqa: F401 (fixture)


def chat_rows(assistant_id: str) -> list[aggregates.Sums]:
    with aggregates._lock:
        return [
            sums for (_, kind, _, key), sums in aggregates._buffer.items() if kind == "chat" and key == assistant_id
        ]


async def to_the_end(reader) -> list:
    """Read the answer to its end, as the browser does: the turn is measured when its stream ends."""
    events = await reader.until("done")
    while await reader.next_event() is not None:
        pass
    return events


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_answer_and_a_failed_one_are_measured(viewer_client, gw, docs_folder, gateway_faults):  # noqa: F811
    assistant = await asyncio.to_thread(make_assistant, gw, folder_ids=[docs_folder])
    _, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    await to_the_end(reader)
    await asyncio.to_thread(gateway_faults.add_fault, path="/ai-agent/v2/chat", kind="status", status=503)
    _, reader = await open_stream(viewer_client, assistant["id"], "And the shipping policy?")
    await to_the_end(reader)
    [row] = chat_rows(assistant["id"])
    assert row.label == assistant["name"]
    assert row.values["count"] == 2
    assert row.values["err_5xx"] == 1  # "unavailable": the gateway answered 503
    assert row.values["size"] > 3  # the answer's words
    assert sum(row.values.get(name, 0) for name in aggregates.BUCKETS) == 1  # one answer reached its first word
