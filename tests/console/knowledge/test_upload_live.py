"""Uploads through the live console (uvicorn), over HTTP.

- A 50 MB upload barely moves the console's memory: the body is spooled to disk
  by Django, parsed in a worker thread into a temporary file and streamed from
  there to the gateway; none of those steps holds the file. The console
  process's RSS is sampled while the upload runs.
- While an upload waits on the gateway, other users' pages (an async view, and
  the login page, a sync view served by Django's shared sync thread) still answer.
"""

from __future__ import annotations

import threading
import uuid

import httpx
import psutil

from tests.support import ROLE_PASSWORDS

FILE_SIZE = 50 * 1024 * 1024
ALLOWED_GROWTH = 20 * 1024 * 1024


def _folder(gw) -> dict:
    org = gw.get("/platform/v1/account").json()["organization_id"]
    body = {
        "name": f"Live {uuid.uuid4().hex[:6]}",
        "organization_id": org,
        "parent_folder_id": "root",
        "source_type": "upload",
    }
    return gw.post("/data-board/folders", json=body).json()["data"]


def _logged_in(console) -> httpx.Client:
    client = httpx.Client(base_url=console.url, timeout=120)
    client.get("/login/")
    response = client.post(
        "/login/",
        data={
            "username": "support",
            "password": ROLE_PASSWORDS["support"],
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text
    return client


def test_a_50_mb_upload_does_not_sit_in_the_consoles_memory(live_console, gw, tmp_path):
    org = gw.get("/platform/v1/account").json()["organization_id"]
    folder = gw.post(
        "/data-board/folders",
        json={
            "name": f"Memory {uuid.uuid4().hex[:6]}",
            "organization_id": org,
            "parent_folder_id": "root",
            "source_type": "upload",
        },
    ).json()["data"]
    big = tmp_path / "catalogue.txt"
    with big.open("wb") as out:
        block = b"0123456789abcdef" * 4096  # 64 KiB
        for _ in range(FILE_SIZE // len(block)):
            out.write(block)

    console = psutil.Process(live_console.process.pid)
    client = _logged_in(live_console)
    try:
        client.get(f"/knowledge/folders/{folder['id']}/")  # warm up: imports, templates, pools
        baseline = console.memory_info().rss
        peak = baseline
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, console.memory_info().rss)
                done.wait(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with big.open("rb") as handle:
                response = client.post(
                    f"/knowledge/folders/{folder['id']}/upload/",
                    files={"file": ("catalogue.txt", handle, "text/plain")},
                    headers={"X-CSRFToken": client.cookies["csrftoken"], "Accept": "application/json"},
                )
        finally:
            done.set()
            sampler.join()
    finally:
        client.close()

    assert response.status_code == 201, response.text
    [result] = response.json()["results"]
    stored = gw.get(f"/data-board/files/{result['file_id']}").json()["data"]
    assert stored["file_size"] == FILE_SIZE
    growth = peak - baseline
    assert growth < ALLOWED_GROWTH, f"the console grew by {growth / 2**20:.1f} MiB for a 50 MiB upload"


def test_an_upload_waiting_on_the_gateway_holds_up_no_one(live_console, gw, gateway_faults):
    folder = _folder(gw)
    gateway_faults.add_fault(path="/data-board/files/upload", kind="latency", delay_ms=6000, times=1)
    uploader = _logged_in(live_console)
    other = _logged_in(live_console)
    outcome: dict = {}

    def upload() -> None:
        outcome["response"] = uploader.post(
            f"/knowledge/folders/{folder['id']}/upload/",
            content=b"slow gateway\n" * 1000,
            headers={
                "X-CSRFToken": uploader.cookies["csrftoken"],
                "Accept": "application/json",
                "X-File-Name": "slow.txt",
                "Content-Type": "text/plain",
            },
        )

    thread = threading.Thread(target=upload)
    try:
        thread.start()
        # wait until the console is inside the gateway call (the fault has fired)
        while not any(r["path"].endswith("/files/upload") for r in gateway_faults.requests_seen()):
            assert thread.is_alive(), "the upload ended before it reached the gateway"
            threading.Event().wait(0.02)
        pages = other.get("/knowledge/"), httpx.get(f"{live_console.url}/login/")
        still_uploading = thread.is_alive()
        thread.join()
    finally:
        uploader.close()
        other.close()
    assert [page.status_code for page in pages] == [200, 200]
    assert still_uploading, "the other pages only answered once the upload was done"
    assert outcome["response"].status_code == 201
