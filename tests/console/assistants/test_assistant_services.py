"""Assistant services against the local gateway: what is sent, what is kept, what is audited."""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import pytest

from apps.assistants.services import (
    WorkflowNameTaken,
    assistant_create,
    assistant_delete,
    assistant_full_body,
    assistant_resource_set,
    assistant_resources_update,
    assistant_update,
    workflow_name_suggest,
)
from apps.audit.models import AuditEvent
from imbrace_console.gateway import GatewayNotFound, GatewayValidationError

# Async tests reach the database from another thread, so they need real transactions.
async_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ACTOR = SimpleNamespace(pk=None, username="service-tester")


def form_fields(**overrides) -> dict:
    return {
        "name": f"Svc {uuid.uuid4().hex[:8]}",
        "workflow_name": f"svc_{uuid.uuid4().hex[:10]}",
        "description": "Helps with refunds",
        "core_task": "Answer refund questions from the policy folder.",
        "personality_role": "A careful support agent",
        "tone_and_style": "Plain",
        "response_length": "Short",
        "banned_words": "guarantee",
        "provider_id": "system",
        "model_id": "Default",
        "temperature": 0.3,
        **overrides,
    }


def make_assistant(gw, **fields) -> dict:
    body = {"name": f"Svc {uuid.uuid4().hex[:8]}", "workflow_name": f"svc_{uuid.uuid4().hex[:10]}", **fields}
    response = gw.post("/v3/ai/assistant_apps", json=body)
    response.raise_for_status()
    return response.json()


def test_workflow_name_suggestion_is_snake_case_with_the_epoch():
    assert workflow_name_suggest(name="Café Support Bot!", now=1732600000) == "cafe_support_bot_v1732600000"
    assert workflow_name_suggest(name="42 answers", now=1) == "assistant_42_answers_v1"
    assert workflow_name_suggest(name="???", now=5) == "assistant_v5"


def test_full_body_sends_sub_agents_as_ids_and_never_team_leads():
    current = {
        "id": "a1",
        "assistant_id": "a1",
        "name": "Lead",
        "workflow_name": "lead_v1",
        "sub_agents": [{"assistant_id": "s1", "name": "Sub", "instructions": "x"}],
        "team_leads": [{"assistant_id": "t1", "name": "Top"}],
        "streaming": True,
        "temperature": None,
        "created_at": "2025-01-01",
    }
    body = assistant_full_body(current)
    assert body["sub_agents"] == ["s1"]
    assert "team_leads" not in body
    assert "id" not in body and "created_at" not in body
    assert body["temperature"] is None  # an explicit None is kept, not reset to the service default
    without_name = assistant_full_body({"name": "Legacy bot", "sub_agents": []})
    assert re.fullmatch(r"legacy_bot_v\d+", without_name["workflow_name"])


@async_db
async def test_create_streams_with_a_model_and_the_core_task_as_instructions(gw):
    fields = form_fields()
    created = await assistant_create(actor=ACTOR, fields=fields)
    stored = gw.get(f"/v3/ai/assistants/{created['id']}").json()
    assert stored["streaming"] is True
    assert (stored["provider_id"], stored["model_id"]) == ("system", "Default")
    assert stored["core_task"] == fields["core_task"]
    assert stored["instructions"] == fields["core_task"]
    assert stored["workflow_name"] == fields["workflow_name"]
    assert stored["temperature"] == 0.3
    assert stored["personality_role"] == "A careful support agent"
    event = await AuditEvent.objects.aget(action="assistant.create", target_id=created["id"])
    assert event.outcome == "success"
    assert event.target_name == fields["name"]
    assert event.actor_username == "service-tester"


@async_db
async def test_create_generates_a_workflow_name_when_blank(gw):
    created = await assistant_create(actor=ACTOR, fields=form_fields(name="Night Shift Helper", workflow_name=""))
    assert re.fullmatch(r"night_shift_helper_v\d{10}", created["workflow_name"])


@async_db
async def test_create_refuses_a_workflow_name_already_used(gw):
    existing = make_assistant(gw)
    name = f"Dup {uuid.uuid4().hex[:8]}"
    with pytest.raises(WorkflowNameTaken) as excinfo:
        await assistant_create(actor=ACTOR, fields=form_fields(name=name, workflow_name=existing["workflow_name"]))
    assert existing["name"] in str(excinfo.value)
    assert gw.get("/v3/ai/assistants/check-name", params={"name": name}).json() == {"exist": False}


@async_db
async def test_create_rejected_by_the_service_is_audited_as_a_failure(gw):
    with pytest.raises(GatewayValidationError) as excinfo:
        await assistant_create(actor=ACTOR, fields=form_fields(workflow_name="w" * 300))
    assert excinfo.value.user_message == "Invalid workflow name."
    event = await AuditEvent.objects.filter(action="assistant.create").alatest("created_at")
    assert event.outcome == "failure"
    assert "Invalid workflow name." in event.message


@async_db
async def test_update_keeps_every_field_the_form_does_not_send(gw):
    sub = make_assistant(gw)
    row = make_assistant(
        gw,
        streaming=True,
        provider_id="system",
        model_id="gpt-4o-mini",
        core_task="Old task",
        folder_ids=["fold-1"],
        board_ids=["board-1"],
        file_ids=["file-1"],
        workflow_function_call=["flow-1"],
        metadata={"other_requirements": "Sign with the team name", "top_k": 5},
        show_thinking_process=True,
        category=["support"],
        channel="web",
        guardrail_id="guard-1",
        preload_information="Opening hours 9-5",
        knowledge_hubs=["hub-1"],
        agent_type="team_lead",
        sub_agents=[sub["id"]],
        use_memory=False,
        mode="advanced",
    )
    await assistant_update(
        actor=ACTOR,
        assistant_id=row["id"],
        fields={"name": "New name", "core_task": "New task", "temperature": 0.9, "workflow_name": "ignored_v1"},
    )
    stored = gw.get(f"/v3/ai/assistants/{row['id']}").json()
    assert stored["name"] == "New name"
    assert stored["core_task"] == "New task"
    assert stored["temperature"] == 0.9
    assert stored["workflow_name"] == row["workflow_name"]
    expected_kept = {
        "streaming": True,
        "provider_id": "system",
        "model_id": "gpt-4o-mini",
        "folder_ids": ["fold-1"],
        "board_ids": ["board-1"],
        "file_ids": ["file-1"],
        "workflow_function_call": ["flow-1"],
        "metadata": {"other_requirements": "Sign with the team name", "top_k": 5},
        "show_thinking_process": True,
        "category": ["support"],
        "channel": "web",
        "guardrail_id": "guard-1",
        "preload_information": "Opening hours 9-5",
        "knowledge_hubs": ["hub-1"],
        "agent_type": "team_lead",
        "use_memory": False,
        "mode": "advanced",
    }
    assert {key: stored[key] for key in expected_kept} == expected_kept
    assert [s["assistant_id"] for s in stored["sub_agents"]] == [sub["id"]]
    event = await AuditEvent.objects.aget(action="assistant.update", target_id=row["id"])
    assert event.changes["old"]["name"] == row["name"]
    assert event.changes["new"]["name"] == "New name"


@async_db
async def test_update_of_a_deleted_assistant_is_not_found(gw):
    row = make_assistant(gw)
    gw.delete(f"/v3/ai/assistant_apps/{row['id']}")
    with pytest.raises(GatewayNotFound):
        await assistant_update(actor=ACTOR, assistant_id=row["id"], fields={"name": "x"})


@async_db
async def test_resources_update_sets_only_what_is_given_and_flows_as_id_strings(gw):
    row = make_assistant(gw, streaming=True, provider_id="system", model_id="Default", folder_ids=["keep-me"])
    await assistant_resources_update(actor=ACTOR, assistant_id=row["id"], board_ids=["b1", "b2", "b1"], flow_ids=["f1"])
    stored = gw.get(f"/v3/ai/assistants/{row['id']}").json()
    assert stored["folder_ids"] == ["keep-me"]
    assert stored["board_ids"] == ["b1", "b2"]
    assert stored["workflow_function_call"] == ["f1"]
    assert stored["streaming"] is True
    assert stored["provider_id"] == "system"
    await assistant_resources_update(actor=ACTOR, assistant_id=row["id"], folder_ids=[])
    stored = gw.get(f"/v3/ai/assistants/{row['id']}").json()
    assert stored["folder_ids"] == []
    assert stored["board_ids"] == ["b1", "b2"]
    events = [e async for e in AuditEvent.objects.filter(action="assistant.resources.update", target_id=row["id"])]
    assert len(events) == 2


@async_db
async def test_attach_and_detach_one_resource(gw):
    row = make_assistant(gw, provider_id="system", model_id="Default", workflow_function_call=["f1"])
    await assistant_resource_set(actor=ACTOR, assistant_id=row["id"], kind="flows", resource_id="f2", attached=True)
    await assistant_resource_set(actor=ACTOR, assistant_id=row["id"], kind="flows", resource_id="f1", attached=False)
    await assistant_resource_set(actor=ACTOR, assistant_id=row["id"], kind="folders", resource_id="d1", attached=True)
    stored = gw.get(f"/v3/ai/assistants/{row['id']}").json()
    assert stored["workflow_function_call"] == ["f2"]
    assert stored["folder_ids"] == ["d1"]


@async_db
async def test_delete_is_audited_and_the_assistant_is_gone(gw):
    row = make_assistant(gw)
    await assistant_delete(actor=ACTOR, assistant_id=row["id"], name=row["name"])
    assert gw.get(f"/v3/ai/assistants/{row['id']}").status_code == 400
    event = await AuditEvent.objects.aget(action="assistant.delete", target_id=row["id"])
    assert (event.outcome, event.target_name) == ("success", row["name"])
