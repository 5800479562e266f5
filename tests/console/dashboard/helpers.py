"""What the dashboard's tests make on the local gateway."""

from __future__ import annotations

import os
import time

from tests.flow_helpers import AP, WEBHOOK_TRIGGER, return_response_step


def failing_flow(gw) -> dict:
    """A published webhook flow whose Return Response step fails (status 999), run once, finished."""
    name = f"Failing {os.urandom(3).hex()}"
    flow = gw.post(f"{AP}/flows", json={"displayName": name}).json()
    for kind, request in (
        ("UPDATE_TRIGGER", WEBHOOK_TRIGGER),
        ("ADD_ACTION", {"parentStep": "trigger", "action": return_response_step(status=999)}),
        ("LOCK_AND_PUBLISH", {}),
    ):
        gw.post(f"{AP}/flows/{flow['id']}", json={"type": kind, "request": request}).raise_for_status()
    gw.post(f"{AP}/webhooks/{flow['id']}", json={"hello": "world"}).raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = gw.get(f"{AP}/flow-runs", params={"flowId": flow["id"]}).json()["data"]
        if runs and runs[0]["status"] not in ("QUEUED", "RUNNING"):
            assert runs[0]["status"] == "FAILED"
            return {"id": flow["id"], "name": name, "run_id": runs[0]["id"]}
        time.sleep(0.2)
    raise AssertionError("the run did not finish")
