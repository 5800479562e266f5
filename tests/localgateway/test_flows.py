"""The local Activepieces stand-in against docs/contract/flows.md, over real HTTP."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from tests.flow_helpers import AP, WEBHOOK_TRIGGER, return_response_step
from tests.support import start_localgateway


def return_response(name: str = "step_1", *, status: int = 200, body=None, respond: str = "stop") -> dict:
    """A Return Response step with an ``x-flow: yes`` header, echoing the trigger's body by default."""
    return return_response_step(name, status=status, body=body, respond=respond, headers={"x-flow": "yes"})


def unique(prefix: str) -> str:
    return f"{prefix} {os.urandom(4).hex()}"


def create(gw: httpx.Client, name: str | None = None, **extra) -> dict:
    response = gw.post(f"{AP}/flows", json={"displayName": name or unique("Flow"), **extra})
    assert response.status_code == 201, response.text
    return response.json()


def operate(gw: httpx.Client, flow_id: str, kind: str, request: dict) -> httpx.Response:
    return gw.post(f"{AP}/flows/{flow_id}", json={"type": kind, "request": request})


def published_flow(gw: httpx.Client, *, with_response: bool = True, name: str | None = None) -> dict:
    flow = create(gw, name)
    assert operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER).status_code == 200
    if with_response:
        added = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response()})
        assert added.status_code == 200, added.text
    published = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})
    assert published.status_code == 200, published.text
    return published.json()


def wait_for_run(gw: httpx.Client, flow_id: str, *, terminal: bool = True, attempts: int = 100) -> dict:
    for _ in range(attempts):
        runs = gw.get(f"{AP}/flow-runs", params={"flowId": flow_id}).json()["data"]
        if runs and (not terminal or runs[0]["status"] not in ("QUEUED", "RUNNING")):
            return runs[0]
        time.sleep(0.1)
    raise AssertionError("the run did not appear or did not finish")


def test_create_returns_a_disabled_draft_with_an_empty_trigger(gw):
    flow = create(gw, "CRM update")
    assert flow["status"] == "DISABLED"
    assert flow["publishedVersionId"] is None
    assert flow["operationStatus"] == "NONE"
    assert len(flow["id"]) == 21 and flow["id"].isalnum()
    assert "triggerSource" not in flow
    version = flow["version"]
    assert version["state"] == "DRAFT" and version["valid"] is False
    assert version["displayName"] == "CRM update"
    assert version["trigger"] == {
        "type": "EMPTY",
        "name": "trigger",
        "settings": {},
        "valid": False,
        "displayName": "Select Trigger",
    }


def test_create_ignores_project_id_and_keeps_metadata(gw):
    me = gw.get(f"{AP}/users/me").json()
    flow = create(gw, projectId=None, metadata={"tags": [{"id": "t1", "name": "agent"}]})
    assert flow["projectId"] == me["projectId"]
    assert flow["metadata"] == {"tags": [{"id": "t1", "name": "agent"}]}


def test_create_without_display_name_is_a_schema_error(gw):
    response = gw.post(f"{AP}/flows", json={})
    assert response.status_code == 400
    assert response.json()["code"] == "FST_ERR_VALIDATION"


def test_the_api_alias_reaches_the_same_flows(gw):
    flow = create(gw)
    assert gw.get(f"/activepieces/api/v1/flows/{flow['id']}").json()["id"] == flow["id"]


def test_get_unknown_and_malformed_ids(gw):
    assert gw.get(f"{AP}/flows/{'a' * 21}").status_code == 404
    assert gw.get(f"{AP}/flows/{'a' * 21}").json()["code"] == "ENTITY_NOT_FOUND"
    assert gw.get(f"{AP}/flows/not-an-id").status_code == 400


def test_credentials_are_required(localgateway):
    response = httpx.get(f"{localgateway.base_url}{AP}/flows")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized - API key or Access Token required"}


def test_organization_header_must_look_like_an_org_id(localgateway):
    token = localgateway.jwt(organizations=["acme"])
    response = httpx.get(
        f"{localgateway.base_url}{AP}/flows",
        headers={"Authorization": f"Bearer {token}", "x-organization-id": "acme"},
    )
    assert response.status_code == 409
    assert response.json() == {"code": "VALIDATION", "params": {"message": "invalid x-organization-id header"}}


def test_another_organization_sees_its_own_project(localgateway, gw):
    flow = create(gw)
    token = localgateway.jwt(organizations=["org_other_team"])
    headers = {"Authorization": f"Bearer {token}", "x-organization-id": "org_other_team"}
    other = httpx.get(f"{localgateway.base_url}{AP}/flows/{flow['id']}", headers=headers)
    assert other.status_code == 404
    me = httpx.get(f"{localgateway.base_url}{AP}/users/me", headers=headers).json()
    assert me["projectId"] != flow["projectId"]


def test_list_pages_with_cursors_newest_first(gw):
    prefix = unique("Paged")
    ids = [create(gw, f"{prefix} {index}")["id"] for index in range(5)]
    first = gw.get(f"{AP}/flows", params={"limit": 2, "name": prefix}).json()
    assert [flow["id"] for flow in first["data"]] == ids[::-1][:2]
    assert first["previous"] is None and first["next"]
    second = gw.get(f"{AP}/flows", params={"limit": 2, "name": prefix, "cursor": first["next"]}).json()
    assert [flow["id"] for flow in second["data"]] == ids[::-1][2:4]
    assert second["previous"]
    back = gw.get(f"{AP}/flows", params={"limit": 2, "name": prefix, "cursor": second["previous"]}).json()
    assert [flow["id"] for flow in back["data"]] == ids[::-1][:2]
    last = gw.get(f"{AP}/flows", params={"limit": 2, "name": prefix, "cursor": second["next"]}).json()
    assert [flow["id"] for flow in last["data"]] == ids[:1]
    assert last["next"] is None


def test_list_filters_by_name_case_insensitively_and_by_status(gw):
    prefix = unique("Filter")
    draft = create(gw, f"{prefix} draft")
    live = published_flow(gw, name=f"{prefix} live")
    by_name = gw.get(f"{AP}/flows", params={"name": prefix.upper()}).json()["data"]
    assert {flow["id"] for flow in by_name} == {draft["id"], live["id"]}
    enabled = gw.get(f"{AP}/flows", params=[("name", prefix), ("status", "ENABLED")]).json()["data"]
    assert [flow["id"] for flow in enabled] == [live["id"]]
    both = gw.get(f"{AP}/flows", params=[("name", prefix), ("status", "ENABLED"), ("status", "DISABLED")]).json()
    assert len(both["data"]) == 2
    assert gw.get(f"{AP}/flows", params={"status": "SOMETIMES"}).status_code == 400


def test_list_locked_fails_when_a_never_published_flow_is_on_the_page(gw):
    prefix = unique("Locked")
    create(gw, f"{prefix} draft")
    response = gw.get(f"{AP}/flows", params={"name": prefix, "versionState": "LOCKED"})
    assert response.status_code == 404
    assert response.json()["code"] == "ENTITY_NOT_FOUND"


def test_update_trigger_makes_a_webhook_trigger_valid(gw):
    flow = create(gw)
    response = operate(gw, flow["id"], "UPDATE_TRIGGER", {**WEBHOOK_TRIGGER, "valid": False})
    assert response.status_code == 200
    version = response.json()["version"]
    assert version["trigger"]["type"] == "PIECE_TRIGGER"
    assert version["trigger"]["valid"] is True
    assert version["valid"] is True


def test_server_recomputes_validity_and_cleans_input(gw):
    flow = create(gw)
    broken = {**WEBHOOK_TRIGGER, "settings": {**WEBHOOK_TRIGGER["settings"], "input": {"stray": 1}}}
    version = operate(gw, flow["id"], "UPDATE_TRIGGER", broken).json()["version"]
    assert version["trigger"]["valid"] is False
    assert version["trigger"]["settings"]["input"] == {}
    assert version["valid"] is False


def test_unknown_piece_version_is_not_found(gw):
    flow = create(gw)
    old = {**WEBHOOK_TRIGGER, "settings": {**WEBHOOK_TRIGGER["settings"], "pieceVersion": "9.0.0"}}
    assert operate(gw, flow["id"], "UPDATE_TRIGGER", old).status_code == 404


def test_add_update_delete_actions_keep_the_chain_in_order(gw):
    flow = create(gw)
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response("step_2")})
    body = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response("step_1")}).json()
    trigger = body["version"]["trigger"]
    assert trigger["nextAction"]["name"] == "step_1"
    assert trigger["nextAction"]["nextAction"]["name"] == "step_2"

    renamed = {**return_response("step_2", status=202), "displayName": "Accepted"}
    body = operate(gw, flow["id"], "UPDATE_ACTION", renamed).json()
    second = body["version"]["trigger"]["nextAction"]["nextAction"]
    assert second["displayName"] == "Accepted"
    assert second["settings"]["input"]["fields"]["status"] == 202

    body = operate(gw, flow["id"], "DELETE_ACTION", {"names": ["step_1"]}).json()
    trigger = body["version"]["trigger"]
    assert trigger["nextAction"]["name"] == "step_2"
    assert "nextAction" not in trigger["nextAction"]


def test_operation_errors(gw):
    flow = create(gw)
    assert gw.post(f"{AP}/flows/{flow['id']}", json={"type": "CHANGE_NAME"}).status_code == 400
    bogus = operate(gw, flow["id"], "TELEPORT", {})
    assert bogus.status_code == 400 and bogus.json()["code"] == "FST_ERR_VALIDATION"
    orphan = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "step_9", "action": return_response()})
    assert orphan.status_code == 400 and orphan.json()["code"] == "FLOW_OPERATION_INVALID"
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response()})
    twice = operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response()})
    assert twice.json()["code"] == "FLOW_OPERATION_INVALID"
    missing = operate(gw, flow["id"], "DELETE_ACTION", {"names": ["step_7"]})
    assert missing.json()["code"] == "FLOW_OPERATION_INVALID"
    assert operate(gw, "b" * 21, "CHANGE_NAME", {"displayName": "x"}).status_code == 404


def test_change_name_and_metadata(gw):
    flow = create(gw)
    renamed = operate(gw, flow["id"], "CHANGE_NAME", {"displayName": "Lead intake"}).json()
    assert renamed["version"]["displayName"] == "Lead intake"
    metadata = {"settings": {"ai": {"type": "function", "function": {"name": "x", "description": "Make a lead"}}}}
    updated = operate(gw, flow["id"], "UPDATE_METADATA", {"metadata": metadata}).json()
    assert updated["metadata"] == metadata
    assert operate(gw, flow["id"], "UPDATE_METADATA", {"metadata": None}).json()["metadata"] is None


def test_publishing_an_empty_trigger_is_refused_and_changes_nothing(gw):
    flow = create(gw)
    response = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "FLOW_OPERATION_INVALID"
    assert "trigger is empty" in body["params"]["message"]
    after = gw.get(f"{AP}/flows/{flow['id']}").json()
    assert after["status"] == "DISABLED" and after["publishedVersionId"] is None
    assert after["version"]["state"] == "DRAFT"


def test_publish_locks_the_version_and_enables(gw):
    flow = published_flow(gw)
    assert flow["status"] == "ENABLED"
    assert flow["publishedVersionId"] == flow["version"]["id"]
    assert flow["version"]["state"] == "LOCKED"
    assert flow["triggerSource"] == {"schedule": None}


def test_publish_with_status_disabled(gw):
    flow = create(gw)
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    body = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {"status": "DISABLED"}).json()
    assert body["status"] == "DISABLED" and body["publishedVersionId"] == body["version"]["id"]


def test_editing_a_published_flow_forks_a_draft_and_webhooks_keep_the_published_version(gw):
    flow = published_flow(gw)
    published_id = flow["publishedVersionId"]
    changed = return_response(status=201, body={"version": "draft"})
    body = operate(gw, flow["id"], "UPDATE_ACTION", changed).json()
    assert body["status"] == "ENABLED"
    assert body["version"]["state"] == "DRAFT"
    assert body["version"]["id"] != published_id
    assert body["publishedVersionId"] == published_id
    live = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"a": 1})
    assert live.status_code == 200 and live.json() == {"echo": {"a": 1}}
    draft = gw.post(f"{AP}/webhooks/{flow['id']}/draft/sync", json={"a": 1})
    assert draft.status_code == 201 and draft.json() == {"version": "draft"}
    republished = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {}).json()
    assert republished["publishedVersionId"] == body["version"]["id"]
    assert gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={}).status_code == 201


def test_change_status(gw):
    flow = published_flow(gw)
    disabled = operate(gw, flow["id"], "CHANGE_STATUS", {"status": "DISABLED"}).json()
    assert disabled["status"] == "DISABLED"
    assert gw.post(f"{AP}/webhooks/{flow['id']}", json={}).status_code == 404
    assert operate(gw, flow["id"], "CHANGE_STATUS", {"status": "ENABLED"}).json()["status"] == "ENABLED"
    never = create(gw)
    refused = operate(gw, never["id"], "CHANGE_STATUS", {"status": "ENABLED"})
    assert refused.status_code == 400


def test_sync_webhook_returns_the_return_response(gw):
    flow = published_flow(gw)
    response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"name": "Ada"}, params={"src": "test"})
    assert response.status_code == 200
    assert response.json() == {"echo": {"name": "Ada"}}
    assert response.headers["x-flow"] == "yes"
    assert response.headers["x-webhook-id"]
    run = wait_for_run(gw, flow["id"])
    assert run["status"] == "SUCCEEDED"
    assert run["environment"] == "PRODUCTION"
    assert "steps" not in run
    detail = gw.get(f"{AP}/flow-runs/{run['id']}").json()
    trigger = detail["steps"]["trigger"]
    assert trigger["output"]["body"] == {"name": "Ada"}
    assert trigger["output"]["queryParams"] == {"src": "test"}
    assert trigger["output"]["method"] == "POST"
    step = detail["steps"]["step_1"]
    assert step["type"] == "PIECE" and step["status"] == "SUCCEEDED"
    assert step["input"]["fields"]["body"] == {"echo": {"name": "Ada"}}
    assert step["output"]["status"] == 200
    assert detail["flowVersion"]["displayName"] == detail["flowDisplayName"] == flow["version"]["displayName"]
    assert detail["startTime"] and detail["finishTime"] and detail["duration"] >= 0


def test_async_webhook_answers_at_once_and_the_run_moves_to_a_terminal_status(gw):
    flow = published_flow(gw)
    response = gw.post(f"{AP}/webhooks/{flow['id']}", json={"x": 1})
    assert response.status_code == 200 and response.json() == {}
    assert response.headers["x-webhook-id"]
    first = wait_for_run(gw, flow["id"], terminal=False)
    assert first["status"] in ("QUEUED", "RUNNING")
    assert wait_for_run(gw, flow["id"])["status"] == "SUCCEEDED"


def test_webhook_status_codes_for_unknown_disabled_and_unpublished_flows(gw):
    unknown = "c" * 21
    for suffix in ("", "/sync", "/draft/sync"):
        assert gw.post(f"{AP}/webhooks/{unknown}{suffix}", json={}).status_code == 410
    never = create(gw)
    assert gw.post(f"{AP}/webhooks/{never['id']}", json={}).status_code == 404
    assert gw.post(f"{AP}/webhooks/{never['id']}/sync", json={}).status_code == 404
    assert gw.post(f"{AP}/webhooks/{never['id']}/draft", json={}).status_code == 200


def test_draft_sync_runs_anyway_and_is_not_listed(gw):
    flow = create(gw)
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response(status=202)})
    response = gw.post(f"{AP}/webhooks/{flow['id']}/draft/sync", json={"t": True})
    assert response.status_code == 202
    assert gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"]}).json()["data"] == []


def test_delete_hides_the_flow_then_webhooks_are_gone(gw):
    flow = published_flow(gw)
    assert gw.delete(f"{AP}/flows/{flow['id']}").status_code == 204
    listed = gw.get(f"{AP}/flows", params={"name": flow["version"]["displayName"]}).json()["data"]
    assert listed == []
    again = gw.delete(f"{AP}/flows/{flow['id']}")
    assert again.status_code in (400, 404)
    assert gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={}).status_code == 410
    for _ in range(50):
        if gw.get(f"{AP}/flows/{flow['id']}").status_code == 404:
            break
        time.sleep(0.1)
    assert gw.get(f"{AP}/flows/{flow['id']}").status_code == 404


def test_runs_filter_by_status_and_page(gw):
    flow = published_flow(gw)
    for index in range(3):
        assert gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"n": index}).status_code == 200
    page = gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"], "limit": 2}).json()
    assert len(page["data"]) == 2 and page["next"]
    rest = gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"], "limit": 2, "cursor": page["next"]}).json()
    assert len(rest["data"]) == 1
    ids = [run["id"] for run in page["data"] + rest["data"]]
    assert len(set(ids)) == 3
    failed = gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"], "status": "FAILED"}).json()
    assert failed["data"] == []


def test_unknown_run_is_flow_run_not_found(gw):
    response = gw.get(f"{AP}/flow-runs/{'d' * 21}")
    assert response.status_code == 400
    assert response.json() == {"code": "FLOW_RUN_NOT_FOUND", "params": {"id": "d" * 21}}


def test_users_me_gives_the_project(gw):
    me = gw.get(f"{AP}/users/me").json()
    assert me["projectId"] and me["platformRole"] == "MEMBER"
    assert gw.get(f"{AP}/users/projects/current").status_code == 404


def test_piece_metadata_gives_the_webhook_piece_version(gw):
    piece = gw.get(f"{AP}/pieces/@activepieces/piece-webhook").json()
    assert piece["version"] == "0.1.24"
    assert "return_response" in piece["actions"]


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    """The demo data loaded in this process, on a database of its own."""
    from localgateway import app as gateway
    from localgateway.config import load

    monkeypatch.setenv("LOCALGATEWAY_DATA_DIR", str(tmp_path))
    config = load()
    gateway.open_database(config)
    gateway.seed(config)
    return config


def test_seeded_flow_is_published_with_tool_metadata_and_runs(seeded):
    from localgateway import db
    from localgateway.domains import flows

    rows = db.conn().execute("SELECT * FROM ap_flows WHERE display_name = 'Create lead from webhook'").fetchall()
    assert len(rows) == 1
    flow = flows.flow_json(dict(rows[0]))
    assert flow["status"] == "ENABLED" and flow["version"]["state"] == "LOCKED" and flow["version"]["valid"]
    assert flow["metadata"]["settings"]["ai"]["function"]["description"]
    step = flow["version"]["trigger"]["nextAction"]
    assert (step["settings"]["actionName"], step["valid"]) == ("auto_data_board", True)
    assert step["settings"]["input"]["contentJson"]["contentJson"]["Name"] == "{{trigger.body.company}}"
    assert step["nextAction"]["settings"]["input"]["fields"]["body"]["item_id"] == "{{step_1.boardResponse.data.id}}"
    runs = db.conn().execute("SELECT status, steps FROM ap_flow_runs WHERE flow_id = ?", (flow["id"],)).fetchall()
    # The third call had no company: data-board refused it, which the piece reports as an output, not a failure.
    # A fourth run timed out (the console's dashboard shows it under Needs attention).
    assert sorted(run["status"] for run in runs) == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "TIMEOUT"]
    runs = [run for run in runs if run["status"] == "SUCCEEDED"]
    outputs = [db.loads(run["steps"])["step_1"]["output"] for run in runs]
    assert sum(1 for output in outputs if output.get("success") is False) == 1
    succeeded = next(
        db.loads(run["steps"]) for run in runs if "boardResponse" in db.loads(run["steps"])["step_1"]["output"]
    )
    assert (
        succeeded["step_2"]["output"]["body"]["item_id"] == succeeded["step_1"]["output"]["boardResponse"]["data"]["id"]
    )


def test_flow_tools_lists_only_published_enabled_flows(seeded):
    from localgateway import db
    from localgateway.domains import flows

    ids = [row["id"] for row in db.conn().execute("SELECT id FROM ap_flows ORDER BY display_name")]
    tools = flows.flow_tools(seeded.organization_id, [*ids, "x" * 21])
    assert len(tools) == 1
    tool = tools[0]
    assert tool["name"] == "Create lead from webhook"
    assert tool["tool_name"] == "Create_lead_from_webhook"
    assert tool["description"].startswith("Add a new sales lead")
    assert flows.flow_tools("org_someone_else", ids) == []


async def test_flow_run_sync_runs_the_published_flow_and_records_a_run(seeded):
    from localgateway import db
    from localgateway.domains import flows

    flow_id = db.conn().execute("SELECT id FROM ap_flows WHERE status = 'ENABLED'").fetchone()["id"]
    status, body = await flows.flow_run_sync(
        seeded.organization_id, flow_id, {"company": "Cobra Kai", "email": "j@cobrakai.example"}
    )
    assert status == 201
    assert body["message"] == "Lead Cobra Kai created" and body["item_id"]
    newest = (
        db.conn()
        .execute("SELECT status, steps FROM ap_flow_runs WHERE flow_id = ? ORDER BY created DESC LIMIT 1", (flow_id,))
        .fetchone()
    )
    assert newest["status"] == "SUCCEEDED"
    assert db.loads(newest["steps"])["trigger"]["output"]["body"]["company"] == "Cobra Kai"
    draft_id = db.conn().execute("SELECT id FROM ap_flows WHERE status = 'DISABLED'").fetchone()["id"]
    assert await flows.flow_run_sync(seeded.organization_id, draft_id, {}) == (404, {})
    assert await flows.flow_run_sync(seeded.organization_id, "q" * 21, {}) == (410, {})


@pytest.fixture(scope="module")
def quick_gateway(tmp_path_factory):
    """A gateway whose sync listener gives up after half a second (the real one waits 30 s)."""
    gateway = start_localgateway(
        tmp_path_factory.mktemp("flows-quick"),
        extra_env={"LOCALGATEWAY_WEBHOOK_SYNC_TIMEOUT": "0.5", "LOCALGATEWAY_FLOW_RUN_DELAY": "0.05"},
    )
    yield gateway
    gateway.stop()


def test_sync_without_return_response_waits_for_the_timeout_then_204(quick_gateway):
    with quick_gateway.client() as gw:
        flow = published_flow(gw, with_response=False)
        response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"a": 1})
        assert response.status_code == 204
        assert response.content == b""
        assert wait_for_run(gw, flow["id"])["status"] == "SUCCEEDED"


def board_item_step(board_id: str, name: str = "step_1") -> dict:
    """The data-board piece's ``auto_data_board`` creating an item in JSON mode, keyed by field name."""
    return {
        "name": name,
        "type": "PIECE",
        "valid": True,
        "displayName": "Create lead",
        "settings": {
            "pieceName": "@activepieces/piece-automate-data-board",
            "pieceVersion": "~0.0.1",
            "actionName": "auto_data_board",
            "input": {
                "version": "1",
                "boardId": board_id,
                "chooseAction": "create",
                "inputMethod": {"inputMethod": "json"},
                "contentJson": {
                    "contentJson": {"Company": "{{trigger.body.company}}", "Seats": "{{trigger.body.seats}}"}
                },
            },
            "propertySettings": {
                key: {"type": "MANUAL"} for key in ("version", "boardId", "chooseAction", "inputMethod", "contentJson")
            },
        },
    }


@pytest.fixture
def lead_board(gw) -> dict:
    body = {
        "name": unique("Leads"),
        "fields": [
            {"name": "Company", "type": "ShortText", "isUniqueIdentifier": True},
            {"name": "Seats", "type": "Number"},
        ],
    }
    response = gw.post("/data-board/boards", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()["data"]


def board_flow(gw, board_id: str) -> dict:
    flow = create(gw)
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": board_item_step(board_id)})
    answer = return_response(
        "step_2",
        status=201,
        body={"item_id": "{{step_1.boardResponse.data.id}}", "note": "made {{trigger.body.company}}"},
    )
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "step_1", "action": answer})
    published = operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})
    assert published.status_code == 200, published.text
    return published.json()


def test_board_item_step_creates_an_item_from_the_payload(gw, lead_board):
    flow = board_flow(gw, lead_board["id"])
    response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"company": "Initrode", "seats": 40})
    assert response.status_code == 201
    body = response.json()
    assert body["note"] == "made Initrode"
    item = gw.get(f"/data-board/boards/{lead_board['id']}/items/{body['item_id']}").json()["data"]
    assert sorted(item["fields"].values(), key=str) == [40, "Initrode"]
    run = gw.get(f"{AP}/flow-runs/{wait_for_run(gw, flow['id'])['id']}").json()
    assert run["steps"]["step_1"]["input"]["contentJson"] == {"contentJson": {"Company": "Initrode", "Seats": 40}}
    assert run["steps"]["step_1"]["output"]["boardResponse"]["data"]["id"] == body["item_id"]


def test_a_refused_board_call_is_an_output_of_a_succeeded_step(gw, lead_board):
    """[WF autoDataBoard.ts]: data-board's 400 (the identifier field missing) does not fail the step."""
    flow = board_flow(gw, lead_board["id"])
    response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"seats": 3})
    assert response.status_code == 201
    run = wait_for_run(gw, flow["id"])
    assert run["status"] == "SUCCEEDED"
    output = gw.get(f"{AP}/flow-runs/{run['id']}").json()["steps"]["step_1"]["output"]
    assert output["success"] is False and output["error"].startswith("Private Imbrace API request failed")


def test_a_failing_step_fails_the_run_and_the_sync_call(gw):
    # A CODE step always fails on the local engine (it has no Node.js sandbox): the one way to make a
    # published step fail here, now that the data-board piece reports its errors as outputs.
    flow = create(gw)
    operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    code = {
        "name": "step_1",
        "type": "CODE",
        "valid": True,
        "displayName": "Create lead",
        "settings": {"sourceCode": {"code": "export const code = async () => 1", "packageJson": "{}"}, "input": {}},
    }
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": code})
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "step_1", "action": return_response("step_2")})
    assert operate(gw, flow["id"], "LOCK_AND_PUBLISH", {}).status_code == 200
    response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"seats": 3})
    assert response.status_code == 500
    assert response.json() == {"message": "The flow has failed and there is no response returned"}
    run = wait_for_run(gw, flow["id"])
    assert run["status"] == "FAILED"
    assert run["failedStep"] == {"name": "step_1", "displayName": "Create lead"}
    detail = gw.get(f"{AP}/flow-runs/{run['id']}").json()
    assert detail["steps"]["step_1"]["status"] == "FAILED"
    assert detail["steps"]["step_1"]["errorMessage"]
    assert "step_2" not in detail["steps"]


def test_references_to_missing_payload_keys_are_left_out(gw, lead_board):
    flow = board_flow(gw, lead_board["id"])
    response = gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"company": "No Seats Inc"})
    assert response.status_code == 201
    run = gw.get(f"{AP}/flow-runs/{wait_for_run(gw, flow['id'])['id']}").json()
    assert run["steps"]["step_1"]["input"]["contentJson"] == {"contentJson": {"Company": "No Seats Inc"}}
