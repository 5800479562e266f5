"""A conversation's history is rendered off the event loop: Markdown can take seconds on hostile text, and the
loop serves every open chat answer of the worker. Against the local gateway's stored messages."""

from __future__ import annotations

import asyncio
import threading

import pytest

from apps.assistants.chat import selectors
from tests.chat_helpers import make_assistant
from tests.console.assistants.test_chat_relay import open_stream, viewer_client  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_history_is_rendered_in_a_worker_thread(viewer_client, gw, docs_folder, monkeypatch):  # noqa: F811
    assistant = await asyncio.to_thread(make_assistant, gw, folder_ids=[docs_folder])
    conversation_id, reader = await open_stream(viewer_client, assistant["id"], "What is the refund policy?")
    await reader.until("done")
    rendered_on: list[int] = []
    markdown_render = selectors.markdown_render

    def recording(text: str):
        rendered_on.append(threading.get_ident())
        return markdown_render(text)

    monkeypatch.setattr(selectors, "markdown_render", recording)
    history = await selectors.chat_message_list(conversation_id=conversation_id)
    assert [message.role for message in history] == ["user", "assistant"]
    assert "refund" in history[1].html.lower()
    assert rendered_on and threading.get_ident() not in rendered_on
