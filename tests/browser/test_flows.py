"""An operator builds a webhook flow with a Return Response, publishes it, triggers it and reads the run."""

from __future__ import annotations

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
