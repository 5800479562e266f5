"""File names are data, never paths: not from the browser on upload, not from the gateway on download.

(Size, count and type limits are tested with the uploads themselves, in tests/console/knowledge.)
"""

from __future__ import annotations

import tempfile
import uuid
from email.message import Message
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.chat_helpers import ORGANIZATION_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder_id(gw) -> str:
    response = gw.post(
        "/data-board/folders",
        json={
            "name": f"Path safety {uuid.uuid4().hex[:6]}",
            "organization_id": ORGANIZATION_ID,
            "parent_folder_id": "root",
            "source_type": "upload",
        },
    )
    response.raise_for_status()
    return response.json()["data"]["_id"]


def _stored_names(gw, folder_id: str) -> list[str]:
    return [row["name"] for row in gw.get("/data-board/files", params={"folder_id": folder_id}).json()["data"]]


def _nowhere_on_disk(name: str) -> None:
    """Neither where the traversal pointed nor anywhere under the temp or project directories."""
    for root in (Path(tempfile.gettempdir()), Path(__file__).resolve().parents[2]):
        assert not list(root.glob(f"**/{name}")), f"{name} was written under {root}"


@pytest.mark.parametrize("traversal", ["../../../../{}", "..\\..\\{}", "/etc/{}", "C:\\Windows\\{}"])
def test_an_uploaded_file_name_with_a_path_is_reduced_to_its_name(traversal, console_client, folder_id, gw):
    name = f"owned-{uuid.uuid4().hex[:8]}.txt"
    upload = SimpleUploadedFile(traversal.format(name), b"not a path\n", content_type="text/plain")

    response = console_client.as_role("Support").post(
        reverse("knowledge-file-upload", kwargs={"folder_id": folder_id}),
        {"file": upload},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 201, response.content
    assert _stored_names(gw, folder_id) == [name]
    _nowhere_on_disk(name)


def test_a_raw_upload_name_with_an_encoded_path_is_reduced_to_its_name(console_client, folder_id, gw):
    name = f"owned-{uuid.uuid4().hex[:8]}.txt"
    response = console_client.as_role("Support").post(
        reverse("knowledge-file-upload", kwargs={"folder_id": folder_id}),
        data=b"not a path\n",
        content_type="text/plain",
        headers={"X-File-Name": f"..%2F..%2F..%2F{name}", "Accept": "application/json"},
    )
    assert response.status_code == 201, response.content
    assert _stored_names(gw, folder_id) == [name]
    _nowhere_on_disk(name)


def test_a_hostile_file_from_the_gateway_downloads_as_an_attachment_and_is_never_rendered(
    console_client, folder_id, gw
):
    """The gateway's name goes into the header only, quoted; the bytes go to the browser, never to disk."""
    marker = uuid.uuid4().hex[:8]
    name = f'..\\evil"; filename=steal-{marker}.html'
    uploaded = gw.post(
        "/data-board/files/upload",
        data={"folder_id": folder_id},
        files={"file": (name, b"<script>alert(1)</script>", "text/html")},
    )
    uploaded.raise_for_status()
    file_id = uploaded.json()["data"]["_id"]
    stored_name = gw.get(f"/data-board/files/{file_id}").json()["data"]["name"]

    response = console_client.as_role("Viewer").get(reverse("knowledge-file-download", kwargs={"file_id": file_id}))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    # Parsed as a browser would, the filename is the whole stored name: no quote ended it early.
    header = Message()
    header["Content-Disposition"] = disposition
    assert header.get_filename() == stored_name
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.streaming  # relayed to the browser as it arrives, not stored
    _nowhere_on_disk(f"steal-{marker}.html")
