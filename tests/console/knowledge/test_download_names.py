"""Downloads of names outside Latin-1 go through the file's ``presigned_url`` (the local gateway process).

The service's ``/data-board/files/{id}/download`` answers 500 for such names (real data-board
``src/presentation/controllers/file.controller.ts``, reproduced by the local gateway); the console
streams the public ``/files/download/<key>`` route instead and names the file with RFC 5987.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

NAMES = ["報告書 2026.txt", "تقرير الربع.pdf", "notes 🚀✨.md"]


@pytest.fixture
async def viewer(console_user):
    client = AsyncClient()
    user = await sync_to_async(console_user)("Viewer", username=f"dl-{uuid.uuid4().hex[:6]}")
    await client.aforce_login(user)
    return client


def test_the_service_route_refuses_these_names(gw, make_folder, put_file):
    """The failure the console works around: still there, so the test below proves the detour."""
    folder = make_folder()
    file = put_file(folder["id"], NAMES[0], b"x")
    assert gw.get(f"/data-board/files/{file['id']}/download").status_code == 500


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("name", NAMES, ids=["cjk", "arabic", "emoji"])
async def test_a_name_outside_latin1_downloads_with_its_own_name(viewer, make_folder, put_file, name, localgateway):
    folder = await sync_to_async(make_folder)()
    content = f"contents of {name}\n".encode() * 500
    file = await sync_to_async(put_file)(folder["id"], name, content, "text/plain")
    response = await viewer.get(f"/knowledge/files/{file['id']}/download/")
    assert response.status_code == 200
    assert b"".join([chunk async for chunk in response.streaming_content]) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert localgateway.base_url.split("//")[1] not in str(response.headers)
    seen = await sync_to_async(localgateway.requests_seen)()
    public = [row for row in seen if str(row.get("path", "")).startswith("/files/download/")]
    assert public, "the file came through its presigned_url"
    assert not any(str(row.get("path", "")).endswith(f"/files/{file['id']}/download") for row in seen[-3:]), (
        "the route that answers 500 was not asked"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_latin1_name_still_uses_the_service_route(viewer, make_folder, put_file, localgateway):
    folder = await sync_to_async(make_folder)()
    file = await sync_to_async(put_file)(folder["id"], "café.txt", b"latte", "text/plain")
    response = await viewer.get(f"/knowledge/files/{file['id']}/download/")
    assert b"".join([chunk async for chunk in response.streaming_content]) == b"latte"
    assert "caf%C3%A9.txt" in response["Content-Disposition"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_missing_object_behind_the_link_is_a_clear_page(viewer, make_folder, put_file, gateway_faults):
    folder = await sync_to_async(make_folder)()
    file = await sync_to_async(put_file)(folder["id"], NAMES[2], b"x", "text/plain")
    await sync_to_async(gateway_faults.add_fault)(path="/files/download/", kind="status", status=503)
    response = await viewer.get(f"/knowledge/files/{file['id']}/download/")
    assert response.status_code >= 400
    assert b"Traceback" not in response.content
