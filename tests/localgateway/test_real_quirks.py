"""Real-service behaviours the local gateway reproduces, each citing its source file.

See docs/contract/traps.md#real-service-behaviours-the-local-gateway-reproduces.

Tags: [WF] imbrace-co/workflow, [DB] imbraceltd/data_board, [GW] imbrace-co/app-gateway,
[FS] imbrace-co/file. Over real HTTP against the local gateway process.
"""

from __future__ import annotations

import os
import time
import uuid
from urllib.parse import quote

import httpx
import pytest

from tests.chat_helpers import chat_body, make_assistant, parse_parts
from tests.flow_helpers import AP, WEBHOOK_TRIGGER

BOARD_PIECE = "@activepieces/piece-automate-data-board"
DB = "/data-board"


def unique(prefix: str) -> str:
    return f"{prefix} {os.urandom(4).hex()}"


def operate(gw: httpx.Client, flow_id: str, kind: str, request: dict) -> httpx.Response:
    return gw.post(f"{AP}/flows/{flow_id}", json={"type": kind, "request": request})


def board_step(board_id: str, inputs: dict, *, name: str = "step_1", settings: dict | None = None) -> dict:
    """An ``auto_data_board`` step as the engine stores it (docs/contract/flows.md#the-data-board-step)."""
    base = {
        "pieceName": BOARD_PIECE,
        "pieceVersion": "~0.0.1",
        "actionName": "auto_data_board",
        "input": {"workflowName": "Automate Data Board", "version": "1", "boardId": board_id, **inputs},
        "propertySettings": {key: {"type": "MANUAL"} for key in ("version", "boardId", "chooseAction", *inputs)},
        "errorHandlingOptions": {"continueOnFailure": {"value": False}, "retryOnFailure": {"value": False}},
    }
    return {
        "name": name,
        "type": "PIECE",
        "valid": True,
        "displayName": "Board",
        "settings": {**base, **(settings or {})},
    }


def echo_step(name: str, ref: str) -> dict:
    return {
        "name": name,
        "type": "PIECE",
        "valid": True,
        "displayName": "Return Response",
        "settings": {
            "pieceName": "@activepieces/piece-webhook",
            "pieceVersion": "0.1.24",
            "actionName": "return_response",
            "input": {"responseType": "json", "respond": "stop", "fields": {"status": 200, "body": ref}},
            "propertySettings": {},
        },
    }


@pytest.fixture
def lead_board(gw) -> dict:
    body = {
        "name": unique("Leads"),
        "fields": [
            {"name": "Company Name", "type": "ShortText", "isUniqueIdentifier": True},
            {"name": "Seats", "type": "Number"},
            {"name": "Signed", "type": "Date"},
            {"name": "Paid", "type": "Checkbox"},
        ],
    }
    response = gw.post(f"{DB}/boards", json=body)
    assert response.status_code in (200, 201), response.text
    board = response.json()["data"]
    board["ids"] = {field["name"]: field.get("id") or field.get("_id") for field in board["fields"]}
    return board


def run_piece(gw, board: dict, inputs: dict, payload: dict) -> tuple[dict, dict]:
    """Publish trigger → board step → Return Response of the step's output; (echoed output, run steps)."""
    flow = gw.post(f"{AP}/flows", json={"displayName": unique("Board step")}).json()
    assert operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER).status_code == 200
    added = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": board_step(board["id"], inputs)})
    assert added.status_code == 200, added.text
    step = added.json()["version"]["trigger"]["nextAction"]
    assert step["valid"] is True
    answer = echo_step("step_2", "{{step_1}}")
    assert operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "step_1", "action": answer}).status_code == 200
    published = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})
    assert published.status_code == 200, published.text
    response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json=payload)
    assert response.status_code == 200, response.text
    for _ in range(50):
        runs = gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"]}).json()["data"]
        if runs and runs[0]["status"] not in ("QUEUED", "RUNNING"):
            return response.json(), gw.get(f"{AP}/flow-runs/{runs[0]['id']}").json()["steps"]
    raise AssertionError("no finished run")


# --- the data-board piece ------------------------------------------------------------------------


def test_the_board_piece_has_only_auto_data_board_and_gives_its_version(gw):
    """[WF packages/pieces/builtin/src/pieces/automate-data-board/index.ts, lib/actions/autoDataBoard.ts]"""
    piece = gw.get(f"{AP}/pieces/{BOARD_PIECE}").json()
    assert piece["name"] == BOARD_PIECE and piece["version"] == "0.0.1"
    assert list(piece["actions"]) == ["auto_data_board"] and piece["triggers"] == {}
    props = piece["actions"]["auto_data_board"]["props"]
    assert [name for name, prop in props.items() if prop["required"]] == ["version", "boardId", "chooseAction"]
    assert props["contentJson"] == {"type": "DYNAMIC", "required": False}


def test_an_unknown_action_is_stored_invalid_and_cannot_be_published(gw, lead_board):
    """[WF packages/server/api/src/app/flows/flow-version/flow-version-validator-util.ts]"""
    flow = gw.post(f"{AP}/flows", json={"displayName": unique("Old step")}).json()
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    old = board_step(lead_board["id"], {}, settings={"actionName": "create_board_item", "input": {"fields": {}}})
    added = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": old})
    assert added.status_code == 200
    step = added.json()["version"]["trigger"]["nextAction"]
    assert step["settings"]["actionName"] == "create_board_item" and step["valid"] is False
    refused = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})
    assert refused.status_code == 400 and refused.json()["code"] == "FLOW_OPERATION_INVALID"
    assert gw.get(f"{AP}/flows/{flow['id']}").json()["version"]["valid"] is False


def test_validity_checks_top_level_props_and_the_action_schema_only(gw, lead_board):
    """[WF flow-version-validator-util.ts; packages/shared/src/lib/flows/operations/add-action.ts]"""
    flow = gw.post(f"{AP}/flows", json={"displayName": unique("Validity")}).json()
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)

    def valid(step: dict) -> bool:
        answer = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": step})
        assert answer.status_code == 200, answer.text
        added = answer.json()["version"]["trigger"]["nextAction"]
        operate(gw, flow["id"], "DELETE_ACTION", {"names": [step["name"]]})
        return added["valid"]

    # Inner dynamic values are not checked: a flat string passes; "" passes for a dropdown.
    assert valid(board_step(lead_board["id"], {"chooseAction": "", "contentJson": "flat"}))
    assert not valid(board_step(lead_board["id"], {}))  # chooseAction missing
    assert not valid(board_step(lead_board["id"], {"chooseAction": "create", "contentJson": 5}))
    assert not valid(board_step(lead_board["id"], {"chooseAction": "create"}, settings={"propertySettings": None}))
    bad_setting = {"propertySettings": {"boardId": {"schema": {}}}}
    assert not valid(board_step(lead_board["id"], {"chooseAction": "create"}, settings=bad_setting))
    stray = board_step(lead_board["id"], {"chooseAction": "create"})
    stray["settings"]["input"]["fields"] = {"x": 1}
    answer = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": stray})
    assert "fields" not in answer.json()["version"]["trigger"]["nextAction"]["settings"]["input"]


def test_create_in_json_mode_maps_names_ids_and_loose_names(gw, lead_board):
    """[WF automate-data-board/lib/actions/autoDataBoard.ts, lib/common/general-functions.ts resolveBoardFieldId]"""
    ids = lead_board["ids"]
    content = {
        "company_name": "{{trigger.body.company}}",
        ids["Seats"]: "{{trigger.body.seats}}",
        "Signed": "not a date",
        "Unknown": "dropped",
    }
    inputs = {"chooseAction": "create", "inputMethod": {"inputMethod": "json"}, "contentJson": {"contentJson": content}}
    output, steps = run_piece(gw, lead_board, inputs, {"company": "Initrode", "seats": 40})
    item = output["boardResponse"]["data"]
    assert item["fields"][ids["Company Name"]] == "Initrode" and item["fields"][ids["Seats"]] == 40
    assert item["fields"].get(ids["Signed"]) is None  # an unreadable date is sent as null
    sent = steps["step_1"]["input"]["contentJson"]["contentJson"]
    assert sent["company_name"] == "Initrode" and "Unknown" in sent  # the input keeps what was resolved
    assert set(item["fields"]) <= {ids["Company Name"], ids["Seats"], ids["Signed"]}
    assert steps["step_1"]["status"] == "SUCCEEDED"
    stored = gw.get(f"{DB}/boards/{lead_board['id']}/items/{item['id']}").json()["data"]
    assert stored["fields"][ids["Company Name"]] == "Initrode"


def test_field_mode_formats_values_as_the_piece_does(gw, lead_board):
    """[WF automate-data-board/lib/utils/board.ts checkAndFormatFieldValue]"""
    ids = lead_board["ids"]
    pairs = [
        {"field": ids["Company Name"], "value": "{{trigger.body.company}}"},
        {"field": ids["Seats"], "value": "42"},  # a string, not a number: null
        {"field": ids["Paid"], "value": "is_checked"},
    ]
    inputs = {
        "chooseAction": "create",
        "inputMethod": {"inputMethod": "field"},
        "additionalFields": {"actionPairs": pairs},
    }
    output, _ = run_piece(gw, lead_board, inputs, {"company": "Globex"})
    fields = output["boardResponse"]["data"]["fields"]
    assert fields[ids["Company Name"]] == "Globex" and fields[ids["Paid"]] is True
    assert fields.get(ids["Seats"]) is None


def test_errors_are_outputs_of_a_succeeded_step(gw, lead_board):
    """[WF autoDataBoard.ts: errors are returned, not thrown]: data-board's 400 → success:false; a
    piece-side check → error:true. The step status stays SUCCEEDED
    (docs/contract/flows.md#what-the-step-sends-and-returns)."""
    json_mode = {"chooseAction": "create", "inputMethod": {"inputMethod": "json"}, "contentJson": {"contentJson": {}}}
    output, steps = run_piece(gw, lead_board, json_mode, {})
    assert output["success"] is False and output["details"] == {}
    assert output["error"].startswith("Private Imbrace API request failed: ")
    assert "Field 'Company Name' is required" in output["error"] and '"status": 400' in output["error"]
    assert steps["step_1"]["status"] == "SUCCEEDED"
    field_mode = {"chooseAction": "create", "inputMethod": {"inputMethod": "field"}, "additionalFields": {}}
    output, steps = run_piece(gw, lead_board, field_mode, {})
    assert output["error"] is True and "'Company Name' field is required" in output["message"]
    assert "stack" in output and steps["step_1"]["status"] == "SUCCEEDED"


def test_update_and_get_by_record_id_and_the_broken_fields_on_board_identifier(gw, lead_board):
    """[WF autoDataBoard.ts update/search; DB src/presentation/schemas/board-item.schema.ts bulk-update]"""
    ids = lead_board["ids"]
    item = gw.post(
        f"{DB}/boards/{lead_board['id']}/items", json={"fields": {ids["Company Name"]: "Umbrella", ids["Seats"]: 3}}
    ).json()["data"]
    update = {
        "chooseAction": "update",
        "identifier": {"identifier": "recordId"},
        "recordId": {"recordId": "{{trigger.body.id}}"},
        "inputMethod": {"inputMethod": "json"},
        "contentJson": {"contentJson": {"Seats": 9}},
    }
    output, _ = run_piece(gw, lead_board, update, {"id": item["id"]})
    assert output["boardResponse"]["data"]["fields"][ids["Seats"]] == 9
    get = {"chooseAction": "search", "identifier": {"identifier": "recordId"}, "recordId": {"recordId": item["id"]}}
    output, _ = run_piece(gw, lead_board, get, {})
    assert output["boardResponse"]["data"]["id"] == item["id"]
    by_fields = {**update, "identifier": {"identifier": "fieldsOnBoard"}}
    output, steps = run_piece(gw, lead_board, by_fields, {"id": item["id"]})
    assert output["success"] is False and '"status": 400' in output["error"] and "ids" in output["error"]
    assert steps["step_1"]["status"] == "SUCCEEDED"


def test_a_conversation_id_in_the_body_defers_the_step(gw, lead_board):
    """[WF autoDataBoard.ts: runs only when !conversation_id || immediate]"""
    content = {"Company Name": "{{trigger.body.company}}"}
    inputs = {"chooseAction": "create", "inputMethod": {"inputMethod": "json"}, "contentJson": {"contentJson": content}}
    output, _ = run_piece(gw, lead_board, inputs, {"company": "Later Ltd", "conversation_id": "c-1"})
    assert output["message"] == "Workflow execution deferred" and output["conversation_id"] == "c-1"
    assert output["position"] == "" and output["workflow_id"]
    items = gw.get(f"{DB}/boards/{lead_board['id']}/items").json()["data"]
    assert all(item["fields"].get(lead_board["ids"]["Company Name"]) != "Later Ltd" for item in items)
    output, _ = run_piece(gw, lead_board, inputs, {"company": "Now Ltd", "conversation_id": "c-2", "immediate": True})
    assert output["boardResponse"]["data"]["fields"][lead_board["ids"]["Company Name"]] == "Now Ltd"


# --- data-board -----------------------------------------------------------------------------------


def test_item_by_id_ignores_the_board_in_the_path(gw, lead_board):
    """[DB src/presentation/controllers/board-item.controller.ts: the item is found by its id alone]"""
    item = gw.post(
        f"{DB}/boards/{lead_board['id']}/items", json={"fields": {lead_board["ids"]["Company Name"]: "Anywhere"}}
    ).json()["data"]
    other = gw.get(f"{DB}/boards/some-other-board/items/{item['id']}")
    assert other.status_code == 200 and other.json()["data"]["id"] == item["id"]


def upload_csv(gw, text: str) -> str:
    response = gw.post(f"{DB}/boards/_fileupload", files={"file": ("leads.csv", text.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    return response.json()["url"]


def test_import_csv_takes_a_url_and_mappings_and_reports_per_user_progress(gw, lead_board, localgateway):
    """[DB src/presentation/controllers/board.controller.ts L552-586 (progress), L596-860 (import_csv)]"""
    ids, path = lead_board["ids"], f"{DB}/boards/{lead_board['id']}"
    empty = gw.post(f"{path}/import_csv", json={})
    assert empty.status_code == 400
    assert empty.json() == {"status": "error", "message": "fileUrl and mappings are required"}
    url = upload_csv(gw, "\ufeffCompany;Seats\nAcme;3\n\n ;4\nBeta ; 5\n")
    wrong = [{"csvHeader": "Company", "boardFieldId": ids["Company Name"], "boardFieldName": "company name"}]
    invalid = gw.post(f"{path}/import_csv", json={"fileUrl": url, "mappings": wrong})
    assert invalid.status_code == 400 and invalid.json()["invalidMappings"] == [
        {"csvHeader": "Company", "boardFieldName": "company name"}
    ]
    seats_only = [{"csvHeader": "Seats", "boardFieldId": ids["Seats"], "boardFieldName": "Seats"}]
    missing = gw.post(f"{path}/import_csv", json={"fileUrl": url, "mappings": seats_only})
    assert missing.json()["requiredField"] == {"boardFieldId": ids["Company Name"], "boardFieldName": "Company Name"}
    mappings = [{"csvHeader": "Company", "boardFieldId": ids["Company Name"], "boardFieldName": "Company Name"}]
    done = gw.post(f"{path}/import_csv", json={"fileUrl": url, "mappings": [*mappings, *seats_only]})
    assert done.status_code == 200
    assert done.json() == {
        "status": "success",
        "message": "CSV import completed",
        "results": {"total": 3, "successful": 2, "failed": 1, "skipped": 0},
    }
    progress = gw.get(f"{path}/import_progress").json()
    assert progress == {"status": "completed", "total": 3, "processed": 3, "success": 2, "failed": 1, "percentage": 100}
    assert gw.get(f"{path}/import_progress").json() == {"status": "not_found", "message": "No active import found"}
    token = httpx.post(f"{localgateway.base_url}/_local/jwt", headers=localgateway.headers, json={"subject": None})
    anonymous = {
        "Authorization": f"Bearer {token.json()['token']}",
        "x-organization-id": token.json()["organization_id"],
    }
    refused = httpx.get(f"{localgateway.base_url}{path}/import_progress", headers=anonymous)
    assert refused.status_code == 401 and refused.json() == {"error": "User ID required"}


def test_a_gateway_timeout_answers_504_while_the_import_goes_on(gw, lead_board, gateway_faults):
    """[GW proxy timeout 60 s on data-board (docs/contract/platform/auth.md); the import continues
    (docs/contract/data-board.md#csv-import)]"""
    ids, path = lead_board["ids"], f"{DB}/boards/{lead_board['id']}"
    rows = "\n".join(f"Firm {n},{n}" for n in range(1200))
    url = upload_csv(gw, f"Company,Seats\n{rows}\n")
    mappings = [
        {"csvHeader": "Company", "boardFieldId": ids["Company Name"], "boardFieldName": "Company Name"},
        {"csvHeader": "Seats", "boardFieldId": ids["Seats"], "boardFieldName": "Seats"},
    ]
    gateway_faults.add_fault(path=f"{path}/import_csv", kind="gateway_timeout", timeout_ms=1)
    cut = gw.post(f"{path}/import_csv", json={"fileUrl": url, "mappings": mappings})
    assert cut.status_code == 504
    assert cut.text.startswith("Error occurred while trying to proxy: ")
    for _ in range(200):
        progress = gw.get(f"{path}/import_progress").json()
        if progress["status"] == "completed":
            break
        time.sleep(0.05)
    assert progress["success"] == 1200
    assert gw.get(f"{path}/items/count").json()["count"] == 1200


# --- knowledge files ------------------------------------------------------------------------------


@pytest.fixture
def folder() -> dict:
    """A folder id of our own: the first upload into it creates it (docs/contract/data-board.md#knowledge-files)."""
    return {"id": str(uuid.uuid4())}


def upload(gw, folder: dict, name: str, content: bytes = b"hello") -> dict:
    response = gw.post(f"{DB}/files/upload", data={"folder_id": folder["id"]}, files={"file": (name, content)})
    assert response.status_code == 201, response.text
    return response.json()["data"]


@pytest.mark.parametrize("name", ["報告書.txt", "تقرير.txt", "notes 🎉.txt"])
def test_download_of_a_name_outside_latin_1_is_a_500(gw, folder, name):
    """[DB src/presentation/controllers/file.controller.ts, download: Node refuses the raw header]"""
    file = upload(gw, folder, name)
    response = gw.get(f"{DB}/files/{file['id']}/download")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": {"message": "Internal server error"}}


def test_a_latin_1_name_downloads_with_the_raw_name(gw, folder):
    """[DB file.controller.ts, download: Content-Disposition: attachment; filename="<name>"]"""
    file = upload(gw, folder, "résumé.txt", b"cv")
    response = gw.get(f"{DB}/files/{file['id']}/download")
    assert response.status_code == 200 and response.content == b"cv"
    assert response.headers.raw  # the name's raw Latin-1 bytes, not an RFC 5987 filename*
    assert dict(response.headers.raw)[b"content-disposition"] == 'attachment; filename="résumé.txt"'.encode("latin-1")


def test_presigned_url_is_the_public_download_route_without_credentials(gw, folder, localgateway):
    """[DB src/presentation/controllers/file.controller.ts L295, src/core/services/file.service.ts L582;
    GW src/server/public/index.ts, routers/files-public.ts; FS src/presentation/controllers/file.controller.ts]"""
    file = upload(gw, folder, "報告書.txt", "内容".encode())
    data = gw.get(f"{DB}/files/{file['id']}").json()["data"]
    assert data["presigned_url"] == f"{localgateway.base_url}/files/download/{quote(file['key'], safe='')}"
    inline = httpx.get(data["presigned_url"])  # no credential at all
    assert inline.status_code == 200 and inline.content == "内容".encode()
    assert inline.headers["content-disposition"].startswith("inline")
    attached = httpx.get(data["presigned_url"], params={"download": "true"})
    assert attached.headers["content-disposition"] == f"attachment; filename*=utf-8''{quote('報告書.txt')}"
    assert httpx.get(f"{localgateway.base_url}/files/download/{uuid.uuid4()}").status_code == 404


# --- flows: webhooks -------------------------------------------------------------------------------


def test_webhooks_pass_through_without_checking_credentials(gw, localgateway):
    """[GW src/server/middlewares/auth.ts, authorize: webhook paths reach the engine whatever the token]"""
    flow = gw.post(f"{AP}/flows", json={"displayName": unique("Public hook")}).json()
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": echo_step("step_1", "{{trigger.body}}")})
    assert operate(gw, flow["id"], "LOCK_AND_PUBLISH", {}).status_code == 200
    url = f"{localgateway.base_url}{AP}/webhooks/{flow['id']}/sync"
    assert httpx.post(url, json={"who": "anyone"}).json() == {"who": "anyone"}
    forged = httpx.post(url, json={"who": "forged"}, headers={"x-access-token": "not-a-token"})
    assert forged.status_code == 200 and forged.json() == {"who": "forged"}
    assert httpx.get(f"{localgateway.base_url}{AP}/flows").status_code == 401  # the rest is still guarded


# --- chat: SSE with CRLF ---------------------------------------------------------------------------


def test_the_sse_line_endings_fault_sends_crlf_in_small_chunks(gw, gateway_faults):
    """An opt-in mode (faults.py): the SSE spec allows CRLF and CR; a parser must cope with both."""
    assistant = make_assistant(gw)
    gateway_faults.add_fault(path="/ai-agent", kind="sse_line_endings", chunk_bytes=7)
    with gw.stream("POST", "/ai-agent/v2/chat", json=chat_body(assistant["id"], "hello")) as response:
        chunks = list(response.iter_raw())
    raw = b"".join(chunks)
    assert response.status_code == 200 and b"\r\n\r\n" in raw and b"data: " in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert parse_parts(raw.decode().replace("\r\n", "\n"))[-1] == "[DONE]"
    assert min(len(chunk) for chunk in chunks) <= 7
