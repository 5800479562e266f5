"""The local gateway's assistants, providers and models (``/v3/ai``) against docs/contract/assistants-chat.md."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.support import ROOT, start_localgateway

NOT_FOUND = {"detail": "[ERROR: Assistant not found]"}


def unique(prefix: str = "Bot") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def create(gw, **fields) -> dict:
    body = {"name": unique(), "workflow_name": f"wf_{uuid.uuid4().hex[:10]}", **fields}
    response = gw.post("/v3/ai/assistant_apps", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# --- create ----------------------------------------------------------------------------------------


def test_create_answers_200_with_the_defaults_of_the_service(gw):
    row = create(gw, core_task="Answer billing questions")
    uuid.UUID(row["id"])
    assert "assistant_id" not in row
    assert "updated_at" not in row
    assert row["streaming"] is False
    assert row["provider_id"] is None
    assert row["model_id"] == ""
    assert row["mode"] == "advanced"
    assert row["agent_type"] == "agent"
    assert row["version"] == "1"
    assert row["temperature"] == 0.1
    assert row["use_memory"] is True
    assert row["show_thinking_process"] is False
    assert row["description"] == ""
    assert row["banned_words"] == ""
    assert row["personality_role"] is None
    assert row["category"] == []
    assert row["channel"] is None
    for key in ("file_ids", "folder_ids", "board_ids", "sub_agents", "knowledge_hubs", "workflow_function_call"):
        assert row[key] == [], key
    assert row["metadata"] is None
    assert row["document_ai"] is None
    assert "Answer billing questions" in row["instructions"]


def test_create_keeps_given_values_and_drops_unknown_fields(gw):
    row = create(
        gw,
        streaming=True,
        provider_id="system",
        model_id="Default",
        instructions="Be brief.",
        category="sales, support",
        temperature=0,
        vibe_code=True,
        not_a_field="ignored",
        folder_ids=["f1"],
        workflow_function_call=["flow-1"],
    )
    assert row["streaming"] is True
    assert (row["provider_id"], row["model_id"]) == ("system", "Default")
    assert row["instructions"] == "Be brief."
    assert row["category"] == ["sales", "support"]
    assert row["temperature"] == 0
    assert row["folder_ids"] == ["f1"]
    assert row["workflow_function_call"] == ["flow-1"]
    assert "vibe_code" not in row
    assert "not_a_field" not in row


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"workflow_name": "wf_a"}, "Invalid assistant name."),
        ({"name": "A"}, "Invalid workflow name."),
        ({"name": "A", "workflow_name": "w" * 257}, "Invalid workflow name."),
        ({"name": "A" * 257, "workflow_name": "wf"}, "Invalid assistant name."),
        ({"name": "A", "workflow_name": "wf", "description": "d" * 513}, "Invalid assistant description."),
        ({"name": "A", "workflow_name": "wf", "temperature": 2.5}, "Invalid assistant temperature."),
        ({"name": "A", "workflow_name": "wf", "folder_ids": "f1"}, "Invalid assistant folder IDs."),
        ({"name": "A", "workflow_name": "wf", "board_ids": "b1"}, "Invalid assistant board IDs."),
        ({"name": "A", "workflow_name": "wf", "provider_id": 7}, "Invalid provider_id."),
        ({"name": "A", "workflow_name": "wf", "sub_agents": "x"}, "Invalid sub-agents input."),
        ({"name": "A", "workflow_name": "wf", "metadata": ["x"]}, "Invalid assistant metadata."),
        (
            {"name": "A", "workflow_name": "wf", "document_ai": {"vlm_model": "m"}},
            "document_ai missing required field: vlm_provider_id",
        ),
    ],
)
def test_create_validation_errors_are_400_with_the_error_text(gw, body, message):
    response = gw.post("/v3/ai/assistant_apps", json=body)
    assert response.status_code == 400
    assert response.json() == {"detail": f"[ERROR: {message}]"}


def test_create_without_a_body_is_400(gw):
    response = gw.post("/v3/ai/assistant_apps")
    assert response.status_code == 400
    assert response.json() == {"detail": "[ERROR: Request body cannot be None.]"}


def test_duplicate_workflow_name_is_accepted_as_the_service_does(gw):
    first = create(gw)
    second = create(gw, workflow_name=first["workflow_name"])
    assert second["id"] != first["id"]
    assert second["workflow_name"] == first["workflow_name"]


def test_the_ai_v3_alias_serves_the_same_assistants(gw):
    row = create(gw)
    assert gw.get(f"/ai/v3/assistants/{row['id']}").json()["name"] == row["name"]


# --- read and list ---------------------------------------------------------------------------------


def test_get_adds_assistant_id_team_leads_and_expands_sub_agents(gw):
    helper = create(gw, core_task="Look up orders")
    lead = create(gw, agent_type="team_lead", sub_agents=[helper["id"]])
    got_lead = gw.get(f"/v3/ai/assistants/{lead['id']}").json()
    assert got_lead["assistant_id"] == lead["id"]
    assert got_lead["sub_agents"] == [
        {"assistant_id": helper["id"], "name": helper["name"], "instructions": "Look up orders"}
    ]
    assert "team_leads" not in got_lead
    got_helper = gw.get(f"/v3/ai/assistants/{helper['id']}").json()
    assert got_helper["team_leads"] == [{"assistant_id": lead["id"], "name": lead["name"]}]


def test_get_unknown_is_400_not_404(gw):
    response = gw.get(f"/v3/ai/assistants/{uuid.uuid4()}")
    assert response.status_code == 400
    assert response.json() == NOT_FOUND


def test_another_organization_sees_nothing(gw, localgateway):
    row = create(gw)
    token = localgateway.jwt(organizations=["org_other_team"])
    headers = {"authorization": f"Bearer {token}", "x-organization-id": "org_other_team"}
    with httpx.Client(base_url=localgateway.base_url, headers=headers) as other:
        assert other.get(f"/v3/ai/assistants/{row['id']}").json() == NOT_FOUND
        assert row["id"] not in {a["id"] for a in other.get("/v3/ai/accounts/assistants").json()}
        assert other.put(f"/v3/ai/assistant_apps/{row['id']}", json={"name": "x", "workflow_name": "y"}).json() == (
            NOT_FOUND
        )
        assert other.delete(f"/v3/ai/assistant_apps/{row['id']}").status_code == 400
    assert gw.get(f"/v3/ai/assistants/{row['id']}").status_code == 200


def test_list_is_a_bare_array_newest_first_on_both_paths(gw):
    older, newer = create(gw), create(gw)
    for path in ("/v3/ai/accounts/assistants", "/v3/ai/assistants"):
        rows = gw.get(path).json()
        assert isinstance(rows, list)
        ids = [row["id"] for row in rows]
        assert ids.index(newer["id"]) < ids.index(older["id"])
        assert all(isinstance(row["sub_agents"], list) and "team_leads" not in row for row in rows)


def test_list_search_is_a_case_insensitive_substring_of_the_name(gw):
    tag = uuid.uuid4().hex[:6]
    wanted = create(gw, name=f"Refund Helper {tag}")
    create(gw, name=f"Sales Helper {tag}")
    rows = gw.get("/v3/ai/accounts/assistants", params={"search": f"refund helper {tag.upper()}"}).json()
    assert [row["id"] for row in rows] == [wanted["id"]]


def test_check_name_reports_exist(gw):
    row = create(gw)
    assert gw.get("/v3/ai/assistants/check-name", params={"name": row["name"]}).json() == {"exist": True}
    assert gw.get("/v3/ai/assistants/check-name", params={"name": unique()}).json() == {"exist": False}


def test_agents_lists_non_team_leads_except_the_given_one(gw):
    agent, other = create(gw), create(gw)
    lead = create(gw, agent_type="team_lead")
    ids = {row["id"] for row in gw.get("/v3/ai/assistants/agents", params={"assistant_id": agent["id"]}).json()}
    assert other["id"] in ids
    assert agent["id"] not in ids
    assert lead["id"] not in ids


# --- full replace ---------------------------------------------------------------------------------


def test_full_replace_resets_what_is_left_out_and_keeps_the_rest(gw):
    row = create(
        gw,
        streaming=True,
        provider_id="system",
        model_id="Default",
        temperature=0.7,
        core_task="Old task",
        personality_role="Friendly",
        folder_ids=["f1"],
        board_ids=["b1"],
        file_ids=["file1"],
        workflow_function_call=["flow-1"],
        metadata={"a": 1, "b": 2},
        channel="web",
        credential_name="cred",
    )
    response = gw.put(
        f"/v3/ai/assistant_apps/{row['id']}",
        json={"name": "Renamed", "workflow_name": "changed_wf", "metadata": {"b": 3}, "instructions": "ignored"},
    )
    assert response.status_code == 200
    updated = response.json()
    assert "assistant_id" not in updated
    assert updated["name"] == "Renamed"
    assert updated["workflow_name"] == row["workflow_name"]  # never persisted by an update
    assert updated["streaming"] is False
    assert updated["provider_id"] is None
    assert updated["model_id"] == ""
    assert updated["temperature"] == 0.1
    assert updated["mode"] == "standard"
    assert updated["core_task"] is None
    assert updated["personality_role"] is None
    assert updated["workflow_function_call"] == []
    assert updated["channel"] is None
    assert updated["category"] is None
    assert (updated["folder_ids"], updated["board_ids"], updated["file_ids"]) == (["f1"], ["b1"], ["file1"])
    assert updated["credential_name"] == "cred"
    assert updated["metadata"] == {"a": 1, "b": 3}
    assert updated["instructions"] != "ignored"
    assert gw.get(f"/v3/ai/assistants/{row['id']}").json()["streaming"] is False


def test_full_replace_with_everything_keeps_everything(gw):
    row = create(gw, streaming=True, provider_id="system", model_id="Default", core_task="Task", temperature=0.4)
    body = {**row, "folder_ids": ["f9"], "workflow_function_call": ["flow-9"]}
    updated = gw.put(f"/v3/ai/assistant_apps/{row['id']}", json=body).json()
    for key in ("streaming", "provider_id", "model_id", "core_task", "temperature", "mode"):
        assert updated[key] == row[key], key
    assert updated["folder_ids"] == ["f9"]
    assert updated["workflow_function_call"] == ["flow-9"]


def test_full_replace_needs_name_and_workflow_name(gw):
    row = create(gw)
    response = gw.put(f"/v3/ai/assistant_apps/{row['id']}", json={"name": "Only a name"})
    assert response.status_code == 400
    assert response.json() == {"detail": "[ERROR: Invalid workflow name.]"}


def test_full_replace_of_unknown_is_400(gw):
    response = gw.put(f"/v3/ai/assistant_apps/{uuid.uuid4()}", json={"name": "x", "workflow_name": "y"})
    assert (response.status_code, response.json()) == (400, NOT_FOUND)


# --- partial update --------------------------------------------------------------------------------


def test_partial_update_keeps_some_fields_and_still_resets_others(gw):
    row = create(
        gw,
        streaming=True,
        provider_id="system",
        model_id="Default",
        folder_ids=["f1"],
        workflow_function_call=["flow-1"],
        core_task="Task",
        description="Desc",
    )
    updated = gw.put(f"/v3/ai/assistants/{row['id']}", json={"name": "Partly"}).json()
    assert updated["name"] == "Partly"
    assert updated["model_id"] == "Default"
    assert updated["folder_ids"] == ["f1"]
    assert updated["workflow_function_call"] == ["flow-1"]
    assert updated["provider_id"] is None
    assert updated["streaming"] is False
    assert updated["core_task"] is None
    assert updated["description"] == ""


def test_partial_update_writes_team_leads_into_the_parents(gw):
    lead = create(gw, agent_type="team_lead")
    agent = create(gw)
    gw.put(f"/v3/ai/assistants/{agent['id']}", json={"name": agent["name"], "team_leads": [lead["id"]]})
    assert [sub["assistant_id"] for sub in gw.get(f"/v3/ai/assistants/{lead['id']}").json()["sub_agents"]] == [
        agent["id"]
    ]


def test_patch_instructions_writes_core_task(gw):
    row = create(gw)
    updated = gw.patch(f"/v3/ai/assistants/{row['id']}/instructions", json={"instructions": "Sell shoes"}).json()
    assert updated["core_task"] == "Sell shoes"
    assert "Sell shoes" in updated["instructions"]
    response = gw.patch(f"/v3/ai/assistants/{row['id']}/instructions", json={"instructions": ""})
    assert (response.status_code, response.json()) == (400, {"detail": "[ERROR: 400: core_task is required]"})


def test_post_assistants_creates_in_standard_mode(gw):
    response = gw.post("/v3/ai/assistants", json={"name": unique()})
    assert response.status_code == 200
    assert response.json()["mode"] == "standard"


# --- delete ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["assistant_apps", "assistants"])
def test_delete_is_soft_and_then_not_found(gw, route):
    row = create(gw)
    response = gw.delete(f"/v3/ai/{route}/{row['id']}")
    assert response.status_code == 200
    assert response.json() == {"id": row["id"], "object": "assistant.deleted", "deleted": True}
    assert gw.get(f"/v3/ai/assistants/{row['id']}").json() == NOT_FOUND
    assert row["id"] not in {a["id"] for a in gw.get("/v3/ai/accounts/assistants").json()}
    again = gw.delete(f"/v3/ai/{route}/{row['id']}")
    assert (again.status_code, again.json()) == (400, NOT_FOUND)


def test_bulk_delete(gw):
    first, second = create(gw), create(gw)
    response = gw.request("DELETE", "/v3/ai/assistants", json=[first["id"], second["id"], str(uuid.uuid4())])
    assert response.json() == {"deleted": [first["id"], second["id"]]}
    assert gw.get(f"/v3/ai/assistants/{first['id']}").status_code == 400


# --- providers and models --------------------------------------------------------------------------


def test_providers_are_an_array_with_masked_secrets(gw):
    response = gw.post(
        "/v3/ai/providers",
        json={
            "name": unique("Provider"),
            "type": "openai",
            "config": {"openApi": {"baseUrl": "https://llm.example/v1", "apiKey": "sk-secret-value-1234"}},
            "models": [{"name": "m-shown", "is_shown": True}, "m-discovered"],
        },
    )
    assert response.status_code == 200
    created = response.json()
    assert created["config"]["openApi"] == {"baseUrl": "https://llm.example/v1", "apiKey": "****1234"}
    assert [(m["name"], m["is_shown"]) for m in created["models"]] == [("m-shown", True), ("m-discovered", False)]
    listed = gw.get("/v3/ai/providers").json()
    assert isinstance(listed, list)
    mine = next(p for p in listed if p["provider_id"] == created["provider_id"])
    assert mine["source"] == "custom"
    assert "sk-secret-value" not in str(listed)
    for key in (created["provider_id"], created["id"]):
        assert gw.get(f"/v3/ai/providers/{key}").json()["name"] == created["name"]


def test_unknown_provider_is_404(gw):
    response = gw.get(f"/v3/ai/providers/{uuid.uuid4()}")
    assert (response.status_code, response.json()) == (404, {"detail": "Provider not found"})


def test_provider_create_validates(gw):
    response = gw.post("/v3/ai/providers", json={"name": "x", "type": "nope", "config": {}})
    assert (response.status_code, response.json()) == (400, {"detail": "[ERROR: Invalid provider type.]"})


def test_workflow_agent_models_is_the_success_envelope(gw):
    body = gw.get("/v3/ai/workflow-agent/models").json()
    assert body["success"] is True
    assert body["message"] == "Models retrieved successfully"
    assert body["data"]
    assert all({"name", "is_toolCall_available", "is_vision_available"} <= set(m) for m in body["data"])
    vision = gw.get("/v3/ai/workflow-agent/models", params={"vision": "true"}).json()["data"]
    assert vision
    assert all(m["is_vision_available"] for m in vision)
    assert len(vision) < len(body["data"])


# --- in-process helper for the chat service ---------------------------------------------------------


def test_assistant_get_internal_returns_the_read_shape_or_none(tmp_path, monkeypatch):
    from localgateway import db
    from localgateway.domains import assistants

    monkeypatch.setattr(db, "_connection", None)  # restored after the test, for other in-process users
    db.connect(tmp_path / "gw.sqlite3", [assistants.SCHEMA])
    row = assistants._new_row("org_a", {"name": "Internal", "workflow_name": "internal_v1"}, mode="advanced")
    assistants._insert(row)
    got = assistants.assistant_get_internal("org_a", row["id"])
    assert got["assistant_id"] == row["id"]
    assert got["team_leads"] == []
    assert assistants.assistant_get_internal("org_b", row["id"]) is None
    assert assistants.assistant_get_internal("org_a", "missing") is None
    db.conn().close()


# --- demo data -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_gateway(tmp_path_factory):
    """A gateway of its own, loaded with the demo data by ``python -m localgateway seed``."""
    data_dir = tmp_path_factory.mktemp("seeded")
    env = {**os.environ, "LOCALGATEWAY_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "localgateway", "seed"], cwd=ROOT, env=env, check=True)
    gateway = start_localgateway(data_dir)
    yield gateway
    gateway.stop()


def test_seed_has_a_custom_provider_with_shown_and_hidden_models(seeded_gateway):
    with seeded_gateway.client() as client:
        providers = client.get("/v3/ai/providers").json()
    team = next(p for p in providers if p["name"] == "Team OpenAI-compatible")
    assert team["type"] == "openai"
    assert [m["name"] for m in team["models"] if m["is_shown"]] == ["team-gpt-4o", "team-gpt-4o-mini"]
    assert [m["name"] for m in team["models"] if not m["is_shown"]] == ["team-embedding-large"]
    assert team["config"]["openApi"]["apiKey"].startswith("****")


def test_seed_has_the_support_bot_using_the_demo_folder_board_and_flow(seeded_gateway):
    with seeded_gateway.client() as client:
        bots = client.get("/v3/ai/accounts/assistants", params={"search": "Support Bot"}).json()
        assert len(bots) == 1
        bot = client.get(f"/v3/ai/assistants/{bots[0]['id']}").json()
        folders = [client.get(f"/data-board/folders/{folder_id}").json() for folder_id in bot["folder_ids"]]
        boards = [client.get(f"/data-board/boards/{board_id}").json() for board_id in bot["board_ids"]]
        flows = [client.get(f"/activepieces/v1/flows/{flow_id}").json() for flow_id in bot["workflow_function_call"]]
    assert bot["streaming"] is True
    assert (bot["provider_id"], bot["model_id"]) == ("system", "Default")
    assert bot["core_task"]
    assert bot["personality_role"]
    assert [folder["data"]["folder"]["name"] for folder in folders] == ["Product Documentation"]
    assert [board["data"]["name"] for board in boards] == ["Sales Pipeline"]
    assert len(flows) == 1
    assert flows[0]["publishedVersionId"]
