"""The data-board step (the engine's ``auto_data_board``) built, run and read through the console,
against the local gateway, which validates and runs it as the real engine does
(docs/contract/flows.md#the-data-board-step)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.flows import boardstep

from .conftest import AP, make_flow, operate, unique

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
BOARD = "@activepieces/piece-automate-data-board"


def make_board(gw) -> dict:
    body = {
        "name": unique("Console leads"),
        "fields": [
            {"name": "Company", "type": "ShortText", "is_identifier": True},
            {"name": "Tier", "type": "ShortText"},
        ],
    }
    return gw.post("/data-board/boards", json=body).json()["data"]


def ids(board: dict) -> dict[str, str]:
    return {f["name"]: str(f.get("id") or f.get("_id")) for f in board["fields"]}


def first_step(gw, flow_id: str) -> dict:
    return gw.get(f"{AP}/flows/{flow_id}").json()["version"]["trigger"]["nextAction"]


def run_of(gw, flow_id: str, payload: dict) -> dict:
    before = {run["id"] for run in gw.get(f"{AP}/flow-runs", params={"flowId": flow_id}).json()["data"]}
    assert gw.post(f"{AP}/webhooks/{flow_id}", json=payload).status_code == 200
    for _ in range(150):
        runs = gw.get(f"{AP}/flow-runs", params={"flowId": flow_id}).json()["data"]
        new = [run for run in runs if run["id"] not in before and run["status"] not in ("QUEUED", "RUNNING")]
        if new:
            return gw.get(f"{AP}/flow-runs/{new[0]['id']}").json()
        time.sleep(0.1)
    raise AssertionError("no finished run")


def add_url(flow_id: str) -> str:
    return reverse("flow-steps-create", kwargs={"flow_id": flow_id, "kind": "data_board"})


def test_create_step_maps_payload_keys_to_field_ids_nested_as_the_engine_stores_them(console_client, gw):
    board = make_board(gw)
    field = ids(board)
    flow = make_flow(gw, webhook=True)
    add = add_url(flow["id"])
    assert board["name"] in console_client.get(add).content.decode()
    hint = console_client.get(add, {"board": board["id"]}, headers={**HTMX, "HX-Target": "board-fields"})
    assert hint.content.decode().strip().startswith('<p class="muted" id="board-fields"')
    assert ">Company</code>, <code" in hint.content.decode()

    base = {"display_name": "Save lead", "board": board["id"], "operation": "create", "input_method": "json"}
    bad = console_client.post(add, {**base, "mapping": "Company company"})
    assert bad.status_code == 400 and "Board field = payload key" in bad.content.decode()
    assert "Company company" in bad.content.decode()
    unknown = console_client.post(add, {**base, "mapping": "Colour = colour"})
    assert unknown.status_code == 400 and "the board has no field “Colour”" in unknown.content.decode()

    response = console_client.post(add, {**base, "mapping": 'company = company.name\nTier = "Gold"'})
    assert response.status_code == 302
    step = first_step(gw, flow["id"])
    version = gw.get(f"{AP}/pieces/{BOARD}").json()["version"]
    settings = step["settings"]
    assert step["valid"] is True
    assert (settings["actionName"], settings["pieceVersion"]) == ("auto_data_board", f"~{version}")
    assert settings["input"] == {
        "workflowName": "Automate Data Board",
        "version": "1",
        "boardId": board["id"],
        "chooseAction": "create",
        "inputMethod": {"inputMethod": "json"},
        "contentJson": {"contentJson": {field["Company"]: "{{trigger.body.company.name}}", field["Tier"]: "Gold"}},
    }
    assert set(settings["propertySettings"]) == set(settings["input"])
    assert all(entry["type"] == "MANUAL" for entry in settings["propertySettings"].values())

    edit = console_client.get(reverse("flow-steps-update", kwargs={"flow_id": flow["id"], "step_name": "step_1"}))
    assert "Company = company.name\nTier = &quot;Gold&quot;" in edit.content.decode()

    page = console_client.get(reverse("flows-detail", kwargs={"flow_id": flow["id"]})).content.decode()
    assert "<strong>Company</strong> ← <code>{{trigger.body.company.name}}</code>" in page  # ids shown by name
    assert console_client.post(reverse("flows-publish", kwargs={"flow_id": flow["id"]})).status_code == 302
    run = run_of(gw, flow["id"], {"company": {"name": "Nested Ltd"}})
    assert run["status"] == "SUCCEEDED"
    item = run["steps"]["step_1"]["output"]["boardResponse"]["data"]
    stored = gw.get(f"/data-board/boards/{board['id']}/items/{item['id']}").json()["data"]
    assert sorted(str(value) for value in stored["fields"].values()) == ["Gold", "Nested Ltd"]


def test_update_and_get_by_record_id_in_field_mode(console_client, gw):
    board = make_board(gw)
    field = ids(board)
    item = gw.post(
        f"/data-board/boards/{board['id']}/items",
        json={"fields": [{"board_field_id": field["Company"], "value": "Acme"}]},
    ).json()["data"]
    flow = make_flow(gw, webhook=True)
    add = add_url(flow["id"])
    base = {"display_name": "Upgrade", "board": board["id"], "operation": "update", "input_method": "field"}
    missing = console_client.post(add, {**base, "mapping": "Tier = tier"})
    assert missing.status_code == 400 and "Say which item" in missing.content.decode()
    assert console_client.post(add, {**base, "record_id": "item_id", "mapping": "Tier = tier"}).status_code == 302
    read = {"display_name": "Read back", "board": board["id"], "operation": "search", "input_method": "json"}
    assert console_client.post(add, {**read, "record_id": "item_id"}).status_code == 302

    step = first_step(gw, flow["id"])
    assert step["settings"]["input"]["additionalFields"] == {
        "actionPairs": [{"field": field["Tier"], "value": "{{trigger.body.tier}}"}]
    }
    assert step["settings"]["input"]["identifier"] == {"identifier": "recordId"}
    assert step["settings"]["input"]["recordId"] == {"recordId": "{{trigger.body.item_id}}"}
    assert step["nextAction"]["settings"]["input"]["chooseAction"] == "search"
    assert "contentJson" not in step["nextAction"]["settings"]["input"]

    page = console_client.get(reverse("flows-detail", kwargs={"flow_id": flow["id"]})).content.decode()
    assert "update an item by its id" in page and "get an item by its id" in page

    assert console_client.post(reverse("flows-publish", kwargs={"flow_id": flow["id"]})).status_code == 302
    run = run_of(gw, flow["id"], {"item_id": item["id"], "tier": "Platinum"})
    assert run["status"] == "SUCCEEDED"
    got = run["steps"]["step_2"]["output"]["boardResponse"]["data"]
    assert got["id"] == item["id"] and "Platinum" in [str(v) for v in got["fields"].values()]


def test_run_page_marks_a_refused_step_failed_and_explains_a_deferred_one(console_client, gw):
    board = make_board(gw)
    flow = make_flow(gw, webhook=True)
    data = {"display_name": "Upgrade", "board": board["id"], "operation": "update", "input_method": "json"}
    assert (
        console_client.post(add_url(flow["id"]), {**data, "record_id": "item_id", "mapping": "Tier = tier"}).status_code
        == 302
    )
    operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})

    refused = run_of(gw, flow["id"], {"item_id": "a" * 24, "tier": "Gold"})
    assert refused["status"] == "SUCCEEDED" and refused["steps"]["step_1"]["output"]["success"] is False
    page = console_client.get(reverse("flow-runs-detail", kwargs={"run_id": refused["id"]})).content.decode()
    assert 'data-testid="run-output-failed"' in page and "The engine says this run succeeded, but 1 step did" in page
    assert 'data-testid="run-step-failed-output"' in page and "Data-board refused the call" in page

    deferred = run_of(gw, flow["id"], {"conversation_id": "c1", "item_id": "x", "tier": "Gold"})
    assert deferred["steps"]["step_1"]["output"]["message"] == "Workflow execution deferred"
    page = console_client.get(reverse("flow-runs-detail", kwargs={"run_id": deferred["id"]})).content.decode()
    assert 'data-testid="run-deferred"' in page and "run-output-failed" not in page
    assert "leave <code>conversation_id</code> out" in page


def test_an_old_create_board_item_step_is_invalid_and_converts_in_one_click(console_client, gw):
    board = make_board(gw)
    field = ids(board)
    flow = make_flow(gw, webhook=True)
    old = {
        "name": "step_1",
        "type": "PIECE",
        "valid": True,
        "displayName": "Save lead",
        "settings": {
            "pieceName": BOARD,
            "pieceVersion": "~0.0.1",
            "actionName": "create_board_item",
            "input": {"boardId": board["id"], "fields": {"Company": "{{trigger.body.company}}", "Unknown": "x"}},
            "propertySettings": {},
        },
    }
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": old})
    assert first_step(gw, flow["id"])["valid"] is False  # the engine has no such action
    page = console_client.get(reverse("flows-detail", kwargs={"flow_id": flow["id"]})).content.decode()
    assert 'data-testid="flow-step-legacy"' in page and "uses an action the engine does not have" in page
    assert console_client.post(reverse("flows-publish", kwargs={"flow_id": flow["id"]})).status_code == 400

    convert = reverse("flow-steps-convert", kwargs={"flow_id": flow["id"], "step_name": "step_1"})
    assert console_client.post(convert).status_code == 302
    step = first_step(gw, flow["id"])
    assert step["valid"] is True and step["displayName"] == "Save lead"
    assert step["settings"]["input"]["contentJson"] == {
        "contentJson": {field["Company"]: "{{trigger.body.company}}", "Unknown": "x"}
    }
    event = AuditEvent.objects.get(action="flow.step.convert", target_id=flow["id"])
    assert event.changes["old"]["actionName"] == "create_board_item"
    assert event.changes["new"]["actionName"] == "auto_data_board"
    assert console_client.post(convert).status_code == 404  # nothing left to convert
    assert console_client.post(reverse("flows-publish", kwargs={"flow_id": flow["id"]})).status_code == 302


def test_output_readers_and_the_action_builder():
    assert boardstep.output_problem({"success": False, "error": "Private Imbrace API request failed"})
    assert "bad input" in boardstep.output_problem({"error": True, "message": "bad input"})
    assert boardstep.output_problem({"boardResponse": {"data": {"id": "1"}}}) == ""
    assert boardstep.output_problem({"error": "a string is not the piece's flag"}) == ""
    assert boardstep.output_deferred({"message": "Workflow execution deferred"})
    action = boardstep.board_action(
        name="step_3", display_name="", piece_version="^1.2.3", board_id="b", operation="search", record_id="r"
    )
    assert action["settings"]["pieceVersion"] == "^1.2.3" and action["displayName"] == "Get an item by its id"
    assert "inputMethod" not in action["settings"]["input"]
    with pytest.raises(ValueError):
        boardstep.board_action(name="s", display_name="", piece_version="0.0.1", board_id="b", operation="getAll")
