"""The relay renders the answer's Markdown as it streams: the local gateway's answers, read as the page reads them.

The answer's Markdown comes from a flow that echoes the question (``{{trigger.body.query}}``):
the local gateway then answers "I ran the **flow** flow. It returned:" and the question, word by word.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from apps.assistants.markdown import ALLOWED_TAGS, markdown_render
from tests.chat_helpers import make_assistant, make_flow

from .test_chat_relay import open_stream, viewer_client  # noqa: F401 - a fixture
from .test_chat_streaming import Markup

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RICH = (
    "Some **bold** words.\n\n"
    "- first item\n- second **item**\n  - nested\n\n"
    "| Plan | Price |\n|---|---|\n| Basic | 10 |\n| Pro | 20 |\n\n"
    "```python\nprint('hi')\nx = 1\n```\n\n"
    "The end."
)


@pytest.fixture
def echo(gw, docs_folder):
    """An assistant with a flow that returns the question: (assistant, the words that make it call the flow)."""
    name = f"Echo {uuid.uuid4().hex[:6]}"
    flow_id = make_flow(gw, name=name, description="Echo the question back", response_body="{{trigger.body.query}}")
    assistant = make_assistant(gw, folder_ids=[docs_folder], flow_ids=[flow_id], metadata={"word_delay_ms": 2})
    return assistant, f"{name}:\n\n", name


async def answer_of(client, assistant_id: str, question: str) -> list[tuple[str, str]]:
    _, reader = await open_stream(client, assistant_id, question)
    return await reader.until("done")


async def test_the_answer_streams_rendered_and_each_finished_block_once(viewer_client, echo):  # noqa: F811
    assistant, ask, name = echo
    events = await answer_of(viewer_client, assistant["id"], ask + RICH)
    names = [event for event, _ in events]
    assert names[-1] == "done" and "failure" not in names, events
    expected = markdown_render(f"I ran the **{name}** flow. It returned:\n\n{ask}{RICH}")
    blocks = [data for event, data in events if event == "block"]
    assert "".join(blocks) == expected, "the finished blocks add up to the answer, each sent once"
    assert len(blocks) >= 5, "blocks are sent as they finish"
    deltas = [data for event, data in events if event == "delta"]
    assert any("<strong>bold</strong>" in data for data in deltas), "a paragraph is rendered while it is written"
    assert any("<li>second <strong>item</strong>" in data for data in deltas), "so is a list"
    assert any("<th>Plan</th>" in data for data in deltas), "and a table"
    assert any('<pre><code class="language-python">print' in data and "x = 1" not in data for data in deltas), (
        "and a code fence still open"
    )
    assert not any("**" in data for data in deltas + blocks), "no Markdown marker shows raw"
    assert deltas[-1] == "", "the open block is emptied once it is sent as a block"
    assert sum(map(len, deltas)) < 20 * len(expected), "only the open block is sent again"


async def test_the_streamed_answer_never_carries_markup_from_the_gateway(viewer_client, echo):  # noqa: F811
    assistant, ask, _ = echo
    hostile = (
        "Raw <script>alert('x')</script> and <img src=x onerror=alert(1)>\n\n"
        "A [link](javascript:alert(1)) and **<b onclick=alert(1)>bold</b>**\n\n"
        "```html\n<script>alert('fenced')</script>\n<iframe src=//evil></iframe>"  # never closed
    )
    events = await answer_of(viewer_client, assistant["id"], ask + hostile)
    html = [data for event, data in events if event in ("block", "delta", "more")]
    assert "&lt;script&gt;alert(&#x27;fenced&#x27;)" in "".join(html) or "&lt;script&gt;" in "".join(html)
    for data in html:
        markup = Markup()
        markup.feed(data)
        assert markup.tags <= ALLOWED_TAGS, data
        assert not [attr for attr, _ in markup.attrs if attr.startswith("on")], data
        assert not [value for attr, value in markup.attrs if attr == "href" and "javascript" in value.lower()], data


async def test_an_answer_cut_mid_way_stays_rendered(viewer_client, echo, gateway_faults):  # noqa: F811
    assistant, ask, _ = echo
    await asyncio.to_thread(gateway_faults.add_fault, path="/ai-agent/v2/chat", kind="drop", after_chunks=30)
    events = await answer_of(viewer_client, assistant["id"], ask + RICH)
    names = [event for event, _ in events]
    assert "failure" in names, events
    blocks = "".join(data for event, data in events if event == "block")
    assert "<strong>" in blocks and "**" not in blocks, "the answer so far is sent rendered, as blocks"
    assert [data for event, data in events if event == "delta"][-1] == ""
