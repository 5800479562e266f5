"""Knowledge hubs in Chromium: create a folder, upload two files with progress, rename, delete a file."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support import login

pytestmark = pytest.mark.browser


def test_folder_upload_rename_and_delete_a_file(page, live_console, tmp_path):
    guide = tmp_path / "setup-guide.md"
    guide.write_text("# Setup guide\n\n" + "Plug the hub in and wait for the light.\n" * 20000)
    prices = tmp_path / "prices.csv"
    prices.write_text("plan,price\nStarter,29\nGrowth,99\n")
    name = f"Browser docs {uuid.uuid4().hex[:6]}"

    login(page, live_console, "operator")
    page.goto(f"{live_console.url}/knowledge/")
    page.locator("details.knowledge-create summary").click()
    page.fill("details.knowledge-create input[name=name]", name)
    page.get_by_role("button", name="Create folder").click()
    expect(page.get_by_test_id("folder-name")).to_have_text(name)

    # Both files start uploading as soon as they are chosen, each with its own progress bar.
    progress_seen = []
    page.on("request", lambda request: progress_seen.append(request.url) if "/upload/" in request.url else None)
    page.set_input_files("#upload-input", [str(guide), str(prices)])
    items = page.get_by_test_id("upload-item")
    expect(items).to_have_count(2)
    expect(items.locator("progress")).to_have_count(2)
    expect(items.nth(0)).to_contain_text("setup-guide.md")
    expect(items.nth(1)).to_contain_text("prices.csv")
    expect(items.nth(0).locator(".upload-status")).to_have_text("Uploaded")
    expect(items.nth(1).locator(".upload-status")).to_have_text("Uploaded")
    for index in range(2):
        expect(items.nth(index).locator("progress")).to_have_attribute("value", "100")
    assert len(progress_seen) == 2  # one request per file

    # The file table refreshes by itself.
    rows = page.get_by_test_id("file-row")
    expect(rows).to_have_count(2)
    expect(page.locator(".file-table")).to_contain_text("setup-guide.md")
    expect(page.locator(".file-table")).to_contain_text("CSV")
    expect(page.locator(".file-table")).to_contain_text("operator")

    # Rename in place.
    page.locator("#folder-title").get_by_role("link", name="Rename", exact=True).click()
    page.fill("#folder-name-input", f"{name} v2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("folder-name")).to_have_text(f"{name} v2")
    expect(page.locator(".toast")).to_contain_text("Renamed")

    # Delete one file through the confirmation dialog.
    row = rows.filter(has_text="prices.csv")
    row.get_by_role("link", name="Delete").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    expect(page.locator("#confirm-dialog-question")).to_contain_text("prices.csv")
    page.click("#confirm-dialog-ok")
    expect(rows).to_have_count(1)
    expect(page.locator(".file-table")).not_to_contain_text("prices.csv")

    # The new name is what the tree shows after a reload.
    page.reload()
    expect(page.locator(".knowledge-sidebar")).to_contain_text(f"{name} v2")
    expect(page.get_by_test_id("file-row")).to_have_count(1)


def test_refused_files_are_stopped_in_the_browser_and_dropped_files_upload(page, live_console, gw, tmp_path):
    """A type the settings refuse is reported before anything is sent; a file dropped on the page uploads."""
    org = gw.get("/platform/v1/account").json()["organization_id"]
    name = f"Refusals {uuid.uuid4().hex[:6]}"
    folder = gw.post(
        "/data-board/folders",
        json={"name": name, "organization_id": org, "parent_folder_id": "root", "source_type": "upload"},
    ).json()["data"]
    binary = tmp_path / "tool.exe"
    binary.write_bytes(b"MZ" + b"\0" * 100)
    login(page, live_console, "support")
    page.goto(f"{live_console.url}/knowledge/")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(f"{live_console.url}/knowledge/folders/{folder['id']}/")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/upload/" in request.url else None)
    page.set_input_files("#upload-input", [str(binary)])
    item = page.get_by_test_id("upload-item")
    expect(item.locator(".upload-status")).to_have_text(re.compile(r"^Failed: \.exe files are not accepted"))
    expect(item.get_by_role("button", name="Retry")).to_have_count(0)
    assert sent == []

    dropped = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["Dropped notes"], "dropped-notes.txt", { type: "text/plain" }));
            return transfer;
        }"""
    )
    page.dispatch_event("#upload-dropzone", "drop", {"dataTransfer": dropped})
    dropped_item = page.get_by_test_id("upload-item").filter(has_text="dropped-notes.txt")
    expect(dropped_item.locator(".upload-status")).to_have_text("Uploaded")
    expect(page.get_by_test_id("file-row").filter(has_text="dropped-notes.txt")).to_have_count(1)
    assert len(sent) == 1
