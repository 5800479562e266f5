"""Gateway data is untrusted: HTML/JS payloads in every field the console shows never run.

Checked in Chromium, twice per page: with the CSP on (no probe element may be
injected) and with the CSP bypassed (no script may have run either), so the
test proves the escaping, not only the policy.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.support import login

from .hostile import PROBE_CLASS, HostileData, create_hostile_data, pages_showing, payload

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile(localgateway) -> HostileData:
    with localgateway.client() as gw:
        return create_hostile_data(gw)


def probes_and_flag(page) -> tuple[int, object]:
    return page.locator(f".{PROBE_CLASS}").count(), page.evaluate("window.__xss")


@pytest.mark.parametrize("csp", ["on", "bypassed"])
def test_no_page_runs_or_injects_gateway_markup(browser, live_console, hostile, csp):
    context = browser.new_context(bypass_csp=csp == "bypassed")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, live_console, "admin")
        shown: set[str] = set()
        for path in pages_showing(hostile):
            response = page.goto(live_console.url + path)
            page.wait_for_load_state("networkidle")
            assert response.status < 500, f"{path} answered {response.status}: {live_console.log_text()[-3000:]}"
            assert probes_and_flag(page) == (0, None), f"gateway markup ran or was injected on {path}"
            body = page.locator("body").inner_text()
            shown.update(tag for tag in hostile.tags if re.search(rf"{tag}-{hostile.suffix}\S*<i class=", body))
        # The payloads really were on the pages, as text: the escaping, not their absence, kept them inert.
        expected = {"board", "field_name", "item_value", "folder", "file_name", "assistant_name", "flow_name"}
        assert expected <= shown, f"never shown as text: {sorted(expected - shown)}"
    finally:
        context.close()


def test_chat_text_from_both_sides_stays_inert(browser, live_console, hostile):
    """The user's message and the assistant's streamed reply (quoting a hostile passage) are shown as text."""
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        login(page, live_console, "admin")
        page.goto(live_console.url + reverse("assistants-chat", kwargs={"assistant_id": hostile.assistant_id}))
        question = "What is the harbour lantern schedule? " + hostile.text("chat_question")
        page.fill("[data-testid=chat-input]", question)
        page.click("[data-testid=chat-send]")
        # The answer has finished when its stream element is gone (the "done" event replaces it).
        page.wait_for_selector("[data-testid=chat-assistant]")
        page.wait_for_function("() => document.querySelector('#chat-log .chat-stream') === null")
        assert probes_and_flag(page) == (0, None)
        assert (
            f'chat_question-{hostile.suffix}"\'><i class="{PROBE_CLASS}">'
            in page.locator("[data-testid=chat-user]").last.inner_text()
        )
        # The reply quotes gateway data (a hostile passage or flow name): shown as text.
        answer = page.locator("[data-testid=chat-answer]").last.inner_text()
        assert re.search(rf"-{hostile.suffix}\S*<i class=", answer), answer
        page.reload()
        page.wait_for_load_state("networkidle")
        assert probes_and_flag(page) == (0, None), "the stored conversation, rendered again, ran gateway markup"
    finally:
        context.close()


def test_the_detectors_see_unescaped_markup(browser):
    """The checks above can fail: the same payload, rendered raw, is caught by both."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.set_content(f"<html><body>{payload('self-check')}</body></html>")
        page.wait_for_function("window.__xss !== undefined")
        assert probes_and_flag(page) == (1, "self-check")
    finally:
        context.close()
