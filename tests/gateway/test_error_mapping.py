"""Each service's own error bodies, produced by the local gateway, mapped to typed errors."""

from __future__ import annotations

import uuid

import pytest

from imbrace_console.gateway import (
    GatewayClient,
    GatewayConflict,
    GatewayError,
    GatewayNotFound,
    GatewaySettings,
    GatewayValidationError,
)


@pytest.fixture
async def client(localgateway):
    gateway = GatewayClient(GatewaySettings(base_url=localgateway.base_url, api_key=localgateway.api_key, retries=0))
    yield gateway
    await gateway.aclose()


async def test_zod_issues_become_field_errors(client):
    with pytest.raises(GatewayValidationError) as caught:
        await client.request("POST", "/data-board/boards", json={"type": "NotAType"})
    errors = caught.value.field_errors
    assert set(errors) >= {"name", "type"}
    assert "expected string" in errors["name"]
    assert caught.value.status == 400
    assert "name:" in caught.value.user_message


async def test_ai_service_400_not_found_is_not_found(client):
    with pytest.raises(GatewayNotFound) as caught:
        await client.request("GET", f"/v3/ai/assistants/{uuid.uuid4()}")
    assert caught.value.status == 400
    assert caught.value.message == "Assistant not found"


async def test_ai_service_other_400_is_validation_without_the_wrapper(client):
    with pytest.raises(GatewayValidationError) as caught:
        await client.request("POST", "/v3/ai/assistant_apps", json={"name": "Only a name"})
    assert caught.value.user_message == "Invalid workflow name."


async def test_ai_agent_500_assistant_not_found_is_not_found(client):
    body = {
        "id": str(uuid.uuid4()),
        "assistant_id": "no-such-assistant",
        "messages": [{"role": "user", "content": "hi"}],
    }
    with pytest.raises(GatewayNotFound) as caught:
        await client.request("POST", "/ai-agent/v2/chat", json=body)
    assert caught.value.status == 500


async def test_unique_value_409_is_a_conflict_with_the_message(client):
    board = (
        await client.json(
            "POST",
            "/data-board/boards",
            json={
                "name": f"Mapping {uuid.uuid4().hex[:6]}",
                "fields": [{"name": "Email", "type": "Email", "isUniqueIdentifier": True}],
            },
        )
    )["data"]
    field_id = board["fields"][0]["id"]
    path = f"/data-board/boards/{board['id']}/items"
    await client.request("POST", path, json={"fields": {field_id: "a@b.co"}})
    with pytest.raises(GatewayConflict) as caught:
        await client.request("POST", path, json={"fields": {field_id: "a@b.co"}})
    assert "already exists" in caught.value.user_message


async def test_activepieces_409_validation_is_validation(localgateway):
    token = localgateway.jwt(organizations=["org bad!"])
    client = GatewayClient(
        GatewaySettings(base_url=localgateway.base_url, access_token=token, organization_id="org bad!", retries=0)
    )
    with pytest.raises(GatewayValidationError) as caught:
        await client.request("GET", "/activepieces/v1/flows")
    assert caught.value.status == 409
    assert caught.value.message == "invalid x-organization-id header"
    await client.aclose()


async def test_plain_500_is_a_generic_gateway_error(client, gateway_faults):
    gateway_faults.add_fault(path="/data-board/folders", kind="status", status=500, times=1)
    with pytest.raises(GatewayError) as caught:
        await client.request("POST", "/data-board/folders", json={})
    assert type(caught.value) is GatewayError
    assert caught.value.detail == "Injected fault"


async def test_unknown_service_path_is_not_found(client):
    with pytest.raises(GatewayNotFound):
        await client.request("GET", "/data-board/no-such-thing")


@pytest.mark.parametrize("path", ["/activepieces/v1/flows/{}", "/activepieces/v1/flow-runs/{}"])
async def test_activepieces_refusing_the_shape_of_a_path_id_is_not_found(client, path):
    """Activepieces checks path ids against ^[0-9a-zA-Z]{21}$ (400 FST_ERR_VALIDATION): nothing has that id."""
    with pytest.raises(GatewayNotFound) as caught:
        await client.request("GET", path.format("b" * 128))
    assert caught.value.status == 400
    assert "params/id" in caught.value.message


async def test_activepieces_refusing_a_body_field_stays_a_validation_error(client):
    with pytest.raises(GatewayValidationError):
        await client.request("POST", "/activepieces/v1/flows", json={"displayName": 5})
