"""Flows built straight on the local gateway, for the console's tests to read and change."""

from __future__ import annotations

import os

import pytest

from tests.flow_helpers import AP, WEBHOOK_TRIGGER
from tests.flow_helpers import return_response_step as flow_step
from tests.support import start_localgateway


def return_response_step(name: str = "step_1", *, status: int = 200) -> dict:
    """A Return Response step answering ``{"got": <the trigger's body>}``."""
    return flow_step(name, status=status, body={"got": "{{trigger.body}}"})


def unique(prefix: str = "Flow") -> str:
    return f"{prefix} {os.urandom(4).hex()}"


def make_flow(gw, name: str | None = None, *, webhook: bool = False, respond: bool = False, publish: bool = False):
    flow = gw.post(f"{AP}/flows", json={"displayName": name or unique()}).json()
    if webhook:
        operate(gw, flow["id"], "UPDATE_TRIGGER", WEBHOOK_TRIGGER)
    if respond:
        operate(gw, flow["id"], "ADD_ACTION", {"parentStep": "trigger", "action": return_response_step()})
    if publish:
        operate(gw, flow["id"], "LOCK_AND_PUBLISH", {})
    return gw.get(f"{AP}/flows/{flow['id']}").json()


def operate(gw, flow_id: str, kind: str, request: dict) -> dict:
    response = gw.post(f"{AP}/flows/{flow_id}", json={"type": kind, "request": request})
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="session")
def quick_gateway(tmp_path_factory):
    """A second gateway whose sync listener gives up after half a second (the real one waits 30 s)."""
    gateway = start_localgateway(
        tmp_path_factory.mktemp("flows-quick-console"),
        extra_env={"LOCALGATEWAY_WEBHOOK_SYNC_TIMEOUT": "0.5", "LOCALGATEWAY_FLOW_RUN_DELAY": "0.05"},
    )
    yield gateway
    gateway.stop()
