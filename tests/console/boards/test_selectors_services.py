"""Board selectors and services against the local gateway (real HTTP), with their audit records."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.boards import imports, selectors, services
from apps.boards.fieldtypes import cell_markup, fields_of
from imbrace_console.gateway import GatewayConflict, GatewayNotFound

from .conftest import add_item, ids, unique

# serialized_rollback: the flush after each test must not take the role groups (a data migration) with it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def test_board_create_with_identifier_and_fields():
    actor = await sync_user("Operator")
    name = unique("Deals")
    board = await services.board_create(actor=actor, name=name, description="Pipeline", identifier="Company")
    assert board["name"] == name
    fields = fields_of(board)
    assert [(f.name, f.identifier, f.unique) for f in fields] == [("Company", True, True)]

    board = await services.board_field_create(
        actor=actor,
        board_id=board["id"],
        name="Stage",
        type="SingleSelection",
        options=[{"value": "Open"}, {"value": "Won"}],
    )
    stage = fields_of(board)[-1]
    assert [o.label for o in stage.options] == ["Open", "Won"]

    board = await services.board_field_update(
        actor=actor,
        board_id=board["id"],
        field_id=stage.id,
        name="Status",
        type="SingleSelection",
        options=[{"value": "Open", "id": stage.options[0].id}, {"value": "Lost"}],
    )
    status = fields_of(board)[-1]
    assert status.name == "Status"
    assert status.options[0].id == stage.options[0].id, "an option that kept its label keeps its id"
    assert [o.label for o in status.options] == ["Open", "Lost"]

    moved = await services.board_field_move(actor=actor, board_id=board["id"], field_id=status.id, offset=-1)
    assert [f.name for f in fields_of(moved)] == ["Status", "Company"]

    after = await services.board_field_delete(actor=actor, board_id=board["id"], field_id=status.id, name="Status")
    assert [f.name for f in fields_of(after)] == ["Company"]

    actions = [e.action async for e in AuditEvent.objects.filter(target_id__in=[board["id"], stage.id])]
    assert "board.create" in actions and "field.update" in actions and "field.reorder" in actions


async def test_item_page_lists_labels_and_search_resolves_raw_ids(gw, board):
    won = next(o for o in board["fields"][1]["data"] if o["value"] == "Won")["id"]
    add_item(gw, board, Name="Acme Shipping", Stage=won, Amount=1200)
    for index in range(3):
        add_item(gw, board, Name=f"Other {index}")
    page = await selectors.board_item_page(board_id=board["id"], size=25)
    assert page.total == 4 and page.pages == 1
    assert page.items[-1]["fields"][ids(board)["Stage"]] == "Won"

    found = await selectors.board_item_page(board_id=board["id"], query="acme")
    assert found.total == 1 and found.query == "acme"
    stage, amount = fields_of(board)[1:3]
    values = found.items[0]["fields"]
    assert cell_markup(stage, values[stage.id]) == '<span class="chip">Won</span>', "a raw option id shows its label"
    assert cell_markup(amount, values[amount.id]) == "1,200"

    second = await selectors.board_item_page(board_id=board["id"], page=2, size=25)
    assert second.items == [] and second.page == 2


async def test_item_page_sort_and_bad_sort_falls_back(gw, board):
    for amount in (5, 1, 3):
        add_item(gw, board, Name=f"A{amount}", Amount=amount)
    amount_id = ids(board)["Amount"]
    ascending = await selectors.board_item_page(board_id=board["id"], sort=f"fields.{amount_id}")
    assert [i["fields"][amount_id] for i in ascending.items] == [1, 3, 5]
    descending = await selectors.board_item_page(board_id=board["id"], sort=f"-fields.{amount_id}")
    assert [i["fields"][amount_id] for i in descending.items] == [5, 3, 1]
    junk = await selectors.board_item_page(board_id=board["id"], sort="name; DROP TABLE")
    assert junk.sort == "" and junk.total == 3


async def test_board_list_choices_and_count(board):
    page = await selectors.board_list(search=board["name"])
    assert [b["id"] for b in page.boards] == [board["id"]]
    assert page.total == 1
    assert (board["id"], board["name"]) in await selectors.board_choices()
    assert await selectors.board_count() >= 1
    special = await selectors.board_list(search="(unclosed")
    assert special.total == 0, "the search is escaped: the gateway treats it as a regex"


async def test_item_update_conflict_and_delete(gw, board):
    actor = await sync_user("Support")
    add_item(gw, board, Name="Taken")
    item = add_item(gw, board, Name="Mine")
    name_id = ids(board)["Name"]
    with pytest.raises(GatewayConflict) as excinfo:
        await services.board_item_update(
            actor=actor, board_id=board["id"], item_id=item["id"], values={name_id: "Taken"}
        )
    assert "already exists" in excinfo.value.user_message
    failure = await AuditEvent.objects.aget(action="item.update", target_id=item["id"])
    assert failure.outcome == AuditEvent.Outcome.FAILURE

    updated = await services.board_item_update(
        actor=actor, board_id=board["id"], item_id=item["id"], values={ids(board)["Amount"]: 9}
    )
    assert updated["fields"][name_id] == "Mine" and updated["fields"][ids(board)["Amount"]] == 9

    await services.board_item_delete(actor=actor, board_id=board["id"], item_id=item["id"], title="Mine")
    with pytest.raises(GatewayNotFound):
        await selectors.board_item_get(board_id=board["id"], item_id=item["id"])


async def test_bulk_delete_and_item_count(gw, board):
    actor = await sync_user("Support")
    items = [add_item(gw, board, Name=f"Bulk {i}") for i in range(3)]
    count = await services.board_item_bulk_delete(
        actor=actor, board_id=board["id"], item_ids=[items[0]["id"], items[1]["id"]]
    )
    assert count == 2
    assert await selectors.board_item_count(board_id=board["id"]) == 1


async def test_export_streams_every_item_with_the_gateway_file_name(gw, board):
    actor = await sync_user("Support")
    add_item(gw, board, Name="Exported")
    export = await services.board_export_start(actor=actor, board_id=board["id"], board_name=board["name"])
    assert export.filename.startswith(board["name"]) and export.filename.endswith("_for-all_by-creation.csv")
    body = b"".join([chunk async for chunk in export.chunks()]).decode()
    assert body.split("\n")[1].startswith('"Exported"')
    assert await AuditEvent.objects.filter(action="board.export", target_id=board["id"]).aexists()


async def test_export_of_a_missing_board_raises_before_streaming():
    actor = await sync_user("Support")
    with pytest.raises(GatewayNotFound):
        await services.board_export_start(actor=actor, board_id="missing-board")


async def test_import_service_reports_each_refused_row(gw, board):
    actor = await sync_user("Support")
    name_id = ids(board)["Name"]
    add_item(gw, board, Name="Existing")
    outcome = await services.board_items_import(
        actor=actor,
        board_id=board["id"],
        rows=[(2, {name_id: "New one"}), (3, {name_id: "Existing"}), (4, {name_id: "Another"})],
    )
    assert outcome.processed == 3 and outcome.created == 2
    assert outcome.failures == [(3, "Value 'Existing' already exists for unique field 'Name'")]
    assert outcome.stopped is None


def test_import_plan_checks_types_required_and_duplicates(board):
    fields = fields_of(board)
    text = (
        "name;stage;amount;won;close date;email\n"
        "Acme;won;1200;yes;05/01/2026;a@b.co\n"
        ";Lead;1;no;;\n"
        "Beta;Maybe;x;sometimes;31/31/2026;nope\n"
        "acme;Lead;;;;\n"
    )
    rows = imports.parse_csv(text)
    mapping = imports.auto_mapping(rows[0], fields)
    assert len(mapping) == 6
    assert imports.mapping_problems(mapping, fields) == []
    plan = imports.import_plan(rows[1:], mapping, fields)
    assert plan.will_create == 1
    reasons = dict(plan.failures)
    assert "Name: This field is required." in reasons[3]
    assert "Stage" in reasons[4] and "Amount" in reasons[4] and "Won" in reasons[4]
    assert "also on row 2" in reasons[5]
    values, reason = imports.validate_row(rows[1], mapping, fields)
    assert reason == ""
    by_name = {f.name: values.get(f.id) for f in fields}
    assert by_name["Stage"] == "Won" and by_name["Amount"] == 1200 and by_name["Won"] is True
    assert by_name["Close date"] == "2026-05-01"
    unmapped = imports.mapping_problems({"1": ids(board)["Stage"]}, fields)
    assert unmapped == ["The identifier field 'Name' must be mapped to a column."]


async def sync_user(role: str):
    """An actor for the audit log (services do not check roles: views do)."""
    from django.contrib.auth.models import User

    return await User.objects.acreate(username=f"{role.lower()}-{unique('u').split()[1]}")
