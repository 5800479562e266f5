"""Error bodies of services the local gateway does not yet serve in the same shape.

These use respx because they pin the mapping of exact service bodies
(Zod issues as a JSON string, chat-ai's "[ERROR: ...]" 400, ai-agent's 500
"not found", Activepieces' 409 VALIDATION) independently of the stand-in.
"""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from imbrace_console.gateway import (
    GatewayClient,
    GatewayConflict,
    GatewayError,
    GatewayNotFound,
    GatewaySettings,
    GatewayValidationError,
)

BASE = "http://gateway.test"


@pytest.fixture
def client():
    return GatewayClient(GatewaySettings(base_url=BASE, api_key="api_x", retries=0))


ZOD = {
    "success": False,
    "error": {
        "name": "ZodError",
        "message": json.dumps(
            [
                {
                    "expected": "string",
                    "code": "invalid_type",
                    "path": ["name"],
                    "message": "Invalid input: expected string",
                },
                {
                    "code": "too_small",
                    "path": ["fields", 0, "name"],
                    "message": "Too small: expected string to have >=1",
                },
            ],
            indent=2,
        ),
    },
}


@respx.mock
async def test_zod_issues_become_field_errors(client):
    respx.post(f"{BASE}/data-board/boards").mock(return_value=httpx.Response(400, json=ZOD))
    with pytest.raises(GatewayValidationError) as caught:
        await client.request("POST", "/data-board/boards", json={})
    assert caught.value.field_errors == {
        "name": "Invalid input: expected string",
        "fields.0.name": "Too small: expected string to have >=1",
    }
    assert "name: Invalid input" in caught.value.user_message


@respx.mock
async def test_ai_service_400_not_found_is_not_found(client):
    respx.get(f"{BASE}/v3/ai/assistants/abc").mock(
        return_value=httpx.Response(400, json={"detail": "[ERROR: Assistant not found]"})
    )
    with pytest.raises(GatewayNotFound) as caught:
        await client.request("GET", "/v3/ai/assistants/abc")
    assert caught.value.message == "Assistant not found"


@respx.mock
async def test_ai_service_other_400_is_validation_without_the_wrapper(client):
    respx.post(f"{BASE}/v3/ai/assistant_apps").mock(
        return_value=httpx.Response(400, json={"detail": "[ERROR: Invalid workflow name.]"})
    )
    with pytest.raises(GatewayValidationError) as caught:
        await client.request("POST", "/v3/ai/assistant_apps", json={})
    assert caught.value.user_message == "Invalid workflow name."


@respx.mock
async def test_ai_agent_500_assistant_not_found_is_not_found(client):
    respx.post(f"{BASE}/ai-agent/v2/chat").mock(
        return_value=httpx.Response(500, json={"error": "Assistant not found: 3f0c"})
    )
    with pytest.raises(GatewayNotFound):
        await client.request("POST", "/ai-agent/v2/chat", json={})


@respx.mock
async def test_unique_value_409_is_a_conflict_with_the_message(client):
    body = {"error": "Value 'a@b.co' already exists for unique field 'Email'"}
    respx.post(f"{BASE}/data-board/boards/b/items").mock(return_value=httpx.Response(409, json=body))
    with pytest.raises(GatewayConflict) as caught:
        await client.request("POST", "/data-board/boards/b/items", json={})
    assert caught.value.user_message == body["error"]


@respx.mock
async def test_activepieces_409_validation_is_validation(client):
    body = {"code": "VALIDATION", "params": {"message": "invalid x-organization-id header"}}
    respx.get(f"{BASE}/activepieces/v1/flows").mock(return_value=httpx.Response(409, json=body))
    with pytest.raises(GatewayValidationError) as caught:
        await client.request("GET", "/activepieces/v1/flows")
    assert caught.value.message == "invalid x-organization-id header"


@respx.mock
async def test_plain_500_is_a_generic_gateway_error(client):
    respx.get(f"{BASE}/data-board/folders").mock(
        return_value=httpx.Response(500, json={"success": False, "error": {"message": "Internal server error"}})
    )
    with pytest.raises(GatewayError) as caught:
        await client.request("GET", "/data-board/folders")
    assert type(caught.value) is GatewayError
    assert caught.value.detail == "Internal server error"
