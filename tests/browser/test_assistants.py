"""An operator creates an assistant through the form, sees it, edits it, attaches a folder, and deletes it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support import login

pytestmark = pytest.mark.browser


def test_create_view_edit_delete_an_assistant(page, live_console, localgateway):
    csp_violations: list[str] = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    name = f"Browser Bot {uuid.uuid4().hex[:6]}"
    login(page, live_console, "operator")

    page.goto(f"{live_console.url}/assistants/")
    page.get_by_test_id("assistant-new").click()
    expect(page.locator("#workflow-name-suggest")).to_be_visible()  # the form's script is ready
    page.fill("#id_name", name)
    # the workflow name follows the name until the user types their own
    expect(page.locator("#id_workflow_name")).to_have_value(re.compile(r"^browser_bot_[0-9a-f]{6}_v\d{10}$"))
    workflow_name = page.input_value("#id_workflow_name")
    page.fill("#id_description", "Made by the browser test")
    page.fill("#id_core_task", "Answer questions about parcels.")
    page.fill("#id_personality_role", "Courier desk agent")
    expect(page.locator("#id_model option").first).to_have_attribute("value", "system::Default")
    page.select_option("#id_model", "system::gpt-4o-mini")
    page.fill("#id_temperature", "0.4")
    page.get_by_test_id("assistant-save").click()

    page.wait_for_url(re.compile(r"/assistants/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("assistant-name")).to_have_text(name)
    assistant_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("#alerts")).to_contain_text("Created the assistant")
    expect(page.get_by_test_id("assistant-model")).to_contain_text("gpt-4o-mini")
    expect(page.get_by_test_id("assistant-instructions")).to_have_text("Answer questions about parcels.")
    expect(page.get_by_test_id("assistant-chat")).to_have_attribute("href", f"/assistants/{assistant_id}/chat/")
    page.screenshot(path="/tmp/assistant-detail-light.png", full_page=True)

    with localgateway.client() as gw:
        stored = gw.get(f"/v3/ai/assistants/{assistant_id}").json()
        assert stored["streaming"] is True
        assert stored["workflow_name"] == workflow_name
        folder = gw.post(
            "/data-board/folders",
            json={
                "name": f"Browser docs {uuid.uuid4().hex[:6]}",
                "organization_id": "org_imbrace_local",
                "parent_folder_id": "root",
                "source_type": "upload",
            },
        )
        folder.raise_for_status()
        folder_id = folder.json()["data"]["_id"]

    # attach a knowledge folder (the section is replaced in place)
    page.reload()
    folders = page.get_by_test_id("assistant-folders")
    folders.locator("select[name=resource_id]").select_option(folder_id)
    folders.get_by_role("button", name="Attach").click()
    expect(folders.locator(f"a[href='/knowledge/folders/{folder_id}/']")).to_be_visible()
    expect(page.locator("#toasts")).to_contain_text("Attached the knowledge folder.")

    page.get_by_test_id("assistant-edit").click()
    expect(page.locator("#id_workflow_name")).to_be_disabled()
    expect(page.locator("#id_model")).to_have_value("system::gpt-4o-mini")
    page.fill("#id_name", name + " v2")
    page.fill("#id_core_task", "Answer questions about parcels and returns.")
    page.get_by_test_id("assistant-save").click()
    expect(page.get_by_test_id("assistant-name")).to_have_text(name + " v2")
    expect(page.get_by_test_id("assistant-instructions")).to_have_text("Answer questions about parcels and returns.")
    # the folder attached before the edit is still there
    expect(
        page.get_by_test_id("assistant-folders").locator(f"a[href='/knowledge/folders/{folder_id}/']")
    ).to_be_visible()

    page.emulate_media(color_scheme="dark")
    page.screenshot(path="/tmp/assistant-detail-dark.png", full_page=True)

    page.get_by_test_id("assistant-delete").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-dialog-ok")
    page.wait_for_url(f"{live_console.url}/assistants/")
    expect(page.locator("#alerts")).to_contain_text("Deleted the assistant")
    expect(page.locator("#assistant-rows")).not_to_contain_text(name)
    with localgateway.client() as gw:
        assert gw.get(f"/v3/ai/assistants/{assistant_id}").status_code == 400
    assert csp_violations == []


def test_a_viewer_reads_but_cannot_change(page, live_console, localgateway):
    with localgateway.client() as gw:
        created = gw.post(
            "/v3/ai/assistant_apps",
            json={"name": f"Read only {uuid.uuid4().hex[:6]}", "workflow_name": f"ro_{uuid.uuid4().hex[:8]}"},
        ).json()
    login(page, live_console, "viewer")
    page.goto(f"{live_console.url}/assistants/{created['id']}/")
    expect(page.get_by_test_id("assistant-name")).to_have_text(created["name"])
    expect(page.get_by_test_id("assistant-edit")).to_have_count(0)
    expect(page.get_by_test_id("assistant-delete")).to_have_count(0)
    expect(page.get_by_test_id("assistant-chat")).to_be_visible()
