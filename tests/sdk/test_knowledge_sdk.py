"""The official ``imbrace`` SDK's Knowledge Hub calls, run against the local gateway.

The guide's sequence: create a folder, upload files into it, search folders,
read its contents, rename it, search files, delete it.
"""

from __future__ import annotations

import io
import uuid

import pytest
from imbrace import ImbraceClient
from imbrace.exceptions import ApiError

pytestmark = pytest.mark.sdk


@pytest.fixture
def sdk(localgateway):
    with ImbraceClient(gateway=localgateway.base_url, api_key=localgateway.api_key, timeout=10) as client:
        yield client


def test_the_guides_folder_and_file_calls(sdk):
    marker = uuid.uuid4().hex[:8]
    folder = sdk.boards.create_folder({"name": f"Product Docs {marker}", "description": "Guides and policies"})
    folder_id = folder["id"]
    # the SDK fills organization_id (from the account), source_type and the root parent
    assert folder["parent_folder_id"] == "root"
    assert folder["source_type"] == "upload"
    assert folder["organization_id"] == sdk.account.get_account().organization_id

    sub = sdk.boards.create_folder({"name": "Policies", "parent_id": folder_id})
    assert sub["parent_folder_id"] == folder_id
    assert sub["path"] == f"/Product Docs {marker}/Policies"

    # The guide passes files=; the service also needs folder_id as a form field.
    uploaded = sdk.boards.upload_file(
        {
            "file": (f"returns-{marker}.md", io.BytesIO(b"# Returns\n\n30 days, free."), "text/markdown"),
            "folder_id": (None, folder_id),
        }
    )
    assert uploaded["name"] == f"returns-{marker}.md"
    assert uploaded["folder_id"] == folder_id
    assert uploaded["_id"] == uploaded["id"]
    sdk.boards.upload_file({"file": ("warranty.txt", b"Two years.", "text/plain"), "folder_id": (None, sub["id"])})

    found = sdk.boards.search_folders(q=f"docs {marker}")
    assert [row["id"] for row in found] == [folder_id]

    contents = sdk.boards.get_folder_contents(folder_id)
    assert contents["folder"]["id"] == folder_id
    assert [row["name"] for row in contents["files"]] == [f"returns-{marker}.md"]
    assert [row["id"] for row in contents["subfolders"]] == [sub["id"]]
    assert contents["pagination"]["total_recursive_file_count"] == 2

    renamed = sdk.boards.update_folder(folder_id, {"name": f"Product Documentation {marker}"})
    assert renamed["name"] == f"Product Documentation {marker}"
    assert sdk.boards.get_folder(folder_id)["path"] == f"/Product Documentation {marker}"

    # search_files ignores its folder: it matches names across the organization
    files = sdk.boards.search_files(sub["id"])
    assert {row["id"] for row in files} >= {uploaded["id"]}

    got = sdk.boards.get_file(uploaded["id"])
    assert "/files/download/" in got["presigned_url"] and uploaded["id"] in got["presigned_url"]
    assert sdk.boards.download_file(uploaded["id"]).content == b"# Returns\n\n30 days, free."

    deleted = sdk.boards.delete_folders([folder_id])
    assert deleted == {"success": True, "message": "1 folders deleted successfully", "data": {"deletedCount": 1}}
    with pytest.raises(ApiError) as excinfo:
        sdk.boards.get_folder(sub["id"])
    assert excinfo.value.status_code == 404


def test_upload_without_folder_id_is_refused(sdk):
    with pytest.raises(ApiError) as excinfo:
        sdk.boards.upload_file({"file": ("a.txt", b"a", "text/plain")})
    assert excinfo.value.status_code == 400
    assert "folder_id is required" in str(excinfo.value)


def test_folders_resource(sdk):
    created = sdk.folders.create({"name": f"Via folders {uuid.uuid4().hex[:6]}"})
    assert created["success"] is True
    folder_id = created["data"]["id"]
    assert sdk.folders.get(folder_id)["data"]["folder"]["id"] == folder_id
    assert sdk.folders.update(folder_id, {"name": "Renamed via folders"})["data"]["name"] == "Renamed via folders"
    assert sdk.folders.get_contents(folder_id)["data"]["files"] == []
    assert sdk.folders.delete([folder_id])["data"] == {"deletedCount": 1}
