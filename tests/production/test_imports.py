"""A CSV import on the production stack (tests/production/stack.py): uploaded and mapped through nginx, run by
two requests sent at once to the two console instances, shown on both, and finished by the stack's task worker
(deploy/'s worker unit, kept running as systemd's Restart=always does), also after a database restart.

The board has no unique field, so a row sent twice would show as two items (with an identifier the gateway
would hide the duplicate by refusing it).
"""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from tests.production.conftest import direct

pytestmark = [pytest.mark.production, pytest.mark.timeout(300)]

STATUS = re.compile(r'data-testid="import-status">(\w+): (\d+) of (\d+) rows')


def notes_board(gw) -> dict:
    name = f"Notes {uuid.uuid4().hex[:8]}"
    response = gw.post("/data-board/boards", json={"name": name, "fields": [{"name": "Title", "type": "ShortText"}]})
    assert response.status_code in (200, 201), response.text[:500]
    return response.json()["data"]


def start_import(client: httpx.Client, board: dict, rows: list[str]) -> str:
    """Upload the rows as a CSV and check the mapping, through ``client`` (nginx); the job page's path."""
    content = "\n".join(["Title", *rows]).encode()
    uploaded = client.post(f"/boards/{board['id']}/import/", files={"file": ("notes.csv", content, "text/csv")})
    assert uploaded.status_code == 302, uploaded.text[:500]
    job_path = uploaded.headers["location"]
    checked = client.post(job_path, data={"column_0": board["fields"][0]["id"]})
    assert checked.status_code == 200, checked.text[:500]
    assert f'data-testid="will-create">{len(rows)}<' in checked.text, checked.text[-2000:]
    return job_path


def job_state(client: httpx.Client, job_path: str) -> tuple[str, int, int, str]:
    """(status word, rows handled, rows in the file, page) as the job's page shows them."""
    page = client.get(job_path)
    assert page.status_code == 200, (page.status_code, page.text[:500])
    match = STATUS.search(page.text)
    assert match, page.text[-3000:]
    return match.group(1), int(match.group(2)), int(match.group(3)), page.text


def wait_finished(client: httpx.Client, job_path: str, stack, timeout: float = 120) -> str:
    """Poll the job's page until it says Finished; the page."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, _, page = job_state(client, job_path)
        if status == "Finished":
            return page
        if time.monotonic() > deadline:
            raise AssertionError(
                f"still {status} after {timeout:.0f} s; the worker's log:\n{stack.worker.log()[-3000:]}"
            )
        time.sleep(0.3)


def result(page: str) -> tuple[str, str]:
    created = re.search(r'data-testid="import-created">(\d+)<', page).group(1)
    failed = re.search(r'data-testid="import-failed">(\d+)<', page).group(1)
    return created, failed


def titles(gw, board: dict) -> list[str]:
    items = gw.get(f"/data-board/boards/{board['id']}/items", params={"limit": 0}).json()["data"]
    return sorted(item["fields"].get(board["fields"][0]["id"]) for item in items)


def job_tasks(stack, job_path: str) -> list[tuple[str, list[str]]]:
    """(status, worker ids) of every task queued for the job, from the database's task queue."""
    from django_tasks_db.models import DBTaskResult

    job_id = job_path.rstrip("/").rsplit("/", 1)[-1]
    query = f"SELECT status, worker_ids, args_kwargs FROM {DBTaskResult._meta.db_table}"
    with psycopg.connect(stack.database.url) as connection:
        rows = connection.execute(query).fetchall()
    return [(status, workers) for status, workers, arguments in rows if job_id in arguments["args"]]


def worker_ids(stack) -> set[str]:
    """The ids the stack's task worker announced on each of its starts."""
    return set(re.findall(r"Starting worker worker_id=(\w+)", stack.worker.log()))


def test_an_import_through_nginx_run_from_both_instances_at_once_creates_each_row_once(
    stack, admin, gw, gateway_faults
):
    board = notes_board(gw)
    rows = [f"Note {index:02d}" for index in range(40)]
    job_path = start_import(admin, board, rows)
    # Each item takes a moment, so the two run requests, the two pages and the worker overlap for real.
    items_path = f"/data-board/boards/{board['id']}/items"
    gateway_faults.add_fault(path=items_path, method="POST", kind="latency", delay_ms=20)
    first, second = stack.instances
    with direct(stack, first, admin) as on_first, direct(stack, second, admin) as on_second:
        with ThreadPoolExecutor(2) as pool:
            clicks = list(pool.map(lambda client: client.post(job_path + "run/"), [on_first, on_second]))
        assert [click.status_code for click in clicks] == [302, 302], [click.text[:300] for click in clicks]
        status, handled, total, _ = job_state(on_first, job_path)
        assert status in {"Queued", "Importing", "Finished"} and total == 40, (status, handled, total)
        finished = wait_finished(on_second, job_path, stack)
        shown_first = job_state(on_first, job_path)
    assert result(finished) == ("40", "0")
    assert shown_first[:3] == ("Finished", 40, 40) and result(shown_first[3]) == ("40", "0")
    assert titles(gw, board) == rows, "each row became exactly one item"
    posts = [r for r in gateway_faults.requests_seen() if r["method"] == "POST" and r["path"] == items_path]
    assert len(posts) == 40, "no row was sent twice"
    tasks = job_tasks(stack, job_path)
    announced = worker_ids(stack)
    assert tasks and all(status == "SUCCESSFUL" for status, _ in tasks), tasks
    assert all(workers and set(workers) <= announced for _, workers in tasks), (tasks, announced)


def test_an_import_queued_after_a_database_restart_still_finishes(stack, admin, gw):
    stack.database.restart()
    board = notes_board(gw)
    rows = [f"After restart {index:02d}" for index in range(12)]
    job_path = start_import(admin, board, rows)
    assert admin.post(job_path + "run/").status_code == 302
    # Should the worker exit on its lost connection, the unit's Restart=always starts it again (Supervised).
    page = wait_finished(admin, job_path, stack)
    assert result(page) == ("12", "0")
    assert titles(gw, board) == rows
    tasks = job_tasks(stack, job_path)
    assert tasks and all(status == "SUCCESSFUL" for status, _ in tasks), tasks
    assert all(set(workers) <= worker_ids(stack) for _, workers in tasks), (tasks, stack.worker.restarts)
    assert stack.worker.running()
