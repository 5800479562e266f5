"""Flow pages through Django's test client, against the local gateway (HTMX and plain requests)."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent

from .conftest import AP, make_flow, operate, unique

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def detail(flow_id: str) -> str:
    return reverse("flows-detail", kwargs={"flow_id": flow_id})


def stored(gw, flow_id: str) -> dict:
    return gw.get(f"{AP}/flows/{flow_id}").json()


def wait_terminal(gw, flow_id: str) -> dict:
    for _ in range(100):
        runs = gw.get(f"{AP}/flow-runs", params={"flowId": flow_id}).json()["data"]
        if runs and runs[0]["status"] not in ("QUEUED", "RUNNING"):
            return runs[0]
        time.sleep(0.1)
    raise AssertionError("no finished run")


def test_list_shows_status_and_keeps_filters_in_the_url(console_client, gw):
    prefix = unique("Listed")
    draft = make_flow(gw, f"{prefix} draft")
    live = make_flow(gw, f"{prefix} live", webhook=True, respond=True, publish=True)
    operate(gw, live["id"], "UPDATE_ACTION", {**live["version"]["trigger"]["nextAction"], "displayName": "Changed"})

    page = console_client.get(reverse("flows-list"), {"q": prefix})
    html = page.content.decode()
    assert page.status_code == 200
    assert draft["version"]["displayName"] in html and live["version"]["displayName"] in html
    assert "Draft changes" in html and "Enabled" in html and "Draft" in html

    enabled = console_client.get(reverse("flows-list"), {"q": prefix, "status": "ENABLED"}, headers=HTMX)
    body = enabled.content.decode()
    assert 'id="flow-results"' in body and "<html" not in body
    assert live["version"]["displayName"] in body and draft["version"]["displayName"] not in body


def test_list_pages_with_cursors_keeping_the_filter(console_client, gw):
    prefix = unique("Pager")
    for index in range(22):
        make_flow(gw, f"{prefix} {index:02d}")
    first = console_client.get(reverse("flows-list"), {"q": prefix}).content.decode()
    assert first.count('data-testid="flow-row"') == 20
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "q=" in next_url and "cursor=" in next_url
    second = console_client.get(next_url).content.decode()
    assert second.count('data-testid="flow-row"') == 2


def test_create_finds_the_project_and_opens_the_new_flow(console_client, gw):
    form = console_client.get(reverse("flows-create")).content.decode()
    assert gw.get(f"{AP}/users/me").json()["projectId"] in form
    name = unique("Created")
    response = console_client.post(reverse("flows-create"), {"display_name": name})
    assert response.status_code == 302
    flow_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert stored(gw, flow_id)["version"]["displayName"] == name
    assert AuditEvent.objects.filter(action="flow.create", target_id=flow_id, outcome="success").exists()


def test_create_without_a_name_keeps_the_form(console_client):
    response = console_client.post(reverse("flows-create"), {"display_name": "  "})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_viewer_reads_but_cannot_change(console_client, gw):
    flow = make_flow(gw)
    viewer = console_client.as_role("Viewer")
    assert viewer.get(detail(flow["id"])).status_code == 200
    assert viewer.get(reverse("flow-runs-list")).status_code == 200
    assert viewer.post(reverse("flows-create"), {"display_name": "x"}).status_code == 403
    assert viewer.post(reverse("flows-publish", kwargs={"flow_id": flow["id"]})).status_code == 403
    assert viewer.post(reverse("flows-delete", kwargs={"flow_id": flow["id"]})).status_code == 403
    page = viewer.get(detail(flow["id"])).content.decode()
    assert 'data-testid="flow-publish"' not in page


def test_publishing_an_empty_trigger_is_refused_with_the_reason(console_client, gw):
    flow = make_flow(gw)
    page = console_client.get(detail(flow["id"])).content.decode()
    assert "disabled" in page.split('data-testid="flow-publish"')[1].split(">")[0]
    response = console_client.post(reverse("flows-publish", kwargs={"flow_id": flow["id"]}))
    assert response.status_code == 400
    assert "trigger is empty" in response.content.decode()
    assert stored(gw, flow["id"])["publishedVersionId"] is None
    assert not any(
        request["method"] == "POST" and request["path"] == f"{AP}/flows/{flow['id']}"
        for request in gw.get("/_local/requests").json()["requests"]
    )


def test_build_a_webhook_flow_with_a_return_response_and_publish(console_client, gw):
    flow = make_flow(gw)
    flow_id = flow["id"]
    assert console_client.post(reverse("flows-trigger-webhook", kwargs={"flow_id": flow_id})).status_code == 302
    assert stored(gw, flow_id)["version"]["trigger"]["settings"]["triggerName"] == "catch_webhook"

    add = reverse("flow-steps-create", kwargs={"flow_id": flow_id, "kind": "return_response"})
    bad = console_client.post(add, {"status": "200", "response_type": "json", "respond": "stop", "body": "{oops"})
    assert bad.status_code == 400
    assert "not valid JSON" in bad.content.decode() and "{oops" in bad.content.decode()

    data = {
        "status": "201",
        "response_type": "json",
        "respond": "stop",
        "headers": "X-Source: console",
        "body": '{"hello": "{{trigger.body.name}}"}',
    }
    assert console_client.post(add, data).status_code == 302
    step = stored(gw, flow_id)["version"]["trigger"]["nextAction"]
    assert step["settings"]["input"]["fields"] == {
        "status": 201,
        "headers": {"X-Source": "console"},
        "body": {"hello": "{{trigger.body.name}}"},
    }

    edit = reverse("flow-steps-update", kwargs={"flow_id": flow_id, "step_name": step["name"]})
    form = console_client.get(edit).content.decode()
    assert "X-Source: console" in form
    assert console_client.post(edit, {**data, "status": "202"}).status_code == 302
    assert stored(gw, flow_id)["version"]["trigger"]["nextAction"]["settings"]["input"]["fields"]["status"] == 202

    assert console_client.post(reverse("flows-publish", kwargs={"flow_id": flow_id})).status_code == 302
    published = stored(gw, flow_id)
    assert published["status"] == "ENABLED" and published["version"]["state"] == "LOCKED"

    page = console_client.get(detail(flow_id)).content.decode()
    assert f"/activepieces/v1/webhooks/{flow_id}" not in page  # masked until revealed (test_webhook_url.py)
    assert 'data-testid="webhook-url-masked"' in page

    assert (
        console_client.post(reverse("flows-status", kwargs={"flow_id": flow_id}), {"enabled": "0"}).status_code == 302
    )
    assert stored(gw, flow_id)["status"] == "DISABLED"
    assert (
        console_client.post(reverse("flows-status", kwargs={"flow_id": flow_id}), {"enabled": "1"}).status_code == 302
    )
    assert stored(gw, flow_id)["status"] == "ENABLED"


def test_remove_a_step(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True)
    url = reverse("flow-steps-delete", kwargs={"flow_id": flow["id"], "step_name": "step_1"})
    assert console_client.post(url).status_code == 302
    assert "nextAction" not in stored(gw, flow["id"])["version"]["trigger"]
    assert console_client.post(url).status_code == 404


def test_rename_and_the_error_beside_the_field(console_client, gw):
    flow = make_flow(gw)
    url = reverse("flows-rename", kwargs={"flow_id": flow["id"]})
    assert console_client.post(url, {"display_name": "Renamed flow"}).status_code == 302
    assert stored(gw, flow["id"])["version"]["displayName"] == "Renamed flow"
    bad = console_client.post(url, {"display_name": ""})
    assert bad.status_code == 400 and "field-error" in bad.content.decode()


def test_delete_asks_then_removes(console_client, gw):
    flow = make_flow(gw)
    url = reverse("flows-delete", kwargs={"flow_id": flow["id"]})
    assert "Delete “" in console_client.get(url).content.decode()
    assert console_client.post(url).status_code == 302
    assert gw.get(f"{AP}/flows", params={"name": flow["version"]["displayName"]}).json()["data"] == []
    htmx_flow = make_flow(gw)
    response = console_client.post(reverse("flows-delete", kwargs={"flow_id": htmx_flow["id"]}), headers=HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("flows-list")


def test_tool_description_is_stored_in_flow_metadata(console_client, gw):
    flow = make_flow(gw, "Order lookup tool")
    operate(gw, flow["id"], "UPDATE_METADATA", {"metadata": {"tags": [{"id": "t", "name": "agent"}]}})
    url = reverse("flows-tool", kwargs={"flow_id": flow["id"]})
    bad = console_client.post(url, {"description": "Look up", "parameters": "[1]"})
    assert bad.status_code == 400 and "JSON object" in bad.content.decode()
    schema = {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}
    response = console_client.post(url, {"description": "Look up an order", "parameters": json.dumps(schema)})
    assert response.status_code == 302
    metadata = stored(gw, flow["id"])["metadata"]
    assert metadata["tags"] == [{"id": "t", "name": "agent"}]
    assert metadata["settings"]["ai"] == {
        "type": "function",
        "function": {"name": "Order_lookup_tool", "description": "Look up an order", "parameters": schema},
    }


def test_bind_the_flow_to_assistants(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    suffix = unique("x").split()[1]
    assistants = [
        gw.post(
            "/v3/ai/assistant_apps", json={"name": f"Bind {n} {suffix}", "workflow_name": f"bind_{n}_{suffix}"}
        ).json()
        for n in (1, 2)
    ]
    first, second = assistants
    url = reverse("flows-assistants", kwargs={"flow_id": flow["id"]})
    assert console_client.post(url, {"assistants": [first["id"]]}).status_code == 302
    assert gw.get(f"/v3/ai/assistants/{first['id']}").json()["workflow_function_call"] == [flow["id"]]
    assert gw.get(f"/v3/ai/assistants/{second['id']}").json()["workflow_function_call"] == []
    page = console_client.get(detail(flow["id"])).content.decode()
    assert f'value="{first["id"]}" checked' in page
    assert console_client.post(url, {"assistants": [second["id"]]}).status_code == 302
    assert gw.get(f"/v3/ai/assistants/{first['id']}").json()["workflow_function_call"] == []
    assert gw.get(f"/v3/ai/assistants/{second['id']}").json()["workflow_function_call"] == [flow["id"]]


def test_trigger_sync_shows_the_response(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    page = console_client.get(url).content.decode()
    assert "data-json-editor" in page and 'data-testid="trigger-no-return-response"' not in page
    response = console_client.post(url, {"payload": '{"name": "Ada"}', "mode": "sync"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="trigger-panel"' in body and "<html" not in body
    assert "Response 200" in body and "&quot;Ada&quot;" in body
    assert AuditEvent.objects.filter(action="flow.trigger.sync", target_id=flow["id"]).exists()


def test_trigger_async_is_accepted_and_a_run_follows(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    body = console_client.post(url, {"payload": '{"n": 1}', "mode": "async"}).content.decode()
    assert "Accepted" in body
    assert wait_terminal(gw, flow["id"])["status"] == "SUCCEEDED"


def test_invalid_payload_is_refused_beside_the_field_and_kept(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    for payload, message in (('{"name": ', "not valid JSON"), ("[1, 2]", "must be a JSON object")):
        response = console_client.post(url, {"payload": payload, "mode": "sync"}, headers=HTMX)
        body = response.content.decode()
        assert response.status_code == 400
        assert message in body
        assert payload.replace('"', "&quot;") in body
    assert gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"]}).json()["data"] == []


def test_trigger_page_warns_when_the_live_version_has_no_return_response(console_client, gw):
    flow = make_flow(gw, webhook=True, publish=True)
    operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": _rr()})  # only in the draft
    page = console_client.get(reverse("flows-trigger", kwargs={"flow_id": flow["id"]})).content.decode()
    assert 'data-testid="trigger-no-return-response"' in page
    assert "hx-confirm" in page.split('data-testid="trigger-sync"')[1].split(">")[0]
    unpublished = make_flow(gw)
    page = console_client.get(reverse("flows-trigger", kwargs={"flow_id": unpublished["id"]})).content.decode()
    assert 'data-testid="trigger-not-enabled"' in page


def _rr() -> dict:
    from .conftest import return_response_step

    return return_response_step()


def test_sync_trigger_without_return_response_explains_the_204(console_client, quick_gateway, settings):
    """Uses a second gateway whose sync limit is 0.5 s, so the 204 arrives quickly."""
    settings.IMBRACE_BASE_URL = quick_gateway.base_url
    settings.IMBRACE_API_KEY = quick_gateway.api_key
    with quick_gateway.client() as quick:
        flow = make_flow(quick, webhook=True, publish=True)
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    body = console_client.post(url, {"payload": "{}", "mode": "sync"}, headers=HTMX).content.decode()
    assert "No response" in body and "without a Return Response step" in body


def test_gateway_timeout_on_sync_trigger_is_explained(console_client, gw, gateway_faults):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    gateway_faults.add_fault(path=f"{AP}/webhooks/{flow['id']}/sync", kind="status", status=504)
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    body = console_client.post(url, {"payload": "{}", "mode": "sync"}, headers=HTMX).content.decode()
    assert "Timed out" in body and "Return Response" in body


def test_trigger_of_a_disabled_flow_says_so(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    operate(gw, flow["id"], "CHANGE_STATUS", {"status": "DISABLED"})
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    body = console_client.post(url, {"payload": "{}", "mode": "async"}, headers=HTMX).content.decode()
    assert "Not enabled" in body


def test_runs_list_filters_by_status_and_polls_only_while_running(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    gw.post(f"{AP}/webhooks/{flow['id']}", json={"slow": True})
    url = reverse("flow-runs-list")
    running = console_client.get(url, {"flow": flow["id"]}).content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert flow["version"]["displayName"] in running
    recent = console_client.get(detail(flow["id"]), headers={**HTMX, "HX-Target": "flow-runs-recent"}).content.decode()
    assert 'id="flow-runs-recent"' in recent and "<html" not in recent and 'hx-trigger="every 2s"' in recent
    wait_terminal(gw, flow["id"])
    done = console_client.get(url, {"flow": flow["id"]}, headers=HTMX).content.decode()
    assert 'id="runs-region"' in done and "<html" not in done
    assert 'hx-trigger="every 2s"' not in done and "Succeeded" in done
    failed = console_client.get(url, {"flow": flow["id"], "status": "FAILED"}).content.decode()
    assert 'data-testid="runs-empty"' in failed
    assert 'value="FAILED" selected' in failed


def test_run_page_shows_every_step_whole_and_reruns(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    long_text = "x" * 5000
    gw.post(f"{AP}/webhooks/{flow['id']}/sync", json={"note": long_text})
    run = wait_terminal(gw, flow["id"])
    page = console_client.get(reverse("flow-runs-detail", kwargs={"run_id": run["id"]})).content.decode()
    assert page.count('data-testid="run-step"') == 2
    assert "<details" in page and long_text in page
    assert 'hx-trigger="every 2s"' not in page

    response = console_client.post(reverse("flow-runs-rerun", kwargs={"run_id": run["id"]}))
    assert response.status_code == 302 and flow["id"] in response["Location"]
    for _ in range(100):
        runs = gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"]}).json()["data"]
        if len(runs) == 2 and runs[0]["status"] == "SUCCEEDED":
            break
        time.sleep(0.1)
    rerun = gw.get(f"{AP}/flow-runs/{runs[0]['id']}").json()
    assert rerun["steps"]["trigger"]["output"]["body"] == {"note": long_text}


def test_unknown_run_is_a_not_found_page(console_client):
    response = console_client.get(reverse("flow-runs-detail", kwargs={"run_id": "z" * 21}))
    assert response.status_code == 404
