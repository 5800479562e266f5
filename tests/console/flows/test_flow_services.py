"""Flow selectors and services against the local gateway: the traps they hide, what they audit."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
import respx

from apps.audit.models import AuditEvent
from apps.flows import selectors, services
from imbrace_console.gateway import GatewayError, GatewayNotFound

from .conftest import make_flow, operate, return_response_step, unique

async_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ACTOR = SimpleNamespace(pk=None, username="flow-tester")


def test_run_name_reads_the_flow_version_then_the_older_field():
    assert (
        selectors.run_from({"id": "r", "flowVersion": {"displayName": "New"}, "flowDisplayName": "Old"}).flow_name
        == "New"
    )
    assert selectors.run_from({"id": "r", "flowDisplayName": "Old"}).flow_name == "Old"
    assert selectors.run_from({"id": "r", "flowId": "f1"}).flow_name == "f1"


def test_run_knows_when_it_is_finished_and_what_it_received():
    run = selectors.run_from(
        {
            "id": "r",
            "status": "RUNNING",
            "steps": {"trigger": {"type": "PIECE_TRIGGER", "status": "SUCCEEDED", "output": {"body": {"a": 1}}}},
        }
    )
    assert not run.terminal and run.trigger_body == {"a": 1}
    assert selectors.run_from({"id": "r", "status": "INTERNAL_ERROR"}).terminal


@respx.mock
async def test_flow_choices_dedupes_overlapping_pages(settings):
    """respx: the local gateway's keyset pages never overlap, but the real engine's can.

    See docs/contract/flows.md#lists-and-cursors.
    """
    settings.IMBRACE_BASE_URL = "http://gateway.test"
    first = {"id": "a", "version": {"displayName": "Alpha"}}
    second = {"id": "b", "version": {"displayName": "beta"}}
    respx.get("http://gateway.test/activepieces/v1/flows", params={"cursor": "c1"}).mock(
        return_value=httpx.Response(
            200,
            json={"data": [second, {"id": "c", "version": {"displayName": "Gamma"}}], "next": None, "previous": None},
        )
    )
    respx.get("http://gateway.test/activepieces/v1/flows").mock(
        return_value=httpx.Response(200, json={"data": [first, second], "next": "c1", "previous": None})
    )
    assert await selectors.flow_choices() == [("a", "Alpha"), ("b", "beta"), ("c", "Gamma")]


async def test_unknown_run_is_not_found_although_the_engine_says_400():
    with pytest.raises(GatewayNotFound):
        await selectors.flow_run_get(run_id="y" * 21)


async def test_piece_version_comes_from_the_engine():
    assert await selectors.flow_piece_version(piece_name=selectors.WEBHOOK_PIECE) == "0.1.24"


async def test_board_piece_version_is_read_from_the_engine_cached_briefly_and_never_guessed(gateway_faults):
    selectors._piece_versions.clear()
    gateway_faults.add_fault(path="/activepieces/v1/pieces/", kind="status", status=503)
    with pytest.raises(GatewayError):  # no made-up version when the engine cannot say
        await selectors.flow_piece_version(piece_name=selectors.BOARD_PIECE)
    gateway_faults.clear_faults()
    assert await selectors.flow_piece_version(piece_name=selectors.BOARD_PIECE) == "0.0.1"
    gateway_faults.add_fault(path="/activepieces/v1/pieces/", kind="status", status=503)
    assert await selectors.flow_piece_version(piece_name=selectors.BOARD_PIECE) == "0.0.1"  # from the cache
    read_at, version = selectors._piece_versions[selectors.BOARD_PIECE]
    selectors._piece_versions[selectors.BOARD_PIECE] = (read_at - selectors.PIECE_VERSION_TTL - 1, version)
    with pytest.raises(GatewayError):  # stale: asked again
        await selectors.flow_piece_version(piece_name=selectors.BOARD_PIECE)
    selectors._piece_versions.clear()


@async_db
async def test_publish_refuses_an_invalid_flow_without_calling_the_engine(gw):
    flow = make_flow(gw)
    with pytest.raises(services.FlowNotPublishable) as caught:
        await services.flow_publish(actor=ACTOR, flow_id=flow["id"])
    assert "trigger is empty" in caught.value.reason
    assert not await AuditEvent.objects.filter(action="flow.publish", target_id=flow["id"]).aexists()


@async_db
async def test_enable_refuses_a_never_published_flow(gw):
    flow = selectors.flow_from(make_flow(gw, webhook=True))
    with pytest.raises(services.FlowNotPublishable):
        await services.flow_status_set(actor=ACTOR, flow=flow, enabled=True)


@async_db
async def test_create_build_and_publish_are_audited(gw):
    name = unique("Service flow")
    flow = await services.flow_create(actor=ACTOR, display_name=name)
    flow = await services.flow_trigger_webhook_set(actor=ACTOR, flow_id=flow.id)
    action = await services.return_response_action(
        name="", status=200, headers={}, body={"ok": True}, response_type="json", respond="stop"
    )
    flow = await services.flow_step_add(actor=ACTOR, flow=flow, action=action)
    assert [step.name for step in flow.steps] == ["step_1"] and flow.has_return_response
    flow = await services.flow_publish(actor=ACTOR, flow_id=flow.id)
    assert flow.enabled and flow.published and not flow.has_draft_changes
    actions = [
        event.action async for event in AuditEvent.objects.filter(target_id=flow.id, outcome="success").order_by("id")
    ]
    assert actions == ["flow.create", "flow.trigger.webhook", "flow.step.add", "flow.publish"]


@async_db
async def test_sync_trigger_returns_the_flow_answer_and_failures_are_explained(gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    result = await services.flow_trigger(actor=ACTOR, flow_id=flow["id"], payload={"x": 1}, sync=True)
    assert result.outcome == "response" and result.status == 200 and result.body == {"got": {"x": 1}}

    teapot = make_flow(gw, webhook=True)
    operate(gw, teapot["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response_step(status=418)})
    operate(gw, teapot["id"], "LOCK_AND_PUBLISH", {})
    refused = await services.flow_trigger(actor=ACTOR, flow_id=teapot["id"], payload={}, sync=True)
    assert refused.outcome == "response" and refused.status == 418

    gone = await services.flow_trigger(actor=ACTOR, flow_id="g" * 21, payload={}, sync=False)
    assert gone.outcome == "gone"
