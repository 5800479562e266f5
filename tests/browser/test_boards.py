"""A support day on a board, in Chromium against the live console and the local gateway."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import login

pytestmark = pytest.mark.browser


def test_board_from_creation_to_csv(page, live_console):
    name = f"Browser board {os.urandom(3).hex()}"
    login(page, live_console, "admin")

    page.goto(f"{live_console.url}/boards/new/")
    page.fill("#id_name", name)
    expect(page.locator("#id_identifier")).to_have_value("Name")
    page.click("button:has-text('Create board')")
    expect(page.locator("h1")).to_have_text(f"Fields of {name}")

    page.click("[data-testid=add-field]")
    page.fill("#id_name", "Stage")
    page.select_option("#id_type", "SingleSelection")
    expect(page.locator("#id_options")).to_be_visible()
    page.fill("#id_options", "Lead\nWon")
    page.click("button[type=submit]:has-text('Add field')")
    expect(page.locator(".fields-table")).to_contain_text("Stage")
    expect(page.locator(".fields-table")).to_contain_text("Won")

    page.click("text=Back to items")
    expect(page.locator("[data-testid=no-items]")).to_be_visible()
    page.click("[data-testid=add-item]")
    page.get_by_label("Name").fill("Acme Corp")
    page.get_by_label("Stage").select_option("Won")
    page.click("button:has-text('Add and add another')")
    expect(page.locator("#alerts")).to_contain_text("Acme Corp")
    page.get_by_label("Name").fill("Globex")
    page.click("button[type=submit]:has-text('Add item')")
    expect(page.locator("[data-testid=items-total]")).to_contain_text("2 items")
    rows = page.locator("#items-table tbody tr")
    expect(rows).to_have_count(2)

    # Inline edit: click the cell, type, Enter; the row updates in place.
    globex_row = page.locator("#items-table tbody tr", has_text="Globex").get_attribute("id")
    globex_cell = page.locator(f"#{globex_row} td.cell-editable").first
    globex_cell.click()
    editor = globex_cell.locator(".cell-editor input[type=text]")
    expect(editor).to_be_focused()
    editor.fill("Globex Ltd")
    editor.press("Enter")
    expect(page.locator("#items-table")).to_contain_text("Globex Ltd")
    expect(page.locator(".cell-editor")).to_have_count(0)

    # Escape cancels without saving.
    acme_row = page.locator("#items-table tbody tr", has_text="Acme Corp").get_attribute("id")
    acme_stage = page.locator(f"#{acme_row} td.cell-editable").nth(1)
    acme_stage.click()
    acme_stage.locator("select").select_option("Lead")
    acme_stage.locator("select").press("Escape")
    expect(acme_stage).to_have_text("Won")

    # Search as you type, with the total.
    page.fill("#item-search", "globex")
    expect(page.locator("[data-testid=items-total]")).to_contain_text("1 match for “globex”")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=globex"))
    page.fill("#item-search", "nothing like this")
    expect(page.locator("[data-testid=no-results]")).to_be_visible()
    page.fill("#item-search", "")
    expect(rows).to_have_count(2)

    # Delete one item, confirmed in the page's dialog.
    page.get_by_label("Delete Acme Corp").click()
    expect(page.locator("#confirm-dialog-question")).to_have_text("Delete “Acme Corp”?")
    page.click("#confirm-dialog-ok")
    expect(rows).to_have_count(1)
    expect(page.locator("#items-table")).not_to_contain_text("Acme Corp")
    expect(page.locator("[data-testid=items-total]")).to_contain_text("1 item")

    # Download the CSV.
    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    download = download_info.value
    assert download.suggested_filename.startswith(name)
    assert download.suggested_filename.endswith("_for-all_by-creation.csv")
    content = Path(download.path()).read_text(encoding="utf-8")
    lines = content.split("\n")
    assert lines[0] == '"Name","Stage","Record Created On","Lasted Updated On"'
    assert lines[1].startswith('"Globex Ltd",""')
    assert len(lines) == 2


def test_keyboard_and_bulk_delete(page, live_console):
    login(page, live_console, "support")
    board = _board_with_items(live_console, ["Alpha", "Bravo", "Charlie"])
    page.goto(f"{live_console.url}/boards/{board}/")
    rows = page.locator("#items-table tbody tr")
    expect(rows).to_have_count(3)

    page.keyboard.press("?")
    expect(page.locator("#board-shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#board-shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("is-current"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("is-current"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("is-current"))
    page.keyboard.press("e")
    editor = rows.nth(0).locator(".cell-editor input[type=text]")
    expect(editor).to_be_focused()
    # A refused value comes back into the same cell, with the reason and what was typed.
    editor.fill("Bravo")
    editor.press("Enter")
    first_cell = rows.nth(0).locator("td.cell-editable").first
    expect(first_cell.locator(".field-error")).to_contain_text("already exists")
    expect(first_cell.locator(".cell-editor input[type=text]")).to_have_value("Bravo")
    expect(page.locator(".cell-editor")).to_have_count(1)
    first_cell.locator(".cell-editor input[type=text]").press("Escape")
    expect(page.locator(".cell-editor")).to_have_count(0)
    expect(first_cell).to_have_text("Charlie")  # newest first

    page.keyboard.press("/")
    expect(page.locator("#item-search")).to_be_focused()
    page.keyboard.press("Escape")

    rows.nth(0).locator("input[name=ids]").check()
    rows.nth(1).locator("input[name=ids]").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    page.click("[data-bulk-delete]")
    expect(page.locator("#confirm-dialog-question")).to_contain_text("Delete 2 selected items?")
    page.click("#confirm-dialog-ok")
    expect(rows).to_have_count(1)
    expect(page.locator("[data-testid=items-total]")).to_contain_text("1 item")


def _board_with_items(live_console, names: list[str]) -> str:
    import httpx

    headers = {"x-api-key": live_console.env["IMBRACE_API_KEY"]}
    base = live_console.env["IMBRACE_BASE_URL"] + "/data-board"
    fields = [{"name": "Name", "type": "ShortText", "isUniqueIdentifier": True}]
    board = httpx.post(
        f"{base}/boards", json={"name": f"Keys {os.urandom(3).hex()}", "fields": fields}, headers=headers
    )
    data = board.json()["data"]
    for item in names:
        httpx.post(
            f"{base}/boards/{data['id']}/items", json={"fields": {data["fields"][0]["id"]: item}}, headers=headers
        ).raise_for_status()
    return data["id"]
