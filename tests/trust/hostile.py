"""Gateway data that tries to run in the console: HTML/JS payloads in every text the console shows.

Each payload carries a tag, so a failure says which field leaked. Any of them,
rendered unescaped, either sets ``window.__xss`` (with the CSP off) or adds an
element with the class ``xss-probe`` (even with the CSP on).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import httpx
from django.urls import reverse

from tests.chat_helpers import ORGANIZATION_ID, make_assistant, make_flow

PROBE_CLASS = "xss-probe"


def payload(tag: str, *, slashless: bool = False) -> str:
    """Breaks out of text and of quoted attributes, with an inert marker element and two script vectors.

    ``slashless`` for file names: a ``/`` would make the gateway keep only the part after it, and
    multipart encoding turns ``"`` into ``%22``, so that variant quotes with ``'`` only.
    """
    if slashless:
        return f"{tag}'><i class='{PROBE_CLASS}'>{tag}<img src='none.png' onerror='window.__xss=1'>"
    return (
        f'{tag}"\'><i class="{PROBE_CLASS}">{tag}<img src="none.png" onerror="window.__xss=\'{tag}\'">'
        f"</i><script>window.__xss='{tag}'</script>"
    )


# The methods that change something at the gateway.
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class HostileData:
    suffix: str
    board_id: str = ""
    item_id: str = ""
    field_id: str = ""
    folder_id: str = ""
    file_id: str = ""
    assistant_id: str = ""
    flow_id: str = ""
    run_id: str = ""
    tags: list[str] = field(default_factory=list)

    def ids(self) -> dict[str, str]:
        """The objects' ids by the URL argument that names each (``board_id``, ...), to fill in console URLs."""
        names = ("board_id", "item_id", "field_id", "folder_id", "file_id", "assistant_id", "flow_id", "run_id")
        return {name: getattr(self, name) for name in names}

    def text(self, tag: str, *, slashless: bool = False) -> str:
        self.tags.append(tag)
        return payload(f"{tag}-{self.suffix}", slashless=slashless)


def gateway_writes(localgateway) -> list[str]:
    """The writes the local gateway has seen (``METHOD path``): what a request that must change nothing must not add."""
    return [f"{r['method']} {r['path']}" for r in localgateway.requests_seen() if r["method"] in WRITES]


def create_hostile_data(gw: httpx.Client) -> HostileData:
    data = HostileData(suffix=uuid.uuid4().hex[:6])

    board = gw.post(
        "/data-board/boards",
        json={
            "name": data.text("board"),
            "description": data.text("board_description"),
            "fields": [
                {"name": data.text("field_name"), "type": "ShortText", "isUniqueIdentifier": True},
                {"name": data.text("field_notes"), "type": "LongText"},
                {"name": "Stage", "type": "SingleSelection", "data": [{"value": data.text("option")}]},
            ],
        },
    )
    board.raise_for_status()
    board_body = board.json()["data"]
    data.board_id = board_body["id"]
    name_field, notes_field = board_body["fields"][0]["id"], board_body["fields"][1]["id"]
    data.field_id = name_field
    item = gw.post(
        f"/data-board/boards/{data.board_id}/items",
        json={"fields": {name_field: data.text("item_value"), notes_field: data.text("item_notes")}},
    )
    item.raise_for_status()
    data.item_id = item.json()["data"]["id"]

    folder = gw.post(
        "/data-board/folders",
        json={
            "name": data.text("folder"),
            "description": data.text("folder_description"),
            "organization_id": ORGANIZATION_ID,
            "parent_folder_id": "root",
            "source_type": "upload",
        },
    )
    folder.raise_for_status()
    data.folder_id = folder.json()["data"]["_id"]
    file_name = data.text("file_name", slashless=True) + ".md"
    upload = gw.post(
        "/data-board/files/upload",
        data={"folder_id": data.folder_id},
        files={"file": (file_name, _notes(data.text("chat_reply")), "text/markdown")},
    )
    upload.raise_for_status()
    data.file_id = upload.json()["data"]["_id"]

    data.flow_id = make_flow(
        gw,
        name=data.text("flow_name"),
        description=data.text("flow_description"),
        response_body={"echo": "{{trigger.body.query}}"},
    )
    gw.post(f"/activepieces/v1/webhooks/{data.flow_id}/sync", json={"query": data.text("run_output")})
    data.run_id = _latest_run(gw, data.flow_id)

    assistant = make_assistant(
        gw,
        name=data.text("assistant_name")[:240],
        folder_ids=[data.folder_id],
        board_ids=[data.board_id],
        flow_ids=[data.flow_id],
    )
    data.assistant_id = assistant["id"]
    gw.put(
        f"/v3/ai/assistant_apps/{data.assistant_id}",
        json={
            **assistant,
            "description": data.text("assistant_description"),
            "core_task": data.text("assistant_core_task"),
            "instructions": data.text("assistant_instructions"),
            "personality_role": data.text("assistant_personality"),
        },
    ).raise_for_status()
    return data


def _notes(hostile: str) -> bytes:
    """A knowledge file whose passage the assistant quotes back in chat: the reply carries the payload."""
    return f"# Harbour notes\n\nThe harbour lantern schedule: {hostile}\n".encode()


def _latest_run(gw: httpx.Client, flow_id: str) -> str:
    for _ in range(100):
        runs = gw.get("/activepieces/v1/flow-runs", params={"flowId": flow_id}).json()["data"]
        if runs and runs[0]["status"] not in ("QUEUED", "RUNNING"):
            return runs[0]["id"]
        time.sleep(0.1)
    raise AssertionError("the hostile flow run did not finish")


def pages_showing(data: HostileData) -> list[str]:
    """Every page kind that shows gateway text: lists, details, edit forms and confirmations."""
    return [
        reverse("dashboard"),
        reverse("boards-list"),
        reverse("boards-detail", kwargs={"board_id": data.board_id}),
        reverse("boards-update", kwargs={"board_id": data.board_id}),
        reverse("boards-delete", kwargs={"board_id": data.board_id}),
        reverse("board-fields-list", kwargs={"board_id": data.board_id}),
        reverse("board-fields-update", kwargs={"board_id": data.board_id, "field_id": data.field_id}),
        reverse("board-items-create", kwargs={"board_id": data.board_id}),
        reverse("board-items-update", kwargs={"board_id": data.board_id, "item_id": data.item_id}),
        reverse("board-items-delete", kwargs={"board_id": data.board_id, "item_id": data.item_id}),
        reverse(
            "board-items-cell",
            kwargs={"board_id": data.board_id, "item_id": data.item_id, "field_id": data.field_id},
        ),
        reverse(
            "board-items-cell-update",
            kwargs={"board_id": data.board_id, "item_id": data.item_id, "field_id": data.field_id},
        ),
        reverse("knowledge-list"),
        reverse("knowledge-folder-detail", kwargs={"folder_id": data.folder_id}),
        reverse("knowledge-folder-update", kwargs={"folder_id": data.folder_id}),
        reverse("knowledge-folder-delete", kwargs={"folder_id": data.folder_id}),
        reverse("knowledge-file-delete", kwargs={"file_id": data.file_id}),
        reverse("assistants-list"),
        reverse("assistants-detail", kwargs={"assistant_id": data.assistant_id}),
        reverse("assistants-update", kwargs={"assistant_id": data.assistant_id}),
        reverse("assistants-delete", kwargs={"assistant_id": data.assistant_id}),
        reverse("assistants-chat", kwargs={"assistant_id": data.assistant_id}),
        reverse("flows-list"),
        reverse("flows-detail", kwargs={"flow_id": data.flow_id}),
        reverse("flows-delete", kwargs={"flow_id": data.flow_id}),
        reverse("flows-trigger", kwargs={"flow_id": data.flow_id}),
        reverse("flow-runs-list"),
        reverse("flow-runs-detail", kwargs={"run_id": data.run_id}),
    ]
