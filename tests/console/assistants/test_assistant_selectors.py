"""Assistant selectors against the local gateway: list, get, the model picker, names of what it uses."""

from __future__ import annotations

import uuid

import pytest

from apps.assistants.selectors import (
    assistant_get,
    assistant_list,
    assistant_resources,
    assistant_workflow_name_owner,
    model_choices,
    provider_label,
)
from imbrace_console.gateway import GatewayNotFound


def make_assistant(gw, **fields) -> dict:
    body = {"name": f"Sel {uuid.uuid4().hex[:8]}", "workflow_name": f"sel_{uuid.uuid4().hex[:10]}", **fields}
    response = gw.post("/v3/ai/assistant_apps", json=body)
    response.raise_for_status()
    return response.json()


def make_provider(gw, models: list[dict]) -> dict:
    response = gw.post(
        "/v3/ai/providers",
        json={
            "name": f"Provider {uuid.uuid4().hex[:6]}",
            "type": "openai",
            "config": {"apiKey": "sk-test-0000-secret"},
            "models": models,
        },
    )
    response.raise_for_status()
    return response.json()


async def test_assistant_list_searches_by_name(gw):
    tag = uuid.uuid4().hex[:8]
    wanted = make_assistant(gw, name=f"Returns desk {tag}")
    make_assistant(gw, name=f"Sales desk {tag}")
    found = await assistant_list(search=f"  returns DESK {tag} ")
    assert [row["id"] for row in found] == [wanted["id"]]
    everything = await assistant_list()
    assert wanted["id"] in {row["id"] for row in everything}


async def test_assistant_get_and_not_found(gw):
    row = make_assistant(gw)
    got = await assistant_get(assistant_id=row["id"])
    assert got["assistant_id"] == row["id"]
    with pytest.raises(GatewayNotFound):
        await assistant_get(assistant_id=str(uuid.uuid4()))


async def test_workflow_name_owner_ignores_case_and_the_assistant_itself(gw):
    row = make_assistant(gw)
    owner = await assistant_workflow_name_owner(workflow_name=row["workflow_name"].upper())
    assert owner["id"] == row["id"]
    assert await assistant_workflow_name_owner(workflow_name=row["workflow_name"], exclude_id=row["id"]) is None
    assert await assistant_workflow_name_owner(workflow_name=f"free_{uuid.uuid4().hex}") is None


async def test_model_choices_put_the_system_default_first_then_shown_custom_models(gw):
    provider = make_provider(
        gw, [{"name": "shown-one", "is_shown": True}, {"name": "hidden-one", "is_shown": False}, "discovered"]
    )
    choices = await model_choices()
    label, options = choices.groups[0]
    assert label == "System default"
    assert options[0][0] == "system::Default"
    catalogue = gw.get("/v3/ai/workflow-agent/models").json()["data"]
    assert [value for value, _ in options[1:]] == [f"system::{m['name']}" for m in catalogue]
    group = dict(choices.groups)[provider["name"]]
    assert group == [(f"{provider['provider_id']}::shown-one", "shown-one")]
    assert choices.provider_names[provider["provider_id"]] == provider["name"]
    assert choices.warnings == []


async def test_model_choices_degrade_when_providers_fail(gateway_faults):
    gateway_faults.add_fault(path="/v3/ai/providers", kind="status", status=500)
    choices = await model_choices()
    assert choices.groups[0][1][0][0] == "system::Default"
    assert len(choices.groups) == 1
    assert choices.warnings and "Custom providers could not be loaded" in choices.warnings[0]


async def test_provider_label(gw):
    provider = make_provider(gw, [])
    assert await provider_label(provider_id="system") == "System default"
    assert await provider_label(provider_id=provider["provider_id"]) == provider["name"]
    unknown = str(uuid.uuid4())
    assert await provider_label(provider_id=unknown) == unknown


async def test_resources_show_the_id_when_a_name_lookup_fails(gateway_faults):
    gateway_faults.add_fault(path="/data-board/boards", kind="status", status=500)
    assistant = {"folder_ids": [], "board_ids": ["board-x"], "workflow_function_call": []}
    groups = await assistant_resources(assistant=assistant)
    boards = groups["boards"]
    assert boards.lookup_failed is True
    assert [(item.id, item.name) for item in boards.linked] == [("board-x", "board-x")]
    assert boards.available == []


async def test_resources_mark_ids_that_no_longer_exist(gw):
    assistant = {"folder_ids": ["gone-folder"], "board_ids": [], "workflow_function_call": [{"flow_id": "f-obj"}]}
    groups = await assistant_resources(assistant=assistant)
    assert [(item.id, item.found) for item in groups["folders"].linked] == [("gone-folder", False)]
    assert groups["folders"].lookup_failed is False
    # the documented object form of a bound flow is read as its id
    assert [item.id for item in groups["flows"].linked] == ["f-obj"]
