"""Set-up and parsing helpers for the chat tests: assistants, knowledge folders and UI message streams.

Everything goes through the local gateway's HTTP API, as a client would.
"""

from __future__ import annotations

import json
import uuid

import httpx

ORGANIZATION_ID = "org_imbrace_local"


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def make_folder(gw: httpx.Client, files: dict[str, str], *, name: str | None = None) -> str:
    """A knowledge folder holding text files ``{file name: text}``; returns its id."""
    response = gw.post(
        "/data-board/folders",
        json={
            "name": name or unique("Chat docs"),
            "organization_id": ORGANIZATION_ID,
            "parent_folder_id": "root",
            "source_type": "upload",
        },
    )
    response.raise_for_status()
    folder_id = response.json()["data"]["_id"]
    for file_name, text in files.items():
        upload = gw.post(
            "/data-board/files/upload",
            data={"folder_id": folder_id},
            files={"file": (file_name, text.encode(), "text/markdown")},
        )
        upload.raise_for_status()
    return folder_id


def make_assistant(
    gw: httpx.Client,
    *,
    name: str | None = None,
    streaming: bool = True,
    folder_ids: list[str] | None = None,
    board_ids: list[str] | None = None,
    flow_ids: list[str] | None = None,
    metadata: dict | None = None,
    model_id: str = "Default",
) -> dict:
    name = name or unique("Chat assistant")
    body = {
        "name": name,
        "workflow_name": name.lower().replace(" ", "_"),
        "provider_id": "system",
        "model_id": model_id,
        "core_task": "Answer questions from the attached knowledge.",
        "streaming": streaming,
        "folder_ids": folder_ids or [],
        "board_ids": board_ids or [],
        "workflow_function_call": flow_ids or [],
    }
    if metadata is not None:
        body["metadata"] = metadata
    response = gw.post("/v3/ai/assistant_apps", json=body)
    response.raise_for_status()
    return response.json()


def chat_body(assistant_id: str, text: str, chat_id: str | None = None, **extra) -> dict:
    return {
        "id": chat_id or str(uuid.uuid4()),
        "assistant_id": assistant_id,
        "messages": [{"id": str(uuid.uuid4()), "role": "user", "parts": [{"type": "text", "text": text}]}],
        **extra,
    }


def parse_parts(body: str) -> list[dict | str]:
    """The parts of a UI message stream body, in order (``"[DONE]"`` as a string)."""
    parts: list[dict | str] = []
    for event in body.split("\n\n"):
        if not event.strip():
            continue
        assert event.startswith("data: "), f"unexpected SSE framing: {event!r}"
        data = event[len("data: ") :]
        parts.append(data if data == "[DONE]" else json.loads(data))
    return parts


def text_of(parts: list[dict | str]) -> str:
    return "".join(part["delta"] for part in parts if isinstance(part, dict) and part["type"] == "text-delta")


def chat(gw: httpx.Client, assistant_id: str, text: str, chat_id: str | None = None) -> tuple[list, str]:
    """Send one message and read the whole stream: (parts, reply text)."""
    response = gw.post("/ai-agent/v2/chat", json=chat_body(assistant_id, text, chat_id))
    assert response.status_code == 200, response.text
    parts = parse_parts(response.text)
    return parts, text_of(parts)


REFUND_POLICY = """# Refund policy

Customers can ask for a full refund within 30 days of purchase. Refunds go back to the original payment method.

Refunds for annual plans after 30 days are prorated by the unused months.
"""

SHIPPING_GUIDE = """# Shipping guide

Orders ship from the Rotterdam warehouse within two business days.

Express shipping to the EU takes one day and costs 15 euros.
"""


WEBHOOK_PIECE = "@activepieces/piece-webhook"


def make_flow(gw: httpx.Client, *, name: str, description: str, response_body: dict) -> str:
    """A published webhook flow that answers ``response_body`` (with ``{{trigger.body.query}}`` filled in),
    described for chat tools in ``metadata.settings.ai.function``; returns its id."""
    created = gw.post("/activepieces/v1/flows", json={"displayName": name})
    created.raise_for_status()
    flow_id = created.json()["id"]
    steps = [
        (
            "UPDATE_TRIGGER",
            {
                "name": "trigger",
                "type": "PIECE_TRIGGER",
                "displayName": "Catch Webhook",
                "valid": True,
                "settings": {
                    "pieceName": WEBHOOK_PIECE,
                    "pieceVersion": "~0.1.24",
                    "triggerName": "catch_webhook",
                    "input": {"authType": "none"},
                    "propertySettings": {},
                },
            },
        ),
        (
            "ADD_ACTION",
            {
                "parentStep": "trigger",
                "action": {
                    "name": "step_1",
                    "type": "PIECE",
                    "displayName": "Return Response",
                    "valid": True,
                    "settings": {
                        "pieceName": WEBHOOK_PIECE,
                        "pieceVersion": "~0.1.24",
                        "actionName": "return_response",
                        "input": {"responseType": "json", "fields": {"status": 200, "body": response_body}},
                        "propertySettings": {},
                    },
                },
            },
        ),
        ("UPDATE_METADATA", {"metadata": {"settings": {"ai": {"function": {"description": description}}}}}),
        ("LOCK_AND_PUBLISH", {}),
    ]
    for kind, request in steps:
        gw.post(f"/activepieces/v1/flows/{flow_id}", json={"type": kind, "request": request}).raise_for_status()
    return flow_id


def make_board(gw: httpx.Client, *, name: str, items: list[dict[str, str]]) -> str:
    """A board with a text field per key of ``items[0]`` (the first one identifies), holding ``items``."""
    names = list(items[0])
    fields = [
        {"name": field, "type": "ShortText", "isUniqueIdentifier": index == 0} for index, field in enumerate(names)
    ]
    created = gw.post("/data-board/boards", json={"name": name, "fields": fields})
    created.raise_for_status()
    board = created.json()["data"]
    ids = {field["name"]: field["_id"] for field in board["fields"]}
    for item in items:
        values = [{"board_field_id": ids[field], "value": value} for field, value in item.items()]
        gw.post(f"/data-board/boards/{board['_id']}/items", json={"fields": values}).raise_for_status()
    return board["_id"]
