"""Each board item, assistant, flow and folder page shows its own history from the audit log."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent

from .hostile import HostileData

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def objects(localgateway) -> HostileData:
    """Plain objects (the hostile data's shapes, with harmless names)."""
    from tests.chat_helpers import ORGANIZATION_ID, make_assistant, make_flow

    suffix = uuid.uuid4().hex[:6]
    data = HostileData(suffix=suffix)
    with localgateway.client() as gw:
        board = gw.post(
            "/data-board/boards",
            json={"name": f"History {suffix}", "fields": [{"name": "Company", "type": "ShortText"}]},
        ).json()["data"]
        data.board_id, data.field_id = board["id"], board["fields"][0]["id"]
        item = gw.post(f"/data-board/boards/{data.board_id}/items", json={"fields": {data.field_id: "Acme"}})
        data.item_id = item.json()["data"]["id"]
        folder = gw.post(
            "/data-board/folders",
            json={
                "name": f"History {suffix}",
                "organization_id": ORGANIZATION_ID,
                "parent_folder_id": "root",
                "source_type": "upload",
            },
        )
        data.folder_id = folder.json()["data"]["_id"]
        data.flow_id = make_flow(gw, name=f"History {suffix}", description="x", response_body={"ok": True})
        data.assistant_id = make_assistant(gw, name=f"History {suffix}")["id"]
    return data


def _event(target_type: str, target_id: str, **extra) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_username="history-probe",
        area=extra.pop("area", target_type),
        action=extra.pop("action", f"{target_type}.update"),
        target_type=target_type,
        target_id=target_id,
        outcome="success",
        **extra,
    )


@pytest.mark.parametrize(
    ("target_type", "attribute", "url_name", "kwargs"),
    [
        ("assistant", "assistant_id", "assistants-detail", ("assistant_id",)),
        ("flow", "flow_id", "flows-detail", ("flow_id",)),
        ("folder", "folder_id", "knowledge-folder-detail", ("folder_id",)),
        ("board_item", "item_id", "board-items-update", ("board_id", "item_id")),
    ],
)
def test_the_page_shows_its_own_history(target_type, attribute, url_name, kwargs, objects, console_client):
    target_id = getattr(objects, attribute)
    _event(target_type, target_id, message="mine")
    _event(target_type, "someone-else", message="not mine")
    url = reverse(url_name, kwargs={key: getattr(objects, key) for key in kwargs})

    page = console_client.as_role("Support").get(url)

    assert page.status_code == 200
    assert "Changes made in the console" in page.text
    assert page.text.count('data-testid="audit-history-event"') == 1
    assert "history-probe" in page.text and "mine" in page.text and "not mine" not in page.text


def test_the_item_history_names_the_fields(objects, console_client):
    _event(
        "board_item",
        objects.item_id,
        area="boards",
        action="item.update",
        changes={
            "board_id": objects.board_id,
            "old": {objects.field_id: "Acme"},
            "new": {objects.field_id: "Acme Ltd"},
        },
    )
    url = reverse("board-items-update", kwargs={"board_id": objects.board_id, "item_id": objects.item_id})

    page = console_client.as_role("Support").get(url)

    assert '<th scope="row">Company</th><td class="audit-old">Acme</td><td class="audit-new">Acme Ltd</td>' in page.text
