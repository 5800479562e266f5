"""Chat in Chromium: the answer grows while it streams, Stop ends it midway, a follow-up keeps the context."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.chat_helpers import REFUND_POLICY, SHIPPING_GUIDE, make_assistant, make_folder
from tests.support import login

pytestmark = pytest.mark.browser


@pytest.fixture
def assistant(gw) -> dict:
    """An assistant paced at 80 ms a word (the local gateway honours ``metadata.word_delay_ms``)."""
    folder_id = make_folder(gw, {"refund-policy.md": REFUND_POLICY, "shipping-guide.md": SHIPPING_GUIDE})
    return make_assistant(gw, folder_ids=[folder_id], metadata={"word_delay_ms": 80})


def upstream_closed(localgateway, conversation_id: str, *, count: int) -> dict:
    """The newest of the conversation's gateway streams, once there are ``count`` and it has closed."""
    deadline = time.monotonic() + 5
    while True:
        streams = httpx.get(
            f"{localgateway.base_url}/_local/chat/streams",
            params={"chat_id": conversation_id},
            headers=localgateway.headers,
        ).json()["streams"]
        if len(streams) == count and streams[0]["closed_at"]:
            return streams[0]
        assert time.monotonic() < deadline, f"no closed stream {count} in {streams}"
        time.sleep(0.05)


def ask(page, text: str):
    """Type a question, press Enter, and return the new answer's element."""
    answers = page.get_by_test_id("chat-assistant")
    count = answers.count()
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")
    answers.nth(count).wait_for()
    return answers.nth(count)


def wait_finished(page, turn) -> None:
    """Until the answer's stream element is gone (answered, failed or stopped)."""
    page.wait_for_function("el => !el.querySelector('.chat-stream')", arg=turn.element_handle())


def test_chat_streams_stops_and_follows_up(page, live_console, localgateway, assistant, tmp_path):
    login(page, live_console, "viewer")
    page.goto(f"{live_console.url}/assistants/{assistant['id']}/chat/")
    assert page.get_by_role("heading", name=f"Chat with {assistant['name']}").is_visible()

    first = ask(page, "Can I get a refund?")
    answer = first.get_by_test_id("chat-answer")
    handle = answer.element_handle()
    page.wait_for_function("el => el.innerText.trim().length > 0", arg=handle)
    shown = len(answer.inner_text())
    page.wait_for_function("([el, n]) => el.innerText.length > n", arg=[handle, shown])
    assert first.locator(".chat-stream").count() == 1, "the answer grew while it was still streaming"
    assert first.get_by_test_id("chat-stop").is_visible()
    assert page.get_by_test_id("chat-send").is_disabled(), "one answer at a time"
    page.screenshot(path=str(tmp_path / "chat-streaming.png"), full_page=True)
    wait_finished(page, first)
    assert "30 days" in answer.inner_text()
    assert first.get_by_test_id("chat-failure").count() == 0 and first.get_by_test_id("chat-stopped").count() == 0
    assert page.get_by_test_id("chat-send").is_enabled()
    assert answer.locator("strong", has_text="refund-policy.md").count() == 1, "the answer is rendered Markdown"
    assert first.get_by_test_id("chat-stop").count() == 0
    assert "/chat/" in page.url and page.url.rstrip("/").rsplit("/", 1)[-1] != "chat"
    conversation_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    listed = page.get_by_test_id("chat-conversations").locator("li").first.get_by_role("link")
    assert listed.inner_text() == "Can I get a refund?", "the new conversation went on top of the list"
    assert listed.get_attribute("aria-current") == "page"
    assert listed.get_attribute("href").rstrip("/").endswith(conversation_id)
    assert page.locator(".chat-conversations-none").is_hidden()

    second = ask(page, "How fast is express shipping?")
    page.wait_for_function(
        "el => el.innerText.trim().length > 0", arg=second.get_by_test_id("chat-answer").element_handle()
    )
    second.get_by_test_id("chat-stop").click()
    wait_finished(page, second)
    assert "Stopped" in second.get_by_test_id("chat-stopped").inner_text()
    assert second.get_by_test_id("chat-retry").is_visible()
    stopped = upstream_closed(localgateway, conversation_id, count=2)
    assert stopped["cancelled"] is True, "Stop closed the console's request to the gateway"
    stopped_text = second.get_by_test_id("chat-answer").inner_text()
    page.wait_for_timeout(300)
    assert second.get_by_test_id("chat-answer").inner_text() == stopped_text, "nothing arrives after Stop"

    second.get_by_test_id("chat-retry").click()
    page.get_by_test_id("chat-stopped").wait_for(state="detached")
    retried = page.get_by_test_id("chat-assistant").nth(1)
    wait_finished(page, retried)
    assert "one day" in retried.get_by_test_id("chat-answer").inner_text()

    third = ask(page, "Tell me more")
    wait_finished(page, third)
    assert "shipping-guide.md" in third.get_by_test_id("chat-answer").inner_text(), "the follow-up kept the topic"
    page.screenshot(path=str(tmp_path / "chat-light.png"), full_page=True)

    page.reload()
    assert page.get_by_test_id("chat-user").count() == 4, "the retried question was sent again"
    assert (
        "prorated" in page.get_by_test_id("chat-log").inner_text()
        or "30 days" in page.get_by_test_id("chat-log").inner_text()
    )
    assert "Stopped before the end." in page.get_by_test_id("chat-log").inner_text()
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(tmp_path / "chat-dark.png"), full_page=True)


def test_a_refused_message_is_explained_beside_the_box_and_kept(page, live_console, assistant):
    login(page, live_console, "viewer")
    page.goto(f"{live_console.url}/assistants/{assistant['id']}/chat/")
    page.get_by_test_id("chat-input").fill("   ")
    page.get_by_test_id("chat-send").click()  # only spaces: the browser sends it, the console refuses it
    error = page.locator("#chat-form-errors [role=alert]")
    error.wait_for()
    assert "Type a message first." in error.inner_text()
    assert page.get_by_test_id("chat-input").input_value() == "   ", "what was typed is kept"
    assert page.get_by_test_id("chat-user").count() == 0 and page.get_by_test_id("chat-send").is_enabled()
    first = ask(page, "Can I get a refund?")
    wait_finished(page, first)
    assert error.count() == 0, "the note goes once a message is sent"
    assert "30 days" in first.get_by_test_id("chat-answer").inner_text()
