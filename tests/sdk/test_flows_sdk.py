"""The official imbrace SDK's workflow calls (as the SDK guide uses them) against the local gateway."""

from __future__ import annotations

import os
import time

import pytest
from imbrace import ImbraceClient

pytestmark = pytest.mark.sdk

PIECE_VERSION = "0.1.24"


@pytest.fixture
def sdk(localgateway):
    client = ImbraceClient(api_key=localgateway.api_key, base_url=localgateway.base_url)
    yield client
    client.close()


def test_the_guide_end_to_end(sdk):
    workflows = sdk.workflows
    listed = workflows.list_flows(limit=5)
    assert set(listed) >= {"data", "next", "previous"}

    name = f"SDK guide flow {os.urandom(3).hex()}"
    project_id = listed["data"][0]["projectId"] if listed["data"] else None
    flow = workflows.create_flow(name, project_id)  # the guide's call; the engine ignores the project sent
    assert flow["status"] == "DISABLED" and flow["version"]["trigger"]["type"] == "EMPTY"
    flow_id = flow["id"]

    updated = workflows.apply_flow_operation(
        flow_id,
        {
            "type": "UPDATE_TRIGGER",
            "request": {
                "name": "trigger",
                "type": "PIECE_TRIGGER",
                "valid": True,
                "displayName": "Catch Webhook",
                "settings": {
                    "pieceName": "@activepieces/piece-webhook",
                    "pieceVersion": PIECE_VERSION,
                    "triggerName": "catch_webhook",
                    "input": {"authType": "none"},
                    "propertySettings": {},
                },
            },
        },
    )
    assert updated["version"]["valid"] is True

    workflows.apply_flow_operation(
        flow_id,
        {
            "type": "ADD_ACTION",
            "request": {
                "parentStep": "trigger",
                "stepLocationRelativeToParent": "AFTER",
                "action": {
                    "name": "step_1",
                    "type": "PIECE",
                    "valid": True,
                    "displayName": "Return Response",
                    "settings": {
                        "pieceName": "@activepieces/piece-webhook",
                        "pieceVersion": PIECE_VERSION,
                        "actionName": "return_response",
                        "input": {
                            "responseType": "json",
                            "respond": "stop",
                            "fields": {"status": 200, "headers": {}, "body": {"received": "{{trigger.body.order}}"}},
                        },
                        "propertySettings": {},
                    },
                },
            },
        },
    )
    published = workflows.apply_flow_operation(flow_id, {"type": "LOCK_AND_PUBLISH", "request": {}})
    assert published["status"] == "ENABLED"
    assert published["publishedVersionId"] == published["version"]["id"]

    assert workflows.trigger_flow_sync(flow_id, {"order": "A-17"}) == {"received": "A-17"}
    assert workflows.trigger_flow(flow_id, {"order": "B-2"}) == {}

    runs = []
    for _ in range(100):
        runs = workflows.list_runs(limit=10, flow_id=flow_id)["data"]
        if len(runs) == 2 and all(run["status"] == "SUCCEEDED" for run in runs):
            break
        time.sleep(0.1)
    assert [run["status"] for run in runs] == ["SUCCEEDED", "SUCCEEDED"]
    assert all(run["flowVersion"]["displayName"] == name for run in runs)
    run = workflows.get_run(runs[0]["id"])
    assert run["steps"]["trigger"]["output"]["body"] == {"order": "B-2"}

    assert workflows.list_runs(flow_id=flow_id, status="FAILED")["data"] == []
    workflows.delete_flow(flow_id)


def test_resolve_project_id_falls_back_to_the_first_flow(sdk, gw):
    """The engine has no /users/projects/current; the SDK's fallback reads a flow's projectId."""
    gw.post("/activepieces/v1/flows", json={"displayName": "Project probe"})
    assert sdk.workflows.resolve_project_id() == gw.get("/activepieces/v1/users/me").json()["projectId"]


def test_trigger_of_an_unpublished_flow_is_an_api_error(sdk):
    from imbrace.exceptions import ApiError

    flow = sdk.workflows.create_flow(f"Never published {os.urandom(3).hex()}", None)
    with pytest.raises(ApiError) as caught:
        sdk.workflows.trigger_flow(flow["id"], {})
    assert caught.value.status_code == 404
