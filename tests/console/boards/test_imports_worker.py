"""A CSV import across real processes: two console processes on one database and storage, and
django-tasks-db workers started by the test (`manage.py db_worker`), over the local gateway.

Started on one console, shown on the other, finished by a worker; two run requests sent at once to
the two consoles create each row once; a worker killed mid-import is taken over after its lease
and no row is created twice. The board has no unique field, so a row sent twice would show as two
items (with an identifier the gateway would hide the duplicate by refusing it).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support import ROLE_PASSWORDS, ROOT, free_port, start_live_console, wait_for

from .conftest import unique

LEASE_SECONDS = 3


@pytest.fixture(scope="module")
def stack(localgateway, tmp_path_factory):
    """Console A (with its database and users), console B on the same database and media folder,
    and a way to start and kill task workers."""
    work = tmp_path_factory.mktemp("imports-stack")
    extra = {
        "CONSOLE_MEDIA_ROOT": str(work / "media"),
        "BOARD_IMPORT_SLICE_SECONDS": "0.5",
        "BOARD_IMPORT_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    console_a = start_live_console(work, localgateway, extra_env=extra)
    port = free_port()
    console_b = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "imbrace_console.asgi:application", "--port", str(port), "--no-access-log"],
        cwd=ROOT,
        env=console_a.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url_b = f"http://127.0.0.1:{port}"
    wait_for(f"{url_b}/login/", process=console_b)
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=console_a.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers.append(worker)
        return worker

    def stop_workers() -> None:
        while workers:
            stop(workers.pop())

    yield {"a": console_a.url, "b": url_b, "start_worker": start_worker, "stop_workers": stop_workers}
    stop_workers()
    stop(console_b)
    console_a.stop()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def logged_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    client.get("/login/")
    response = client.post(
        "/login/",
        data={
            "username": "support",
            "password": ROLE_PASSWORDS["support"],
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:500]
    return client


def on(url: str, source: httpx.Client) -> httpx.Client:
    """Another console process, with the same session (it lives in the shared database)."""
    return httpx.Client(base_url=url, timeout=30, cookies=source.cookies)


def csrf(client: httpx.Client) -> dict:
    return {"csrfmiddlewaretoken": client.cookies["csrftoken"]}


def notes_board(gw) -> dict:
    response = gw.post(
        "/data-board/boards", json={"name": unique(), "fields": [{"name": "Title", "type": "ShortText"}]}
    )
    return response.json()["data"]


def start_import(client: httpx.Client, board: dict, rows: list[str]) -> str:
    """Upload and check on ``client``'s console; the job page's path."""
    content = "\n".join(["Title", *rows]).encode()
    uploaded = client.post(
        f"/boards/{board['id']}/import/", data=csrf(client), files={"file": ("notes.csv", content, "text/csv")}
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    job_path = uploaded.headers["location"]
    checked = client.post(job_path, data={**csrf(client), "column_0": board["fields"][0]["id"]})
    assert f'data-testid="will-create">{len(rows)}<' in checked.text
    return job_path


def progress(client: httpx.Client, job_path: str) -> str:
    response = client.get(job_path)
    assert response.status_code == 200
    return response.text


def wait_until(client: httpx.Client, job_path: str, pattern: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = progress(client, job_path)
        if re.search(pattern, page):
            return page
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} never showed; last page:\n{page[-3000:]}")


def titles(gw, board) -> list[str]:
    items = gw.get(f"/data-board/boards/{board['id']}/items", params={"limit": 0}).json()["data"]
    return sorted(item["fields"].get(board["fields"][0]["id"]) for item in items)


def test_import_started_on_one_console_runs_once_and_shows_on_the_other(stack, gw, gateway_faults):
    board = notes_board(gw)
    rows = [f"Note {i:02d}" for i in range(40)]
    a = logged_in(stack["a"])
    b = on(stack["b"], a)
    job_path = start_import(a, board, rows)
    # Each item takes a moment, so the two consoles and two workers overlap for real.
    gateway_faults.add_fault(path=f"/data-board/boards/{board['id']}/items", method="POST", kind="latency", delay_ms=20)
    stack["start_worker"]()
    stack["start_worker"]()
    with ThreadPoolExecutor(2) as pool:
        clicks = list(pool.map(lambda client: client.post(job_path + "run/", data=csrf(client)), [a, b]))
    assert [click.status_code for click in clicks] == [302, 302]
    running = progress(b, job_path)
    assert re.search(r"(Queued|Importing|Finished): \d+ of 40 rows", running)
    page = wait_until(b, job_path, r"Finished: 40 of 40 rows")
    assert 'data-testid="import-created">40<' in page and 'data-testid="import-failed">0<' in page
    assert titles(gw, board) == rows, "each row once"
    posts = [r for r in gateway_faults.requests_seen() if r["method"] == "POST" and board["id"] in r["path"]]
    assert len(posts) == 40, "no row was sent twice"
    stack["stop_workers"]()


def test_a_killed_worker_is_taken_over_without_a_row_twice(stack, gw, gateway_faults):
    stack["stop_workers"]()  # only the worker started here may hold the job
    board = notes_board(gw)
    rows = [f"Line {i:03d}" for i in range(60)]
    a = logged_in(stack["a"])
    b = on(stack["b"], a)
    job_path = start_import(a, board, rows)
    gateway_faults.add_fault(
        path=f"/data-board/boards/{board['id']}/items", method="POST", kind="latency", delay_ms=100
    )
    worker = stack["start_worker"]()
    assert a.post(job_path + "run/", data=csrf(a)).status_code == 302
    wait_until(b, job_path, r"Importing: ([1-9]|[1-5]\d) of 60 rows")
    worker.kill()  # no goodbye: its claim and heartbeat stay behind
    worker.wait()
    page = wait_until(b, job_path, r"stopped answering", timeout=LEASE_SECONDS * 10)
    assert 'data-testid="resume-import"' in page
    assert b.post(job_path + "run/", data=csrf(b)).status_code == 302
    stack["start_worker"]()
    page = wait_until(b, job_path, r"Finished: 60 of 60 rows")
    created = int(re.search(r'data-testid="import-created">(\d+)<', page).group(1))
    seen = titles(gw, board)
    assert len(seen) == len(set(seen)), "no row was created twice"
    assert created >= 59 and set(seen) <= set(rows)
    missing = set(rows) - set(seen)
    assert len(missing) <= 1 and (not missing or "Not confirmed" in page)
