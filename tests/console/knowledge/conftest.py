"""Helpers for the knowledge tests: folders and files made straight on the local gateway."""

from __future__ import annotations

import uuid

import pytest


def unique(prefix: str = "Folder") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_folder(gw):
    """Create a folder on the gateway: ``make_folder("Name", parent=id)``."""
    org = gw.get("/platform/v1/account").json()["organization_id"]

    def make(name: str | None = None, parent: str = "root", **extra) -> dict:
        body = {"name": name or unique(), "organization_id": org, "parent_folder_id": parent, "source_type": "upload"}
        response = gw.post("/data-board/folders", json={**body, **extra})
        response.raise_for_status()
        return response.json()["data"]

    return make


@pytest.fixture
def put_file(gw):
    """Upload a file straight to the gateway: ``put_file(folder_id, "a.txt", b"...")``."""

    def put(folder_id: str, name: str = "notes.txt", content: bytes = b"hello", content_type: str = "text/plain"):
        response = gw.post(
            "/data-board/files/upload",
            files=[("file", (name, content, content_type))],
            data={"folder_id": folder_id, "last_updated_by": '{"display_name": "Dana"}'},
        )
        response.raise_for_status()
        return response.json()["data"]

    return put
