"""An operator builds a webhook flow with a Return Response, publishes it, triggers it and reads the run."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support import login

pytestmark = pytest.mark.browser


def test_build_publish_trigger_and_read_the_run(page, live_console):
    csp_violations: list[str] = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    name = f"Browser flow {uuid.uuid4().hex[:6]}"
    login(page, live_console, "operator")

    page.goto(f"{live_console.url}/flows/")
    page.get_by_test_id("flow-new").click()
    page.fill("#id_display_name", name)
    page.get_by_role("button", name="Create flow").click()
    expect(page.get_by_test_id("flow-name")).to_contain_text(name)
    expect(page.get_by_test_id("flow-trigger-empty")).to_be_visible()
    expect(page.get_by_test_id("flow-publish")).to_be_disabled()
    expect(page.locator("#publish-reason")).to_contain_text("trigger is empty")

    page.get_by_test_id("flow-make-webhook").click()
    expect(page.get_by_test_id("webhook-warning")).to_contain_text("Whoever has this URL can trigger the flow")
    expect(page.get_by_test_id("webhook-url-masked")).to_be_visible()
    expect(page.get_by_test_id("webhook-url-sync")).to_have_count(0)
    page.get_by_test_id("webhook-reveal").click()
    expect(page.get_by_test_id("webhook-url-sync")).to_contain_text("/activepieces/v1/webhooks/")
    flow_id = page.url.split("/flows/")[1].split("/")[0]

    page.get_by_test_id("flow-add-return-response").click()
    page.fill("#id_status", "201")
    page.fill("#id_headers", "X-Flow: browser")
    page.fill("#id_body", '{"greeting": "Hello {{trigger.body.name}}"}')
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("flow-step")).to_contain_text("Answers 201")

    page.get_by_test_id("flow-publish").click()
    expect(page.locator("#alerts")).to_contain_text("Published")
    expect(page.get_by_test_id("flow-status").first).to_have_text("Enabled")

    page.get_by_test_id("flow-trigger-link").click()
    editor = page.locator("[data-json-editor]")
    editor.fill('{"name": ')
    expect(page.get_by_test_id("payload-error")).to_contain_text("not valid JSON")
    expect(page.get_by_test_id("trigger-sync")).to_be_disabled()
    editor.fill('{"name": "Ada"}')
    expect(page.get_by_test_id("payload-error")).to_be_hidden()
    page.get_by_test_id("trigger-sync").click()
    result = page.get_by_test_id("trigger-result")
    expect(result).to_contain_text("Response 201")
    expect(page.get_by_test_id("trigger-response-body")).to_contain_text('"greeting": "Hello Ada"')
    expect(editor).to_have_value('{"name": "Ada"}')

    result.get_by_role("link", name="See the runs of this flow").click()
    row = page.get_by_test_id("run-row").first
    expect(row.get_by_test_id("run-status")).to_have_text("Succeeded")
    expect(row).to_contain_text(name)
    row.get_by_test_id("run-link").click()
    assert re.search(r"/flows/runs/[0-9A-Za-z]{21}/$", page.url)
    steps = page.get_by_test_id("run-step")
    expect(steps).to_have_count(2)
    steps.nth(1).locator("summary").click()
    expect(steps.nth(1).get_by_test_id("run-step-output")).to_contain_text("Hello Ada")
    expect(steps.nth(0).get_by_test_id("run-step-output")).to_be_hidden()
    steps.nth(0).locator("summary").click()
    expect(steps.nth(0).get_by_test_id("run-step-output")).to_contain_text('"name": "Ada"')
    assert flow_id in page.content()
    assert csp_violations == []


def test_async_run_refreshes_itself_until_it_finishes(page, live_console, localgateway):
    with localgateway.client() as gw:
        flow = gw.post("/activepieces/v1/flows", json={"displayName": f"Async {uuid.uuid4().hex[:6]}"}).json()
    login(page, live_console, "operator")
    page.goto(f"{live_console.url}/flows/{flow['id']}/")
    page.get_by_test_id("flow-make-webhook").click()
    page.get_by_test_id("flow-publish").click()
    expect(page.get_by_test_id("flow-status").first).to_have_text("Enabled")
    page.get_by_test_id("flow-trigger-link").click()
    expect(page.get_by_test_id("trigger-no-return-response")).to_be_visible()
    page.get_by_test_id("trigger-sync").click()
    expect(page.locator("#confirm-dialog")).to_contain_text("no Return Response step")
    page.locator("#confirm-dialog-cancel").click()
    expect(page.get_by_test_id("trigger-result")).to_have_count(0)
    page.locator("[data-json-editor]").fill('{"order": 7}')
    page.get_by_test_id("trigger-async").click()
    expect(page.get_by_test_id("trigger-result")).to_contain_text("Accepted")
    page.get_by_role("link", name="See the runs of this flow").click()
    status = page.get_by_test_id("run-status").first
    expect(status).to_have_text(re.compile("Queued|Running"))
    expect(page.get_by_test_id("runs-region")).to_have_attribute("hx-trigger", "every 2s")
    expect(status).to_have_text("Succeeded", timeout=15_000)
    expect(page.get_by_test_id("runs-region")).not_to_have_attribute("hx-trigger", "every 2s")


def _shot(page, name: str) -> None:
    """Screenshots for a person to look at, when SCREENSHOT_DIR is set."""
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


def test_a_flow_with_a_data_board_step_publishes_runs_and_reads_back(page, live_console, localgateway):
    with localgateway.client() as gw:
        board = gw.post(
            "/data-board/boards",
            json={
                "name": f"Browser leads {uuid.uuid4().hex[:6]}",
                "fields": [{"name": "Company", "type": "ShortText"}, {"name": "Email", "type": "Email"}],
            },
        ).json()["data"]
        flow = gw.post("/activepieces/v1/flows", json={"displayName": f"Board {uuid.uuid4().hex[:6]}"}).json()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, live_console, "operator")
    page.goto(f"{live_console.url}/flows/{flow['id']}/")
    page.get_by_test_id("flow-make-webhook").click()

    page.get_by_test_id("flow-add-board-item").click()
    page.fill("#id_display_name", "Save the lead")
    page.select_option("#id_board", board["id"])
    expect(page.get_by_test_id("board-fields")).to_contain_text("Company")
    page.fill("#id_mapping", "Company = company\nEmial = email")
    page.get_by_test_id("step-save").click()
    expect(page.locator("form.flow-form")).to_contain_text("the board has no field “Emial”")
    expect(page.locator("#id_mapping")).to_have_value("Company = company\nEmial = email")
    page.fill("#id_mapping", "Company = company\nEmail = email")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("flow-step")).to_contain_text("Data board: create an item on")

    page.get_by_test_id("flow-add-return-response").click()
    page.fill("#id_body", '{"item": "{{step_1.boardResponse.data.id}}"}')
    page.get_by_test_id("step-save").click()
    page.get_by_test_id("flow-publish").click()
    expect(page.get_by_test_id("flow-status").first).to_have_text("Enabled")
    page.get_by_test_id("webhook-reveal").click()
    page.locator("[data-copy='#webhook-url-sync']").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/activepieces/v1/webhooks/{flow['id']}/sync")
    _shot(page, "flow-page.png")

    page.get_by_test_id("flow-trigger-link").click()
    page.locator("[data-json-editor]").fill('{"company": "Initech", "email": "bill@initech.example"}')
    page.get_by_test_id("trigger-sync").click()
    expect(page.get_by_test_id("trigger-response-body")).to_contain_text('"item":')

    page.get_by_role("link", name="See the runs of this flow").click()
    page.get_by_test_id("run-link").first.click()
    steps = page.get_by_test_id("run-step")
    expect(steps).to_have_count(3)
    steps.nth(1).locator("summary").click()
    expect(steps.nth(1).get_by_test_id("run-step-output")).to_contain_text("Initech")
    expect(page.get_by_test_id("run-output-failed")).to_have_count(0)

    # A payload carrying a conversation_id defers the step: the run page says so instead of "Succeeded" alone.
    page.goto(f"{live_console.url}/flows/{flow['id']}/trigger/")
    page.locator("[data-json-editor]").fill('{"company": "Hooli", "conversation_id": "c-1"}')
    page.get_by_test_id("trigger-sync").click()
    expect(page.get_by_test_id("trigger-result")).to_be_visible()
    page.get_by_role("link", name="See the runs of this flow").click()
    page.get_by_test_id("run-link").first.click()
    expect(page.get_by_test_id("run-deferred")).to_contain_text("conversation_id")
    _shot(page, "run-page.png")
