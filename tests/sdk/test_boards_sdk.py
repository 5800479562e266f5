"""The official ``imbrace`` SDK's board calls against the local gateway.

The SDK builds data-board URLs as ``{base_url}/data-board/...`` (service_registry.py),
sends only ``x-api-key`` in API-key mode, and unwraps ``{data}`` for single objects.
"""

from __future__ import annotations

import uuid

import pytest
from imbrace import ImbraceClient
from imbrace.exceptions import ApiError

pytestmark = pytest.mark.sdk


@pytest.fixture
def sdk(localgateway):
    client = ImbraceClient(api_key=localgateway.api_key, base_url=localgateway.base_url)
    yield client
    client.http._client.close()


def test_board_lifecycle_through_the_sdk(sdk):
    name = f"SDK board {uuid.uuid4().hex[:8]}"
    board = sdk.boards.create(
        name, "Made by the SDK", fields=[{"name": "Name", "type": "ShortText", "isUniqueIdentifier": True}]
    )
    assert board["name"] == name and board["_id"] == board["id"]
    name_field = board["fields"][0]

    stage = sdk.boards.create_field(
        board["id"], {"name": "Stage", "type": "SingleSelection", "data": [{"value": "Open"}, {"value": "Won"}]}
    )
    assert stage["name"] == "Stage", "the SDK picks the new field out of the returned board"
    won = next(option for option in stage["data"] if option["value"] == "Won")

    first = sdk.boards.create_item(board["id"], {"fields": {name_field["id"]: "Acme Trading", stage["id"]: won["id"]}})
    assert first["fields"][stage["id"]] == "Won"
    second = sdk.boards.create_item(board["id"], {"fields": [{"board_field_id": name_field["id"], "value": "Globex"}]})

    page = sdk.boards.list_items(board["id"], limit=1, skip=0)
    assert page["count"] == 2 and len(page["data"]) == 1
    assert page["data"][0]["id"] == second["id"]

    found = sdk.boards.search(board["id"], q="acme")
    assert found["success"] is True
    assert [hit["id"] for hit in found["message"]["hits"]] == [first["id"]]
    assert found["message"]["estimatedTotalHits"] == 1

    updated = sdk.boards.update_item(board["id"], second["id"], {"data": [{"key": stage["id"], "value": "Open"}]})
    assert updated["fields"][stage["id"]] == "Open"
    assert updated["fields"][name_field["id"]] == "Globex"

    csv_text = sdk.boards.export_csv(board["id"], {"all": "true"})
    lines = csv_text.split("\n")
    assert lines[0] == '"Name","Stage","Record Created On","Lasted Updated On"'
    assert lines[1].startswith('"Globex","Open",')
    assert lines[2].startswith(f'"Acme Trading","{won["id"]}",')

    sdk.boards.delete_item(board["id"], first["id"])
    assert sdk.boards.list_items(board["id"])["count"] == 1
    with pytest.raises(ApiError) as excinfo:
        sdk.boards.get_item(board["id"], first["id"])
    assert excinfo.value.status_code == 404


def test_sdk_sees_the_services_validation_errors(sdk):
    board = sdk.boards.create(
        f"SDK errors {uuid.uuid4().hex[:8]}", fields=[{"name": "Email", "type": "Email", "isUniqueIdentifier": True}]
    )
    email = board["fields"][0]["id"]
    sdk.boards.create_item(board["id"], {"fields": {email: "a@b.co"}})
    with pytest.raises(ApiError) as conflict:
        sdk.boards.create_item(board["id"], {"fields": {email: "A@B.co"}})
    assert conflict.value.status_code == 409
    with pytest.raises(ApiError) as invalid:
        sdk.boards.update_item(board["id"], "whatever", {"fields": [], "data": []})
    assert invalid.value.status_code == 400
    assert "ZodError" in str(invalid.value)
