"""JSON typed into the flow forms (trigger payload, tool schema, response body, a mapped constant) that is too deep,
holds NaN or an infinity: a message beside the editor, the typed text kept, nothing sent to the gateway, never a 500.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from apps.flows.forms import BoardStepForm, ReturnResponseForm, ToolForm, TriggerForm

from .conftest import AP, make_flow, operate

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

HOSTILE = [
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply: more than 100 levels"),
    ("[" * 100_000, "nested too deeply"),
    ('{"amount": NaN}', "holds NaN, which JSON does not allow"),
    ('{"amount": Infinity}', "holds Infinity"),
    ('{"amount": -Infinity}', "holds -Infinity"),
    ('{"amount": 1e999}', "holds the number 1e999, too large for a JSON number"),
    ('{"id": ' + "7" * 5000 + "}", "too large for a JSON number"),
    ('{"note": "' + "a" * 1_000_000 + '"}', "characters, the limit is 1,000,000"),
]
IDS = ["deep-object", "deep-array", "nan", "infinity", "minus-infinity", "1e999", "5000-digits", "too-long"]


def _schema(text: str) -> str:
    """The hostile value as a tool's parameter schema: an object schema around it."""
    return '{"type": "object", "properties": {}, "x": ' + text + "}"


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=IDS)
def test_each_json_form_refuses_it_beside_its_field(text, message):
    forms = [
        (TriggerForm({"payload": text, "mode": "sync"}), "payload"),
        (ToolForm({"description": "Look up", "parameters": _schema(text)}), "parameters"),
        (ReturnResponseForm({"status": 200, "response_type": "json", "body": text, "respond": "stop"}), "body"),
    ]
    for form, field in forms:
        assert not form.is_valid()
        assert message in " ".join(form.errors[field]), (type(form).__name__, form.errors)


def test_a_mapped_constant_with_a_lone_surrogate_is_refused_and_a_bad_quote_explained():
    def mapping_errors(line: str) -> list[str]:
        form = BoardStepForm(
            {"display_name": "Store", "board": "b1", "operation": "create", "input_method": "json", "mapping": line},
            board_choices=[("b1", "Leads")],
            board_fields=[{"id": "f1", "name": "Name", "type": "ShortText"}],
        )
        assert not form.is_valid()
        return form.errors["mapping"]

    assert "unpaired surrogate" in mapping_errors('Name = "\\ud800"')[0]
    assert mapping_errors('Name = "Lead')[0] == 'Line 1: close the quoted value with a ".'


def _sent_for(localgateway, flow_id: str) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in localgateway.requests_seen() if flow_id in r["path"]]


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=IDS)
def test_trigger_keeps_the_payload_and_sends_nothing(console_client, gw, localgateway, text, message):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    url = reverse("flows-trigger", kwargs={"flow_id": flow["id"]})
    before = _sent_for(localgateway, flow["id"])
    for headers in ({}, HTMX):
        response = console_client.post(url, {"payload": text, "mode": "sync"}, headers=headers)
        body = response.content.decode()
        assert response.status_code == 400
        assert message in body
        assert f">{escape(text)}</textarea>" in body  # the typed payload, whole, back in its editor
    # Only the page's own reads reached the gateway: no webhook call, no run.
    assert not [line for line in _sent_for(localgateway, flow["id"]) if line not in before and "GET" not in line]
    assert gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"]}).json()["data"] == []


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=IDS)
def test_tool_schema_keeps_the_text_and_changes_nothing(console_client, gw, text, message):
    flow = make_flow(gw, "Hostile schema tool")
    operate(gw, flow["id"], "UPDATE_METADATA", {"metadata": {"tags": []}})
    before = gw.get(f"{AP}/flows/{flow['id']}").json()["metadata"]
    schema = _schema(text)
    url = reverse("flows-tool", kwargs={"flow_id": flow["id"]})
    response = console_client.post(url, {"description": "Look up an order", "parameters": schema})
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert escape(schema) in body and "Look up an order" in body
    assert gw.get(f"{AP}/flows/{flow['id']}").json()["metadata"] == before


def test_return_response_body_keeps_the_text(console_client, gw):
    flow = make_flow(gw, webhook=True)
    url = reverse("flow-steps-create", kwargs={"flow_id": flow["id"], "kind": "return_response"})
    text = '{"total": NaN, "nested": ' + "[" * 100_000 + "}"
    data = {"status": "200", "response_type": "json", "body": text, "respond": "stop", "headers": ""}
    response = console_client.post(url, data)
    assert response.status_code == 400
    assert "The body is nested too deeply" in response.content.decode()
    assert escape(text) in response.content.decode()
    assert gw.get(f"{AP}/flows/{flow['id']}").json()["version"]["trigger"].get("nextAction") is None
