"""Board views through Django's test client (plain and HTMX), against the local gateway."""

from __future__ import annotations

import re

import pytest

from apps.audit.models import AuditEvent

from .conftest import add_item, ids, unique
from .imports_support import queued_tasks, run_worker, upload

HTMX = {"HX-Request": "true"}


def htmx(target: str) -> dict:
    return {"HX-Request": "true", "HX-Target": target}


def text(response) -> str:
    return response.content.decode()


# --- boards ---------------------------------------------------------------------------------


def test_board_list_shows_boards_and_filters_by_name(console_client, board):
    page = console_client.get("/boards/")
    assert page.status_code == 200
    assert board["name"] in text(page)
    assert "New board" in text(page)
    partial = console_client.get("/boards/", {"q": board["name"]}, headers=htmx("boards"))
    assert partial.status_code == 200
    assert "<html" not in text(partial) and board["name"] in text(partial)
    assert partial.headers["Vary"].count("HX-Request") == 1
    empty = console_client.get("/boards/", {"q": "no board is called this"})
    assert "No board name matches" in text(empty)


def test_viewer_sees_boards_but_cannot_create(console_client, board):
    viewer = console_client.as_role("Viewer")
    assert board["name"] in text(viewer.get("/boards/"))
    assert "New board" not in text(viewer.get("/boards/"))
    assert viewer.get("/boards/new/").status_code == 403
    assert viewer.post("/boards/new/", {"name": "x"}).status_code == 403


def test_create_board_with_identifier_then_rename_and_delete(console_client, gw):
    name = unique("Pipeline")
    created = console_client.post("/boards/new/", {"name": name, "description": "Deals", "identifier": "Company"})
    assert created.status_code == 302
    board_id = created.url.split("/")[2]
    board = gw.get(f"/data-board/boards/{board_id}").json()["data"]
    assert board["fields"][0]["name"] == "Company" and board["fields"][0]["isIdentifier"] is True

    invalid = console_client.post(f"/boards/{board_id}/edit/", {"name": "", "description": "kept text"})
    assert invalid.status_code == 422
    assert "kept text" in text(invalid) and "This field is required" in text(invalid)
    assert console_client.post(f"/boards/{board_id}/edit/", {"name": "Renamed", "description": ""}).status_code == 302
    assert gw.get(f"/data-board/boards/{board_id}").json()["data"]["name"] == "Renamed"

    add_item(gw, board, Company="Acme")
    add_item(gw, board, Company="Beta")
    confirm = console_client.get(f"/boards/{board_id}/delete/")
    assert "2 items" in text(confirm)
    assert console_client.post(f"/boards/{board_id}/delete/").status_code == 302
    assert gw.get(f"/data-board/boards/{board_id}").status_code == 404
    assert AuditEvent.objects.filter(action="board.delete", target_id=board_id, outcome="success").exists()


def test_create_board_refused_by_the_gateway_keeps_the_input(console_client):
    response = console_client.post("/boards/new/", {"name": "   ", "description": "typed", "identifier": "Name"})
    assert response.status_code == 422
    assert "typed" in text(response)


# --- the items table ------------------------------------------------------------------------


def test_detail_renders_values_by_type(console_client, gw, board):
    add_item(
        gw,
        board,
        Name="Acme <b>Corp</b>",
        Stage="Won",
        Amount=48000,
        Email="jane@acme.example",
        Close_date="2026-05-01",
        Won=True,
        Website="https://acme.example",
        Rating=4,
    )
    add_item(gw, board, Name="Sneaky", Website="javascript:alert(1)")
    page = text(console_client.get(f"/boards/{board['id']}/"))
    assert "Acme &lt;b&gt;Corp&lt;/b&gt;" in page
    assert '<span class="chip">Won</span>' in page
    assert "48,000" in page
    assert 'href="mailto:jane@acme.example"' in page
    assert "2026-05-01" in page
    assert "&#10003; Yes" in page  # ✓, as an entity
    assert 'href="https://acme.example"' in page and 'rel="noopener noreferrer"' in page
    assert 'href="javascript:' not in page
    assert "&#9733;" * 4 + "&#9734;" in page  # ★★★★☆
    assert "2 items" in page


def test_detail_pages_sorts_and_keeps_state_in_links(console_client, gw, board):
    for index in range(30):
        add_item(gw, board, Name=f"Row {index:02d}", Amount=index)
    first = text(console_client.get(f"/boards/{board['id']}/", {"size": 25}))
    assert first.count('class="item-row"') == 25
    assert "Page 1 of 2" in first
    assert "page=2&amp;size=25" in first
    second = console_client.get(f"/boards/{board['id']}/", {"size": 25, "page": 2}, headers=htmx("items-region"))
    assert "<html" not in text(second)
    assert text(second).count('class="item-row"') == 5
    amount = ids(board)["Amount"]
    ascending = text(console_client.get(f"/boards/{board['id']}/", {"sort": f"fields.{amount}", "size": 25}))
    assert ascending.index("Row 00") < ascending.index("Row 01")
    assert f"sort=-fields.{amount}" in ascending, "the sorted column's link reverses the order"
    assert 'aria-sort="ascending"' in ascending


def test_search_partial_shows_total_and_no_result_state(console_client, gw, board):
    add_item(gw, board, Name="Acme Shipping")
    add_item(gw, board, Name="Acme Foods")
    add_item(gw, board, Name="Globex")
    found = text(console_client.get(f"/boards/{board['id']}/", {"q": "acme"}, headers=htmx("items-region")))
    assert "2 matches for &ldquo;acme&rdquo;" in found
    assert "Globex" not in found
    none = text(console_client.get(f"/boards/{board['id']}/", {"q": "nothing here"}, headers=htmx("items-region")))
    assert 'data-testid="no-results"' in none
    empty_board = gw.post("/data-board/boards", json={"name": unique("Empty")}).json()["data"]
    assert 'data-testid="no-items"' in text(console_client.get(f"/boards/{empty_board['id']}/"))


def test_column_headers_escape_field_names_and_carry_the_field_for_the_cell_editor(console_client, gw):
    fields = [
        {"name": "Title", "type": "ShortText", "isUniqueIdentifier": True},
        {"name": "<i>Odd</i> & co", "type": "Number"},
    ]
    board = gw.post("/data-board/boards", json={"name": unique("Headers"), "fields": fields}).json()["data"]
    add_item(gw, board, Title="One")
    title, odd = (field["id"] for field in board["fields"])
    page = text(console_client.get(f"/boards/{board['id']}/"))
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "&lt;i&gt;Odd&lt;/i&gt; &amp; co" in header and "<i>Odd</i>" not in header
    assert f'class="type-number" data-field="{odd}"' in header
    assert f'data-field="{title}"' in header and 'title="Identifier">id</span>' in header
    assert f'href="/boards/{board["id"]}/?sort=fields.{odd}"' in header


def test_viewer_reads_the_table_without_edit_controls(console_client, gw, board):
    add_item(gw, board, Name="Readable")
    viewer = console_client.as_role("Viewer")
    page = text(viewer.get(f"/boards/{board['id']}/"))
    assert "Readable" in page
    assert "cell-editable" not in page and "Add item" not in page and "bulk-form" not in page
    item = gw.get(f"/data-board/boards/{board['id']}/items").json()["data"][0]
    assert viewer.get(f"/boards/{board['id']}/items/{item['id']}/edit/").status_code == 403
    assert viewer.get(f"/boards/{board['id']}/export.csv").status_code == 403


# --- items ----------------------------------------------------------------------------------


def test_create_item_form_validates_and_keeps_input(console_client, gw, board):
    support = console_client.as_role("Support")
    form = text(support.get(f"/boards/{board['id']}/items/new/"))
    assert 'type="date"' in form and 'type="email"' in form and 'type="checkbox"' in form
    assert '<option value="Won">Won</option>' in form
    key = {name: f"f_{field_id}" for name, field_id in ids(board).items()}
    bad = support.post(
        f"/boards/{board['id']}/items/new/",
        {key["Name"]: "", key["Email"]: "not-an-email", key["Amount"]: "12", key["Website"]: "example.com"},
    )
    assert bad.status_code == 422
    page = text(bad)
    assert "This field is required." in page and "Enter a valid email address." in page
    assert 'value="not-an-email"' in page and 'value="12"' in page
    good = support.post(
        f"/boards/{board['id']}/items/new/",
        {
            key["Name"]: "Initech",
            key["Stage"]: "Qualified",
            key["Amount"]: "72500.50",
            key["Close date"]: "2026-06-30",
            key["Won"]: "on",
            key["Website"]: "initech.example",
            key["Rating"]: "3",
        },
    )
    assert good.status_code == 302
    item = gw.get(f"/data-board/boards/{board['id']}/items").json()["data"][0]
    values = {name: item["fields"].get(field_id) for name, field_id in ids(board).items()}
    assert values["Name"] == "Initech" and values["Stage"] == "Qualified"
    assert values["Amount"] == 72500.5 and values["Won"] is True and values["Rating"] == 3
    assert values["Close date"] == "2026-06-30T00:00:00.000Z"
    assert values["Website"] == "https://initech.example"


def test_create_item_gateway_conflict_is_shown_beside_the_field(console_client, gw, board):
    add_item(gw, board, Name="Acme")
    support = console_client.as_role("Support")
    response = support.post(f"/boards/{board['id']}/items/new/", {f"f_{ids(board)['Name']}": "Acme"})
    assert response.status_code == 422
    page = text(response)
    assert "Value &#x27;Acme&#x27; already exists for unique field &#x27;Name&#x27;" in page
    assert 'value="Acme"' in page


def test_inline_edit_saves_and_answers_with_the_row(console_client, gw, board):
    item = add_item(gw, board, Name="Acme", Amount=1)
    amount = ids(board)["Amount"]
    url = f"/boards/{board['id']}/items/{item['id']}/cells/{amount}/edit/"
    support = console_client.as_role("Support")
    editor = support.get(url, headers=HTMX)  # htmx.ajax into the cell, which has no id
    assert 'class="cell-editor"' in text(editor) and 'value="1"' in text(editor)
    saved = support.post(url, {f"f_{amount}": "2500"}, headers=HTMX)
    assert saved.status_code == 200
    row = text(saved)
    assert row.strip().startswith(f'<tr id="item-{item["id"]}"') and "2,500" in row
    assert "Saved Amount" in saved.headers["HX-Trigger"]
    assert gw.get(f"/data-board/boards/{board['id']}/items/{item['id']}").json()["data"]["fields"][amount] == 2500
    change = AuditEvent.objects.get(action="item.update", target_id=item["id"])
    assert change.changes["old"] == {amount: 1} and change.changes["new"] == {amount: 2500}


def test_inline_edit_failure_keeps_the_typed_value_and_says_why(console_client, gw, board):
    add_item(gw, board, Name="Taken")
    item = add_item(gw, board, Name="Mine")
    name = ids(board)["Name"]
    url = f"/boards/{board['id']}/items/{item['id']}/cells/{name}/edit/"
    support = console_client.as_role("Support")
    refused = support.post(url, {f"f_{name}": "Taken"}, headers=HTMX)
    assert refused.status_code == 422
    # Back into the cell whose editor posted (the row is the form's target only on success).
    assert refused.headers["HX-Retarget"] == "closest td" and refused.headers["HX-Reswap"] == "innerHTML"
    assert 'value="Taken"' in text(refused) and "already exists" in text(refused)
    invalid = support.post(
        f"/boards/{board['id']}/items/{item['id']}/cells/{ids(board)['Email']}/edit/",
        {f"f_{ids(board)['Email']}": "nope"},
        headers=HTMX,
    )
    assert invalid.status_code == 422 and "Enter a valid email address." in text(invalid)
    assert 'value="nope"' in text(invalid)


def test_cell_show_renders_one_value(console_client, gw, board):
    item = add_item(gw, board, Name="Acme", Stage="Lead")
    response = console_client.get(
        f"/boards/{board['id']}/items/{item['id']}/cells/{ids(board)['Stage']}/", headers=HTMX
    )
    assert text(response).strip() == '<span class="chip">Lead</span>'


def test_full_item_edit_sends_only_changed_values(console_client, gw, board):
    item = add_item(gw, board, Name="Acme", Amount=5, Email="a@b.co")
    key = {name: f"f_{field_id}" for name, field_id in ids(board).items()}
    support = console_client.as_role("Support")
    form = text(support.get(f"/boards/{board['id']}/items/{item['id']}/edit/"))
    assert 'value="a@b.co"' in form
    response = support.post(
        f"/boards/{board['id']}/items/{item['id']}/edit/",
        {key["Name"]: "Acme", key["Amount"]: "6", key["Email"]: "a@b.co"},
    )
    assert response.status_code == 302
    change = AuditEvent.objects.get(action="item.update", target_id=item["id"])
    assert list(change.changes["new"]) == [ids(board)["Amount"]]


def test_delete_one_item_htmx_and_plain(console_client, gw, board):
    first = add_item(gw, board, Name="First")
    second = add_item(gw, board, Name="Second")
    support = console_client.as_role("Support")
    confirm = support.get(f"/boards/{board['id']}/items/{first['id']}/delete/")
    assert "Delete “First”?" in text(confirm)
    inline = support.post(f"/boards/{board['id']}/items/{first['id']}/delete/", {"inline": "1"}, headers=HTMX)
    assert inline.status_code == 200 and text(inline) == ""
    assert "deleted" in inline.headers["HX-Trigger"] and "boardItemsChanged" in inline.headers["HX-Trigger"]
    plain = support.post(f"/boards/{board['id']}/items/{second['id']}/delete/")
    assert plain.status_code == 302
    assert gw.get(f"/data-board/boards/{board['id']}/items").json()["count"] == 0


def test_bulk_delete_htmx_rerenders_the_table_and_plain_asks_first(console_client, gw, board):
    items = [add_item(gw, board, Name=f"Bulk {i}") for i in range(4)]
    support = console_client.as_role("Support")
    url = f"/boards/{board['id']}/items/delete/"
    plain = support.post(url, {"ids": [items[0]["id"], items[1]["id"]], "q": "", "page": "1"})
    assert plain.status_code == 200 and "Delete 2 items?" in text(plain)
    assert gw.get(f"/data-board/boards/{board['id']}/items").json()["count"] == 4
    done = support.post(url, {"ids": [items[0]["id"], items[1]["id"]], "confirmed": "1"})
    assert done.status_code == 302
    swapped = support.post(url, {"ids": [items[2]["id"]], "size": "25"}, headers=htmx("items-region"))
    assert swapped.status_code == 200
    assert "1 item" in text(swapped) and "Bulk 3" in text(swapped) and "Bulk 2" not in text(swapped)
    assert "1 item deleted" in swapped.headers["HX-Trigger"]
    nothing = support.post(url, {}, headers=HTMX)
    assert nothing.status_code == 204


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_export_streams_the_csv_as_a_download(async_client, gw, board):
    """Async client: the relay's body is an async iterator on the request's own event loop."""
    from django.contrib.auth.models import Group, User

    add_item(gw, board, Name="Exported", Stage="Won")
    user = await User.objects.acreate(username=unique("support").replace(" ", "-"))
    group, _ = await Group.objects.aget_or_create(name="Support")
    await user.groups.aadd(group)
    await async_client.aforce_login(user)
    response = await async_client.get(f"/boards/{board['id']}/export.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.search(r'attachment; filename=".+_for-all_by-creation\.csv"', response["Content-Disposition"])
    assert response["X-Accel-Buffering"] == "no"
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    lines = body.split("\n")
    assert lines[0].startswith('"Name","Stage","Amount"')
    assert lines[1].startswith('"Exported","Won"')


def test_export_of_a_missing_board_is_an_error_page(console_client):
    response = console_client.as_role("Support").get("/boards/nope/export.csv")
    assert response.status_code == 404
    assert "Traceback" not in text(response)


# --- fields ---------------------------------------------------------------------------------


def test_field_add_with_options_edit_move_and_delete(console_client, gw, board):
    url = f"/boards/{board['id']}/fields/new/"
    missing_options = console_client.post(url, {"name": "Tier", "type": "SingleSelection", "options": ""})
    assert missing_options.status_code == 422 and "Add at least one option" in text(missing_options)
    taken = console_client.post(url, {"name": "stage", "type": "ShortText"})
    assert taken.status_code == 422 and "already exists" in text(taken)
    added = console_client.post(url, {"name": "Tier", "type": "MultipleSelection", "options": "Gold\nSilver\n\nGold "})
    assert added.status_code == 422 and "Each option must be different" in text(added)
    added = console_client.post(url, {"name": "Tier", "type": "MultipleSelection", "options": "Gold\nSilver"})
    assert added.status_code == 302
    fields = gw.get(f"/data-board/boards/{board['id']}").json()["data"]["fields"]
    tier = fields[-1]
    assert tier["name"] == "Tier" and [o["value"] for o in tier["data"]] == ["Gold", "Silver"]

    edit = f"/boards/{board['id']}/fields/{tier['id']}/edit/"
    assert "Gold\nSilver" in text(console_client.get(edit))
    saved = console_client.post(edit, {"name": "Tiers", "type": "MultipleSelection", "options": "Gold\nBronze"})
    assert saved.status_code == 302
    tiers = gw.get(f"/data-board/boards/{board['id']}").json()["data"]["fields"][-1]
    assert tiers["name"] == "Tiers" and tiers["data"][0]["id"] == tier["data"][0]["id"]

    moved = console_client.post(
        f"/boards/{board['id']}/fields/{tier['id']}/move/", {"direction": "up"}, headers=htmx("fields")
    )
    assert moved.status_code == 200 and "<html" not in text(moved)
    names = [f["name"] for f in gw.get(f"/data-board/boards/{board['id']}").json()["data"]["fields"]]
    assert names.index("Tiers") == len(names) - 2

    assert "Delete the field “Tiers”?" in text(console_client.get(f"/boards/{board['id']}/fields/{tier['id']}/delete/"))
    assert console_client.post(f"/boards/{board['id']}/fields/{tier['id']}/delete/").status_code == 302
    names = [f["name"] for f in gw.get(f"/data-board/boards/{board['id']}").json()["data"]["fields"]]
    assert "Tiers" not in names


def test_support_cannot_manage_fields(console_client, board):
    support = console_client.as_role("Support")
    assert support.get(f"/boards/{board['id']}/fields/").status_code == 200
    assert support.get(f"/boards/{board['id']}/fields/new/").status_code == 403


# --- CSV import (the job and its worker: test_imports_*.py) ---------------------------------


def test_import_flow_preview_map_check_and_run(console_client, gw, board):
    add_item(gw, board, Name="Existing")
    support = console_client.as_role("Support")
    rows = ["Company,Stage,Deal size,Notes"]
    rows += [f"Company {i},{'Won' if i % 2 else 'lead'},{i * 100},note {i}" for i in range(60)]
    rows += ["Existing,Lead,5,dup on board", ",Lead,1,no name", "Bad,Maybe,x,bad values"]
    uploaded = upload(support, board, "\n".join(rows))
    assert uploaded.status_code == 302
    map_url = uploaded.url
    preview = text(support.get(map_url))
    assert "63 rows in the file" in preview and "Company 4" in preview
    assert '<option value="">Skip this column</option>' in preview

    name, stage, amount = ids(board)["Name"], ids(board)["Stage"], ids(board)["Amount"]
    unmapped = support.post(map_url, {"column_1": stage}, headers=htmx("import-check"))
    assert "The identifier field &#x27;Name&#x27; must be mapped" in text(unmapped)
    checked = support.post(
        map_url, {"column_0": name, "column_1": stage, "column_2": amount}, headers=htmx("import-check")
    )
    page = text(checked)
    assert 'data-testid="will-create">61<' in page and 'data-testid="will-fail">2<' in page
    assert "Name: This field is required." in page and "Stage: Select a valid choice." in page

    run_url = map_url + "run/"
    queued = text(support.post(run_url, headers=htmx("import-area")))
    assert "Queued: 0 of 63 rows" in queued and 'hx-trigger="every 1s"' in queued
    assert queued_tasks() == 1
    run_worker()
    final_response = support.get(map_url, headers={**htmx("import-area"), "HX-Trigger": "import-progress"})
    final = text(final_response)
    assert "See the board" in final and 'hx-trigger="every 1s"' not in final
    assert 'data-testid="import-created">60<' in final and 'data-testid="import-failed">3<' in final
    assert "already exists for unique field" in final
    items = gw.get(f"/data-board/boards/{board['id']}/items", params={"limit": 0}).json()
    assert items["count"] == 61
    company_three = next(i for i in items["data"] if i["fields"][name] == "Company 3")
    assert company_three["fields"][stage] == "Won" and company_three["fields"][amount] == 300
    assert company_three["created_type"] == "import"
    assert "Import finished" in final_response.headers["HX-Trigger"]


def test_import_rejects_a_bad_file_and_other_users_tokens(console_client, board):
    support = console_client.as_role("Support")
    wrong = upload(support, board, "just a header", name="data.csv")
    assert wrong.status_code == 422 and "no rows under its header" in text(wrong)
    not_csv = upload(support, board, "a,b\n1,2", name="picture.png")
    assert "Choose a .csv file." in text(not_csv)
    ok = upload(support, board, "Name\nAcme")
    other = console_client.as_role("Support")
    assert other.get(ok.url).status_code == 404


@pytest.mark.parametrize("path", ["", "items/new/", "fields/", "import/"])
def test_missing_board_is_a_not_found_page(console_client, path):
    response = console_client.get(f"/boards/no-such-board/{path}")
    assert response.status_code == 404
    assert "Traceback" not in text(response)


def test_import_pauses_when_the_gateway_fails_and_resumes_without_duplicates(
    console_client, gw, gateway_faults, board, settings
):
    settings.BOARD_IMPORT_SLICE_SECONDS = 0  # one batch (50 rows) per task slice
    support = console_client.as_role("Support")
    rows = ["Name"] + [f"Lead {i:02d}" for i in range(52)]
    map_url = upload(support, board, "\n".join(rows)).url
    support.post(map_url, {"column_0": ids(board)["Name"]}, headers=htmx("import-check"))
    run_url = map_url + "run/"
    support.post(run_url, headers=htmx("import-area"))
    run_worker(max_tasks=1)
    first = text(support.get(map_url, headers=htmx("import-area")))
    assert 'data-testid="import-created">50<' in first and "Queued: 50 of 52" in first

    gateway_faults.add_fault(path=f"/data-board/boards/{board['id']}/items", method="POST", kind="status", status=503)
    run_worker()
    paused = text(support.get(map_url, headers=htmx("import-area")))
    assert "paused after 50 of 52 rows" in paused and "Resume the import" in paused
    assert 'hx-trigger="every' not in paused, "a paused import waits for the user"
    assert 'data-testid="import-created">50<' in paused and 'data-testid="import-failed">0<' in paused

    gateway_faults.clear_faults()
    resumed = text(support.post(run_url, headers=htmx("import-area")))
    assert "Queued: 50 of 52" in resumed
    run_worker()
    done = text(support.get(map_url, headers=htmx("import-area")))
    assert "See the board" in done and 'data-testid="import-created">52<' in done
    names = [
        i["fields"][ids(board)["Name"]]
        for i in gw.get(f"/data-board/boards/{board['id']}/items?limit=0").json()["data"]
    ]
    assert sorted(names) == [f"Lead {i:02d}" for i in range(52)]
