"""Raw-body uploads streamed through the live console (uvicorn, ``ConsoleASGIHandler``) over HTTP.

A console of this module's own, with an 8 MiB upload limit, so the limit is
cheap to cross. Every upload goes as the page's script sends it: the file as
the body, named by ``X-File-Name``, the CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from tests.fastpath import fastpath_only
from tests.support import ROLE_PASSWORDS, start_live_console

MB = 1024 * 1024
LIMIT = 8 * MB


@pytest.fixture(scope="module")
def console(localgateway, tmp_path_factory):
    live = start_live_console(
        tmp_path_factory.mktemp("console-streaming"), localgateway, extra_env={"KNOWLEDGE_UPLOAD_MAX_BYTES": str(LIMIT)}
    )
    yield live
    live.stop()
    assert "Traceback" not in live.log_text(), live.log_text()[-3000:]


def logged_in(console, role: str = "support") -> httpx.Client:
    client = httpx.Client(base_url=console.url, timeout=60)
    client.get("/login/")
    response = client.post(
        "/login/",
        data={"username": role, "password": ROLE_PASSWORDS[role], "csrfmiddlewaretoken": client.cookies["csrftoken"]},
    )
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def support(console):
    client = logged_in(console)
    yield client
    client.close()


@pytest.fixture
def folder(gw) -> dict:
    org = gw.get("/platform/v1/account").json()["organization_id"]
    body = {"name": f"Stream {uuid.uuid4().hex[:6]}", "organization_id": org, "parent_folder_id": "root"}
    return gw.post("/data-board/folders", json={**body, "source_type": "upload"}).json()["data"]


def raw_headers(client: httpx.Client, name: str, **extra: str) -> dict[str, str]:
    return {
        "X-CSRFToken": client.cookies["csrftoken"],
        "Accept": "application/json",
        "Content-Type": "application/octet-stream",
        "X-File-Name": name,
        **extra,
    }


def stored_names(gw, folder_id: str) -> list[str]:
    return [row["name"] for row in gw.get("/data-board/files", params={"folder_id": folder_id}).json()["data"]]


def upload_posts(localgateway) -> int:
    return sum(1 for r in localgateway.requests_seen() if r["method"] == "POST" and r["path"].endswith("/files/upload"))


def test_a_multi_megabyte_file_arrives_byte_for_byte(support, folder, gw):
    content = os.urandom(6 * MB + 123)
    response = support.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        content=content,
        headers=raw_headers(support, "r%C3%A9sum%C3%A9%20Q3.docx", **{"X-File-Type": "application/msword"}),
    )
    assert response.status_code == 201, response.text
    [result] = response.json()["results"]
    assert result["ok"] is True and result["name"] == "résumé Q3.docx"
    stored = gw.get(f"/data-board/files/{result['file_id']}").json()["data"]
    assert stored["folder_id"] == folder["id"] and stored["file_size"] == len(content)
    assert stored["file_type"] == "application/msword"
    assert stored["last_updated_by_display_name"] == "support"
    downloaded = gw.get(f"/data-board/files/{result['file_id']}/download").content
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(content).hexdigest()


def test_a_chunked_body_without_a_length_arrives_too(support, folder, gw):
    parts = [os.urandom(256 * 1024) for _ in range(12)]

    def body():
        yield from parts

    response = support.post(
        f"/knowledge/folders/{folder['id']}/upload/", content=body(), headers=raw_headers(support, "parts.csv")
    )
    assert response.status_code == 201, response.text
    file_id = response.json()["results"][0]["file_id"]
    assert gw.get(f"/data-board/files/{file_id}/download").content == b"".join(parts)


def test_a_file_announced_over_the_limit_is_refused_before_it_is_read(support, folder, gw, localgateway):
    before = upload_posts(localgateway)
    response = support.post(
        f"/knowledge/folders/{folder['id']}/upload/",
        content=b"x" * (LIMIT + 1),
        headers=raw_headers(support, "big.csv"),
    )
    assert response.status_code == 413
    assert response.json()["results"][0]["message"] == "Larger than the 8.0\xa0MB limit."
    assert upload_posts(localgateway) == before, "nothing may reach the gateway"
    assert stored_names(gw, folder["id"]) == []
    # the connection stays usable: the console drained the refused body
    assert support.get(f"/knowledge/folders/{folder['id']}/").status_code == 200


def test_a_file_that_grows_over_the_limit_while_streaming_is_stopped(support, folder, gw):
    def body():
        for _ in range(LIMIT // MB + 2):
            yield b"y" * MB

    response = support.post(
        f"/knowledge/folders/{folder['id']}/upload/", content=body(), headers=raw_headers(support, "growing.csv")
    )
    assert response.status_code == 413, response.text
    assert response.json()["results"][0]["ok"] is False
    assert stored_names(gw, folder["id"]) == []


def test_a_refused_type_and_a_missing_folder_are_answered_before_reading(support, folder):
    refused = support.post(
        f"/knowledge/folders/{folder['id']}/upload/", content=b"MZ" * 1000, headers=raw_headers(support, "run.exe")
    )
    assert refused.status_code == 415
    assert ".exe files are not accepted" in refused.json()["results"][0]["message"]
    missing = support.post(
        f"/knowledge/folders/{uuid.uuid4()}/upload/", content=b"a" * 1000, headers=raw_headers(support, "a.csv")
    )
    assert missing.status_code == 404
    assert missing.json()["results"][0]["ok"] is False


def test_csrf_is_checked_on_the_streamed_path(support, folder, gw):
    url = f"/knowledge/folders/{folder['id']}/upload/"
    wrong = support.post(url, content=b"a,b\n", headers=raw_headers(support, "a.csv", **{"X-CSRFToken": "forged"}))
    assert wrong.status_code == 403
    headers = raw_headers(support, "a.csv")
    del headers["X-CSRFToken"]
    missing = support.post(url, content=b"a,b\n", headers=headers)
    assert missing.status_code == 403
    assert stored_names(gw, folder["id"]) == []


def test_a_viewer_may_not_upload(console, folder, gw):
    viewer = logged_in(console, "viewer")
    try:
        response = viewer.post(
            f"/knowledge/folders/{folder['id']}/upload/", content=b"a,b\n", headers=raw_headers(viewer, "a.csv")
        )
    finally:
        viewer.close()
    assert response.status_code == 403
    assert stored_names(gw, folder["id"]) == []


def test_an_anonymous_upload_goes_to_the_login_page(console, folder, gw):
    headers = {"Content-Type": "application/octet-stream", "X-File-Name": "a.csv"}
    response = httpx.post(f"{console.url}/knowledge/folders/{folder['id']}/upload/", content=b"a", headers=headers)
    assert response.status_code in (302, 403)
    assert stored_names(gw, folder["id"]) == []


@fastpath_only  # under Django's handler the body is read whole before the view runs
def test_a_client_that_leaves_mid_upload_leaves_nothing_behind(support, console, folder, gw, localgateway):
    """The gateway sees the upload begin while the client is still sending: the body is streamed, not spooled."""
    url = urlsplit(console.url)
    path = f"/knowledge/folders/{folder['id']}/upload/"
    before = upload_posts(localgateway)
    cookies = "; ".join(f"{name}={value}" for name, value in support.cookies.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nCookie: {cookies}\r\n"
        f"X-CSRFToken: {support.cookies['csrftoken']}\r\nAccept: application/json\r\n"
        f"Content-Type: application/octet-stream\r\nX-File-Name: cut.csv\r\nContent-Length: {6 * MB}\r\n\r\n"
    )
    temp_dir = localgateway.data_dir / "files" / "knowledge"
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(head.encode() + b"z" * MB)
        deadline = time.monotonic() + 20
        while upload_posts(localgateway) == before:
            assert time.monotonic() < deadline, "the console did not start sending before the body was complete"
            time.sleep(0.02)
    # The client is gone; the console aborts its request, and the gateway discards the partial file.
    deadline = time.monotonic() + 20
    while list(temp_dir.glob(".upload-*")):
        assert time.monotonic() < deadline, "the gateway kept a partial upload"
        time.sleep(0.05)
    assert stored_names(gw, folder["id"]) == []
    assert support.get("/knowledge/").status_code == 200
    again = support.post(path, content=b"a,b\n", headers=raw_headers(support, "after.csv"))
    assert again.status_code == 201
    assert stored_names(gw, folder["id"]) == ["after.csv"]
