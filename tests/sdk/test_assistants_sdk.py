"""The official ``imbrace`` SDK's assistant calls, run against the local gateway.

The guide's sequence: create an assistant, update it with folders, boards and
bound flows, get it, list it, delete it; plus the provider picker helpers.
"""

from __future__ import annotations

import uuid

import pytest
from imbrace import ImbraceClient
from imbrace.exceptions import ApiError

pytestmark = pytest.mark.sdk


@pytest.fixture
def sdk(localgateway):
    with ImbraceClient(gateway=localgateway.base_url, api_key=localgateway.api_key, timeout=10) as client:
        yield client


def test_create_update_get_list_delete(sdk):
    name = f"SDK Bot {uuid.uuid4().hex[:8]}"
    created = sdk.chat_ai.create_ai_agent(
        {
            "name": name,
            "workflow_name": f"sdk_bot_v{uuid.uuid4().int % 10**10}",
            "core_task": "Answer questions about orders",
            "streaming": True,
        }
    )
    agent_id = created["id"]
    # the SDK fills the org default model when none is given
    assert (created["provider_id"], created["model_id"]) == ("default", "Default")
    assert created["streaming"] is True

    updated = sdk.chat_ai.update_ai_agent(
        agent_id,
        {"folder_ids": ["folder-1"], "board_ids": ["board-1"], "workflow_function_call": ["flow-1", "flow-2"]},
    )
    assert updated["folder_ids"] == ["folder-1"]
    assert updated["board_ids"] == ["board-1"]
    assert updated["workflow_function_call"] == ["flow-1", "flow-2"]
    # the SDK re-sends every field, so the full-replace route keeps them
    assert updated["streaming"] is True
    assert updated["core_task"] == "Answer questions about orders"
    assert updated["provider_id"] == "default"

    got = sdk.chat_ai.get_ai_agent(agent_id)
    assert got["assistant_id"] == agent_id
    assert got["name"] == name
    assert got["workflow_function_call"] == ["flow-1", "flow-2"]

    listed = sdk.chat_ai.list_ai_agents()
    assert agent_id in {row["id"] for row in listed}
    wrapped = sdk.ai.list_ai_agents_v2()
    assert wrapped["total"] == len(wrapped["data"])
    assert sdk.ai.check_ai_agent_name(name) == {"exist": True}

    assert sdk.chat_ai.delete_ai_agent(agent_id) is True
    with pytest.raises(ApiError) as excinfo:
        sdk.chat_ai.get_ai_agent(agent_id)
    assert excinfo.value.status_code == 400
    assert "Assistant not found" in str(excinfo.value)


def test_update_of_a_deleted_assistant_fails(sdk):
    created = sdk.chat_ai.create_ai_agent({"name": f"Gone {uuid.uuid4().hex[:6]}", "workflow_name": "gone_v1"})
    sdk.chat_ai.delete_ai_agent(created["id"])
    with pytest.raises(ApiError) as excinfo:
        sdk.chat_ai.update_ai_agent(created["id"], {"folder_ids": ["x"]})
    assert excinfo.value.status_code == 400


def test_create_without_workflow_name_is_refused(sdk):
    with pytest.raises(ApiError) as excinfo:
        sdk.chat_ai.create_ai_agent({"name": "No workflow"})
    assert excinfo.value.status_code == 400
    assert "Invalid workflow name." in str(excinfo.value)


def test_list_providers_includes_the_system_entry_first(sdk):
    providers = sdk.ai.list_providers(include_system=True)
    assert providers[0]["provider_id"] == "system"
    assert providers[0]["models"]
    assert all(p["source"] == "custom" for p in providers[1:])
    models = sdk.ai.get_llm_models()
    assert models["success"] is True
    assert [m["name"] for m in models["data"]] == [m["name"] for m in providers[0]["models"]]
