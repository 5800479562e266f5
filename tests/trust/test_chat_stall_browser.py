"""The chat stall cell in Chromium: what the user sees while an answer stalls, and Stop then Retry.

(Kept apart from ``test_chat_faults.py``: Playwright's sync API cannot share a test with the
transactional database those async tests need.)
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.urls import reverse

from tests.chat_helpers import REFUND_POLICY, make_assistant, make_folder
from tests.support import login

from .faults import count

pytestmark = pytest.mark.browser

CHAT_PATH = "/ai-agent/v2/chat"


@pytest.fixture(scope="module")
def chat_assistant(localgateway) -> dict:
    with localgateway.client() as gw:
        folder = make_folder(gw, {"refund-policy.md": REFUND_POLICY})
        return make_assistant(gw, name=f"Stall chat {uuid.uuid4().hex[:6]}", folder_ids=[folder])


def test_a_stalled_answer_is_stopped_and_retried_in_the_browser(page, live_console, localgateway, chat_assistant):
    """The stall cell as the user meets it: the answer stays open, Stop says so and offers Retry."""
    localgateway.clear_faults()
    localgateway.add_fault(path=CHAT_PATH, method="POST", kind="stall", after_chunks=3)
    try:
        login(page, live_console, "viewer")
        page.goto(live_console.url + reverse("assistants-chat", kwargs={"assistant_id": chat_assistant["id"]}))
        page.fill("[data-testid=chat-input]", "What is the refund policy?")
        page.click("[data-testid=chat-send]")
        page.wait_for_selector("#chat-log .chat-stream [data-testid=chat-stop]")
        _wait_until(lambda: count(localgateway.requests_seen(), "POST", CHAT_PATH) == 1)
        page.click("[data-testid=chat-stop]")
        stopped = page.wait_for_selector("[data-testid=chat-stopped]")
        assert "Stopped." in stopped.inner_text()
        assert "What is the refund policy?" in page.locator("[data-testid=chat-user]").last.inner_text()
        assert count(localgateway.requests_seen(), "POST", CHAT_PATH) == 1
    finally:
        localgateway.clear_faults()
    page.click("[data-testid=chat-retry]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=chat-answer]')].some(e => e.innerText.includes('30 days'))"
    )
    assert count(localgateway.requests_seen(), "POST", CHAT_PATH) == 1  # the retry, once (the log was cleared)


def _wait_until(condition, attempts: int = 200) -> None:
    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the gateway never saw the chat request")
