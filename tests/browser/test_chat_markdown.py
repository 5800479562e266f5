"""Chat in Chromium: the answer's Markdown is rendered while it streams, and stays rendered when stopped."""

from __future__ import annotations

import uuid

import pytest

from tests.chat_helpers import make_assistant, make_flow
from tests.support import login

from .test_chat import ask, wait_finished

pytestmark = pytest.mark.browser

CODE = "".join(f"step_{n} = run({n})\n" for n in range(60))  # a long fence, still open in the screenshot
ANSWER = (
    "Here is **the plan** for *this week*.\n\n"
    "- Check the **orders**\n- Send the invoices\n  - to new customers\n\n"
    "| Plan | Price |\n|---|---|\n| Basic | 10 |\n| Pro | 20 |\n\n"
    "```python\n" + CODE
)


@pytest.fixture
def echo(gw, docs_folder) -> tuple[dict, str]:
    """An assistant paced at 60 ms a word whose flow returns the question: its answer is the question's Markdown."""
    name = f"Echo {uuid.uuid4().hex[:6]}"
    flow_id = make_flow(gw, name=name, description="Echo the question back", response_body="{{trigger.body.query}}")
    assistant = make_assistant(gw, folder_ids=[docs_folder], flow_ids=[flow_id], metadata={"word_delay_ms": 60})
    return assistant, f"{name}:\n\n"


def test_markdown_is_rendered_while_the_answer_streams(page, live_console, echo, tmp_path):
    assistant, prefix = echo
    login(page, live_console, "viewer")
    page.goto(f"{live_console.url}/assistants/{assistant['id']}/chat/")
    turn = ask(page, prefix + ANSWER)
    answer = turn.get_by_test_id("chat-answer")
    answer.locator(".chat-tail pre code").wait_for()  # the fence is open: the answer is mid-stream
    assert turn.locator(".chat-stream").count() == 1, "still streaming"
    assert answer.locator("strong", has_text="the plan").count() == 1
    assert answer.locator("li li", has_text="to new customers").count() == 1, "a nested list"
    assert answer.locator("table th", has_text="Price").count() == 1
    assert answer.locator("table td", has_text="20").count() == 1
    text = answer.inner_text()
    assert "**" not in text and "|---" not in text and "```" not in text, "no Markdown marker shows raw"
    page.screenshot(path=str(tmp_path / "chat-markdown-streaming.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(tmp_path / "chat-markdown-streaming-dark.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    assert turn.locator(".chat-stream").count() == 1, "the screenshots are of the answer mid-stream"

    lines = answer.locator(".chat-tail pre code").inner_text().count("\n")
    page.wait_for_function(  # the open block is replaced as it grows: looked up afresh each time
        "([el, n]) => el.querySelector('.chat-tail pre code').innerText.split('\\n').length > n + 2",
        arg=[answer.element_handle(), lines],
    )
    assert answer.locator(".chat-tail pre").count() == 1, "the open fence grows in place, not as a second block"

    turn.get_by_test_id("chat-stop").click()
    wait_finished(page, turn)
    assert answer.locator("table th", has_text="Price").count() == 1, "a stopped answer stays rendered"
    assert answer.locator("pre code").count() == 1 and "**" not in answer.inner_text()

    page.reload()
    kept = page.get_by_test_id("chat-assistant").last.locator(".chat-answer")
    assert kept.locator("table th", has_text="Price").count() == 1, "and so after a reload"
    assert kept.locator("pre code").count() == 1 and "**" not in kept.inner_text()
