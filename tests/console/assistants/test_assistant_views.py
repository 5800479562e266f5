"""Assistant pages through Django's test client, against the local gateway (HTMX and plain requests)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.urls import reverse

from apps.assistants.forms import AssistantForm
from apps.assistants.selectors import ModelChoices
from apps.audit.models import AuditEvent
from imbrace_console.gateway import GatewayUnavailable, GatewayValidationError

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def make_assistant(gw, **fields) -> dict:
    body = {
        "name": f"View {uuid.uuid4().hex[:8]}",
        "workflow_name": f"view_{uuid.uuid4().hex[:10]}",
        "provider_id": "system",
        "model_id": "Default",
        "streaming": True,
        "core_task": "Help customers",
        **fields,
    }
    response = gw.post("/v3/ai/assistant_apps", json=body)
    response.raise_for_status()
    return response.json()


def stored(gw, assistant_id: str) -> dict:
    return gw.get(f"/v3/ai/assistants/{assistant_id}").json()


def form_data(**overrides) -> dict:
    return {
        "name": f"Form bot {uuid.uuid4().hex[:8]}",
        "workflow_name": f"form_bot_{uuid.uuid4().hex[:8]}",
        "description": "Answers delivery questions",
        "core_task": "Tell customers where their parcel is.",
        "personality_role": "Courier desk agent",
        "tone_and_style": "Warm",
        "response_length": "Short",
        "banned_words": "",
        "model": "system::Default",
        "temperature": "0.2",
        **overrides,
    }


def assistants_named(gw, name: str) -> list[dict]:
    return [row for row in gw.get("/v3/ai/accounts/assistants", params={"search": name}).json() if row["name"] == name]


# --- list ------------------------------------------------------------------------------------------


def test_list_shows_assistants_with_links_to_detail_and_chat(console_client, gw):
    row = make_assistant(gw, folder_ids=["f1", "f2"])
    html = console_client.as_role("Viewer").get(reverse("assistants-list")).content.decode()
    assert row["name"] in html
    assert reverse("assistants-detail", kwargs={"assistant_id": row["id"]}) in html
    assert reverse("assistants-chat", kwargs={"assistant_id": row["id"]}) in html
    assert "2 folders" in html
    assert "New assistant" not in html  # a Viewer cannot create
    assert reverse("assistants-update", kwargs={"assistant_id": row["id"]}) not in html


def test_list_search_as_htmx_renders_only_the_rows(console_client, gw):
    tag = uuid.uuid4().hex[:8]
    wanted = make_assistant(gw, name=f"Parcel finder {tag}")
    other = make_assistant(gw, name=f"Invoice finder {tag}")
    response = console_client.get(reverse("assistants-list"), {"q": f"parcel finder {tag}"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="assistant-rows">')
    assert "<html" not in html
    assert wanted["name"] in html
    assert other["name"] not in html
    assert "HX-Request" in response["Vary"]


def test_list_search_without_matches_says_so(console_client):
    html = console_client.get(reverse("assistants-list"), {"q": f"nothing-{uuid.uuid4().hex}"}).content.decode()
    assert 'data-testid="assistant-empty"' in html
    assert "name contains" in html


def test_list_when_the_gateway_is_down_shows_the_error_not_a_trace(console_client, gateway_faults):
    gateway_faults.add_fault(path="/v3/ai/accounts/assistants", kind="status", status=503)
    response = console_client.get(reverse("assistants-list"))
    assert response.status_code == 503
    assert "unavailable" in response.content.decode()
    assert "Traceback" not in response.content.decode()


# --- detail ----------------------------------------------------------------------------------------


def test_detail_shows_settings_resources_and_the_chat_link(console_client, gw):
    row = make_assistant(
        gw,
        description="Knows the returns policy",
        personality_role="Returns clerk",
        folder_ids=["no-such-folder"],
        workflow_function_call=["no-such-flow"],
    )
    response = console_client.as_role("Viewer").get(reverse("assistants-detail", kwargs={"assistant_id": row["id"]}))
    assert response.status_code == 200
    html = response.content.decode()
    assert row["name"] in html
    assert "Knows the returns policy" in html
    assert "Returns clerk" in html
    assert "Help customers" in html
    assert "System default" in html
    assert f'href="{reverse("assistants-chat", kwargs={"assistant_id": row["id"]})}"' in html
    # ids that no longer resolve are shown as ids and flagged
    assert reverse("knowledge-folder-detail", kwargs={"folder_id": "no-such-folder"}) in html
    assert reverse("flows-detail", kwargs={"flow_id": "no-such-flow"}) in html
    assert "missing" in html
    # a Viewer sees no write controls
    assert "Detach" not in html
    assert reverse("assistants-update", kwargs={"assistant_id": row["id"]}) not in html


def test_detail_names_and_links_its_folder_board_and_flow_and_offers_the_others(console_client, gw):
    tag = uuid.uuid4().hex[:6]
    folder = gw.post(
        "/data-board/folders",
        json={
            "name": f"Manuals {tag}",
            "organization_id": "org_imbrace_local",
            "parent_folder_id": "root",
            "source_type": "upload",
        },
    ).json()["data"]["_id"]
    board = gw.post("/data-board/boards", json={"name": f"Leads {tag}"}).json()["data"]["id"]
    spare_board = gw.post("/data-board/boards", json={"name": f"Spare board {tag}"}).json()["data"]["id"]
    flow = gw.post("/activepieces/v1/flows", json={"displayName": f"Lead capture {tag}"}).json()["id"]
    row = make_assistant(gw, folder_ids=[folder], board_ids=[board], workflow_function_call=[flow])
    html = console_client.get(reverse("assistants-detail", kwargs={"assistant_id": row["id"]})).content.decode()
    folder_url = reverse("knowledge-folder-detail", kwargs={"folder_id": folder})
    board_url = reverse("boards-detail", kwargs={"board_id": board})
    flow_url = reverse("flows-detail", kwargs={"flow_id": flow})
    assert re.search(rf'<a href="{folder_url}">[^<]*Manuals {tag}</a>', html)
    assert f'<a href="{board_url}">Leads {tag}</a>' in html
    assert f'<a href="{flow_url}">Lead capture {tag}</a>' in html
    assert "missing" not in html
    # the attach lists offer what is not attached yet
    assert f'<option value="{spare_board}">Spare board {tag}</option>' in html
    assert f'<option value="{board}">' not in html
    assert 'aria-label="Detach Leads' in html


def test_detail_names_a_custom_provider(console_client, gw):
    provider = gw.post(
        "/v3/ai/providers",
        json={"name": f"Acme LLM {uuid.uuid4().hex[:6]}", "type": "openai", "config": {}, "models": []},
    ).json()
    row = make_assistant(gw, provider_id=provider["provider_id"], model_id="acme-large")
    html = console_client.get(reverse("assistants-detail", kwargs={"assistant_id": row["id"]})).content.decode()
    assert "acme-large" in html
    assert provider["name"] in html


def test_detail_of_an_unknown_assistant_is_404(console_client):
    response = console_client.get(reverse("assistants-detail", kwargs={"assistant_id": str(uuid.uuid4())}))
    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()


# --- create ----------------------------------------------------------------------------------------


def test_create_form_offers_the_system_default_first_and_only_shown_custom_models(console_client, gw):
    provider = gw.post(
        "/v3/ai/providers",
        json={
            "name": f"Picker {uuid.uuid4().hex[:6]}",
            "type": "openai",
            "config": {"apiKey": "sk-never-shown-9876"},
            "models": [{"name": "picker-shown", "is_shown": True}, {"name": "picker-hidden", "is_shown": False}],
        },
    ).json()
    html = console_client.get(reverse("assistants-create")).content.decode()
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options[0] == "system::Default"
    assert "system::gpt-4o-mini" in options
    assert f"{provider['provider_id']}::picker-shown" in options
    assert f"{provider['provider_id']}::picker-hidden" not in options
    assert "9876" not in html
    assert re.search(r"support_bot_v\d{10}", html)  # the suggested workflow name


def test_create_needs_the_operator_role(console_client):
    viewer = console_client.as_role("Viewer")
    assert viewer.get(reverse("assistants-create")).status_code == 403
    data = form_data()
    assert viewer.post(reverse("assistants-create"), data).status_code == 403


def test_create_sends_a_streaming_assistant_and_opens_its_page(console_client, gw):
    data = form_data()
    response = console_client.post(reverse("assistants-create"), data)
    assert response.status_code == 302
    [row] = assistants_named(gw, data["name"])
    assert response.url == reverse("assistants-detail", kwargs={"assistant_id": row["id"]})
    got = stored(gw, row["id"])
    assert got["streaming"] is True
    assert (got["provider_id"], got["model_id"]) == ("system", "Default")
    assert got["core_task"] == got["instructions"] == data["core_task"]
    assert got["workflow_name"] == data["workflow_name"]
    assert got["temperature"] == 0.2
    assert AuditEvent.objects.filter(action="assistant.create", target_id=row["id"], outcome="success").exists()
    page = console_client.get(response.url).content.decode()
    assert "Created the assistant" in page


def test_create_with_a_custom_model(console_client, gw):
    provider = gw.post(
        "/v3/ai/providers",
        json={"name": "Custom pick", "type": "openai", "config": {}, "models": [{"name": "cm-1", "is_shown": True}]},
    ).json()
    data = form_data(model=f"{provider['provider_id']}::cm-1")
    assert console_client.post(reverse("assistants-create"), data).status_code == 302
    [row] = assistants_named(gw, data["name"])
    assert (row["provider_id"], row["model_id"]) == (provider["provider_id"], "cm-1")


def test_create_with_a_custom_model_while_the_provider_list_fails_lets_the_gateway_judge(
    console_client, gw, gateway_faults
):
    provider = gw.post(
        "/v3/ai/providers",
        json={
            "name": "Custom list down",
            "type": "openai",
            "config": {},
            "models": [{"name": "cm-2", "is_shown": True}],
        },
    ).json()
    gateway_faults.add_fault(path="/v3/ai/providers", method="GET", kind="status", status=503)
    data = form_data(model=f"{provider['provider_id']}::cm-2")
    assert console_client.post(reverse("assistants-create"), data).status_code == 302
    [row] = assistants_named(gw, data["name"])
    assert (row["provider_id"], row["model_id"]) == (provider["provider_id"], "cm-2")


def test_create_generates_the_workflow_name_when_left_blank(console_client, gw):
    data = form_data(name=f"Blank wf {uuid.uuid4().hex[:6]}", workflow_name="")
    assert console_client.post(reverse("assistants-create"), data).status_code == 302
    [row] = assistants_named(gw, data["name"])
    assert re.fullmatch(r"blank_wf_[0-9a-f]{6}_v\d{10}", row["workflow_name"])


def test_create_with_a_taken_workflow_name_keeps_the_input_and_says_why(console_client, gw):
    existing = make_assistant(gw)
    data = form_data(workflow_name=existing["workflow_name"], core_task="Keep this text")
    response = console_client.post(reverse("assistants-create"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "already used by the assistant" in html
    assert existing["name"] in html
    assert f'value="{data["name"]}"' in html
    assert "Keep this text" in html
    assert assistants_named(gw, data["name"]) == []


def test_create_with_invalid_input_is_refused_beside_the_fields(console_client):
    data = form_data(name="", workflow_name="Not Snake", temperature="3", core_task="Typed text")
    response = console_client.post(reverse("assistants-create"), data, headers={**HTMX, "HX-Boosted": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html
    assert "Use snake_case" in html
    assert "less than or equal to 2" in html
    assert "Typed text" in html


def test_create_when_the_gateway_fails_keeps_the_input(console_client, gateway_faults, gw):
    gateway_faults.add_fault(path="/v3/ai/assistant_apps", method="POST", kind="status", status=503)
    data = form_data(core_task="Do not lose me")
    response = console_client.post(reverse("assistants-create"), data)
    assert response.status_code == 503
    html = response.content.decode()
    assert "unavailable" in html
    assert "Nothing was saved" in html
    assert "Do not lose me" in html
    assert assistants_named(gw, data["name"]) == []
    seen = gateway_faults.requests_seen()
    posts = [r for r in seen if r["method"] == "POST" and r["path"] == "/v3/ai/assistant_apps"]
    assert len(posts) == 1  # a create is never retried


def _models() -> ModelChoices:
    return ModelChoices(groups=[("System default", [("system::Default", "Default")])], provider_names={})


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("Invalid workflow name.", "workflow_name"),
        ("Invalid assistant name.", "name"),
        ("Invalid assistant temperature.", "temperature"),
        ("Invalid provider_id.", "model"),
        ("Something else went wrong.", None),
    ],
)
def test_service_validation_messages_land_beside_their_field(message, field):
    form = AssistantForm(form_data(), models=_models())
    assert form.is_valid()
    form.add_gateway_error(GatewayValidationError(message, status=400))
    assert form.errors[field or "__all__"] == [message]


def test_other_gateway_failures_land_above_the_form():
    form = AssistantForm(form_data(), models=_models())
    assert form.is_valid()
    form.add_gateway_error(GatewayUnavailable("connection refused"))
    assert "unavailable" in form.non_field_errors()[0]


# --- edit ------------------------------------------------------------------------------------------


def test_edit_form_is_prefilled_and_the_workflow_name_is_read_only(console_client, gw):
    row = make_assistant(gw, personality_role="Night clerk", temperature=0.6, model_id="gpt-4.1")
    html = console_client.get(reverse("assistants-update", kwargs={"assistant_id": row["id"]})).content.decode()
    assert f'value="{row["name"]}"' in html
    assert "Night clerk" in html
    assert 'value="0.6"' in html
    assert re.search(r'<option value="system::gpt-4.1" selected>', html)
    assert re.search(rf'name="workflow_name"[^>]*value="{row["workflow_name"]}"[^>]*disabled', html)


def test_edit_keeps_every_field_the_form_does_not_show(console_client, gw):
    row = make_assistant(
        gw,
        folder_ids=["fold-a"],
        board_ids=["board-a"],
        workflow_function_call=["flow-a"],
        file_ids=["file-a"],
        metadata={"top_k": 3},
        show_thinking_process=True,
        category=["sales"],
        channel="web",
        guardrail_id="g-1",
        use_memory=False,
    )
    data = form_data(name="Edited name", core_task="Edited task", workflow_name="attempted_change")
    response = console_client.post(reverse("assistants-update", kwargs={"assistant_id": row["id"]}), data)
    assert response.status_code == 302
    got = stored(gw, row["id"])
    assert (got["name"], got["core_task"], got["temperature"]) == ("Edited name", "Edited task", 0.2)
    assert got["workflow_name"] == row["workflow_name"]
    assert got["streaming"] is True
    assert got["folder_ids"] == ["fold-a"]
    assert got["board_ids"] == ["board-a"]
    assert got["workflow_function_call"] == ["flow-a"]
    assert got["file_ids"] == ["file-a"]
    assert got["metadata"] == {"top_k": 3}
    assert got["show_thinking_process"] is True
    assert (got["category"], got["channel"], got["guardrail_id"], got["use_memory"]) == (["sales"], "web", "g-1", False)


def test_edit_keeps_a_model_the_picker_no_longer_offers(console_client, gw):
    row = make_assistant(gw, provider_id="retired-provider", model_id="old-model")
    html = console_client.get(reverse("assistants-update", kwargs={"assistant_id": row["id"]})).content.decode()
    assert re.search(r'<option value="retired-provider::old-model" selected>', html)
    data = form_data(name=row["name"], model="retired-provider::old-model")
    response = console_client.post(reverse("assistants-update", kwargs={"assistant_id": row["id"]}), data)
    assert response.status_code == 302
    got = stored(gw, row["id"])
    assert (got["provider_id"], got["model_id"]) == ("retired-provider", "old-model")


def test_edit_with_invalid_input_keeps_what_was_typed(console_client, gw):
    row = make_assistant(gw)
    data = form_data(name="", core_task="Half-written new task")
    response = console_client.post(reverse("assistants-update", kwargs={"assistant_id": row["id"]}), data)
    assert response.status_code == 422
    assert "Half-written new task" in response.content.decode()
    assert stored(gw, row["id"])["core_task"] == "Help customers"


# --- delete ----------------------------------------------------------------------------------------


def test_delete_asks_first_without_javascript_then_deletes(console_client, gw):
    row = make_assistant(gw)
    url = reverse("assistants-delete", kwargs={"assistant_id": row["id"]})
    confirm = console_client.get(url)
    assert confirm.status_code == 200
    assert f"Delete “{row['name']}”?" in confirm.content.decode()
    assert stored(gw, row["id"])["id"] == row["id"]  # GET changed nothing
    response = console_client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("assistants-list")
    assert stored(gw, row["id"]) == {"detail": "[ERROR: Assistant not found]"}
    assert AuditEvent.objects.filter(action="assistant.delete", target_id=row["id"]).exists()


def test_delete_from_the_confirm_dialog_redirects_htmx(console_client, gw):
    row = make_assistant(gw)
    response = console_client.post(reverse("assistants-delete", kwargs={"assistant_id": row["id"]}), headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("assistants-list")


def test_delete_needs_the_operator_role(console_client, gw):
    row = make_assistant(gw)
    response = console_client.as_role("Support").post(reverse("assistants-delete", kwargs={"assistant_id": row["id"]}))
    assert response.status_code == 403
    assert stored(gw, row["id"])["id"] == row["id"]


# --- attach and detach -----------------------------------------------------------------------------


def test_attach_and_detach_with_htmx_return_the_section(console_client, gw):
    row = make_assistant(gw, folder_ids=["fold-keep"])
    url = reverse("assistant-resources-update", kwargs={"assistant_id": row["id"]})
    response = console_client.post(url, {"kind": "flows", "op": "attach", "resource_id": "flow-new"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="assistant-resources"')
    assert reverse("flows-detail", kwargs={"flow_id": "flow-new"}) in html
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "Attached the flow."
    assert stored(gw, row["id"])["workflow_function_call"] == ["flow-new"]

    console_client.post(url, {"kind": "folders", "op": "detach", "resource_id": "fold-keep"}, headers=HTMX)
    got = stored(gw, row["id"])
    assert got["folder_ids"] == []
    assert got["workflow_function_call"] == ["flow-new"]
    assert got["streaming"] is True


def test_attach_without_javascript_redirects_back(console_client, gw):
    row = make_assistant(gw)
    url = reverse("assistant-resources-update", kwargs={"assistant_id": row["id"]})
    response = console_client.post(url, {"kind": "boards", "op": "attach", "resource_id": "board-z"})
    assert response.status_code == 302
    assert response.url.endswith("#assistant-resources")
    assert stored(gw, row["id"])["board_ids"] == ["board-z"]


def test_attach_needs_a_choice_and_the_operator_role(console_client, gw):
    row = make_assistant(gw)
    url = reverse("assistant-resources-update", kwargs={"assistant_id": row["id"]})
    empty = console_client.post(url, {"kind": "boards", "op": "attach", "resource_id": ""}, headers=HTMX)
    assert empty.status_code == 204
    assert json.loads(empty["HX-Trigger"])["toast"]["level"] == "error"
    viewer = console_client.as_role("Viewer")
    assert viewer.post(url, {"kind": "boards", "op": "attach", "resource_id": "b"}).status_code == 403
    assert stored(gw, row["id"])["board_ids"] == []


def test_editing_an_assistant_deleted_meanwhile_says_it_is_gone(console_client, gw):
    row = make_assistant(gw)
    gw.delete(f"/v3/ai/assistant_apps/{row['id']}")
    response = console_client.post(reverse("assistants-update", kwargs={"assistant_id": row["id"]}), form_data())
    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()
