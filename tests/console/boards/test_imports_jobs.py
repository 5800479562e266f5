"""CSV import jobs: claimed once however many run requests, tasks or workers; resumed without
sending a row twice; progress from the database; old jobs pruned by a command (issue 21)."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import AsyncClient
from django.utils import timezone

from apps.boards.import_jobs import jobs_by_status
from apps.boards.models import ImportJob
from apps.boards.tasks import run_board_import

from .conftest import add_item, unique
from .imports_support import queued_tasks, run_worker, upload

S = ImportJob.Status


def htmx(target: str) -> dict:
    return {"HX-Request": "true", "HX-Target": target}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def checked_job(client, board, rows: list[str], header: str = "Name") -> tuple[str, ImportJob]:
    """An uploaded and checked job (the identifier column mapped): its page URL and row."""
    map_url = upload(client, board, "\n".join([header, *rows])).url
    field = {f["name"]: f["id"] for f in board["fields"]}[header]
    response = client.post(map_url, {"column_0": field}, headers=htmx("import-check"))
    assert 'data-testid="will-create"' in response.content.decode()
    return map_url, ImportJob.objects.get(pk=map_url.rstrip("/").rsplit("/", 1)[-1])


def names_on(gw, board) -> list[str]:
    items = gw.get(f"/data-board/boards/{board['id']}/items", params={"limit": 0}).json()["data"]
    field = board["fields"][0]["id"]
    return sorted(item["fields"].get(field) for item in items)


def test_concurrent_run_requests_queue_the_job_once_and_create_each_row_once(console_client, gw, board):
    support = console_client.as_role("Support")
    rows = [f"Lead {i:02d}" for i in range(40)]
    map_url, job = checked_job(support, board, rows)
    clients = []
    for _ in range(4):  # four tabs of the same user, posting Import at the same moment
        tab = AsyncClient()
        tab.cookies = support.cookies
        clients.append(tab)

    async def click_all():
        return await asyncio.gather(*(tab.post(map_url + "run/", headers=htmx("import-area")) for tab in clients))

    responses = async_to_sync(click_all)()
    assert [r.status_code for r in responses] == [200] * 4
    assert queued_tasks() == 1, "one task for the job, whichever click won"
    run_worker()
    assert names_on(gw, board) == rows, "40 rows, 40 items"
    job.refresh_from_db()
    assert (job.status, job.created, job.failed, job.next_row) == (S.DONE, 40, 0, 40)
    assert jobs_by_status()["done"] == 1 and jobs_by_status()["queued"] == 0
    again = support.post(map_url + "run/", headers=htmx("import-area"))
    assert again.status_code == 200 and queued_tasks() == 0, "a finished job is never queued again"


def test_a_task_enqueued_twice_runs_the_job_once(console_client, gw, board):
    support = console_client.as_role("Support")
    rows = [f"Twice {i}" for i in range(30)]
    map_url, job = checked_job(support, board, rows)
    support.post(map_url + "run/")
    run_board_import.enqueue(str(job.pk))  # a second task for the same job (a retried enqueue, say)
    assert queued_tasks() == 2
    run_worker()
    assert names_on(gw, board) == sorted(rows)
    job.refresh_from_db()
    assert job.created == 30 and job.status == S.DONE


def test_progress_page_polls_until_done_and_shows_results_from_the_database(console_client, gw, board, settings):
    settings.BOARD_IMPORT_SLICE_SECONDS = 0  # one batch of 50 rows per slice
    add_item(gw, board, Name="Lead 07")
    support = console_client.as_role("Support")
    map_url, job = checked_job(support, board, [f"Lead {i:02d}" for i in range(120)])
    page = support.post(map_url + "run/", follow=True).content.decode()
    assert "Queued: 0 of 120 rows" in page and 'hx-trigger="every 1s"' in page
    assert "you can close this page" in page
    run_worker(max_tasks=1)
    job.refresh_from_db()
    assert (job.status, job.next_row) == (S.QUEUED, 50), "the slice handed the job on"
    middle = support.get(map_url, headers={**htmx("import-area"), "HX-Trigger": "import-progress"})
    assert "50 of 120 rows" in middle.content.decode() and "HX-Trigger" not in middle.headers
    run_worker()
    done = support.get(map_url, headers={**htmx("import-area"), "HX-Trigger": "import-progress"})
    text = done.content.decode()
    assert "Finished: 120 of 120 rows" in text and 'hx-trigger="every' not in text
    assert 'data-testid="import-created">119<' in text and 'data-testid="import-failed">1<' in text
    assert '<td class="num">9</td>' in text and "Value &#x27;Lead 07&#x27; already exists" in text
    assert "Import finished: 119 created, 1 failed." in done.headers["HX-Trigger"]


def test_a_queued_job_without_a_worker_says_so(console_client, board):
    support = console_client.as_role("Support")
    map_url, job = checked_job(support, board, ["Solo"])
    support.post(map_url + "run/")
    assert "No task worker" not in support.get(map_url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    assert "No task worker has picked this import up yet" in support.get(map_url).content.decode()


def _crash_mid_batch(job: ImportJob, next_row: int) -> None:
    """The state a worker killed while sending row ``next_row`` leaves behind."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.RUNNING,
        claim="dead-worker",
        next_row=next_row,
        created=next_row,
        sending_until=next_row + 5,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )


def test_resume_after_a_dead_worker_sends_the_doubtful_row_again_only_with_an_identifier(console_client, gw, board):
    support = console_client.as_role("Support")
    rows = [f"Row {i}" for i in range(10)]
    map_url, job = checked_job(support, board, rows)
    for name in rows[:4]:  # rows 0-2 recorded, and row 3 reached the gateway before the worker died
        add_item(gw, board, Name=name)
    _crash_mid_batch(job, 3)
    page = support.get(map_url).content.decode()
    assert "stopped answering" in page and 'data-testid="resume-import"' in page
    support.post(map_url + "run/")
    run_worker()
    assert names_on(gw, board) == rows, "row 3 once: the gateway refused the second copy"
    job.refresh_from_db()
    assert (job.status, job.created, job.failed) == (S.DONE, 9, 1)
    failure = job.failures.get()
    assert failure.line == 5 and "may be the item it created" in failure.message


def test_resume_after_a_dead_worker_reports_the_doubtful_row_without_an_identifier(console_client, gw):
    board = gw.post("/data-board/boards", json={"name": unique(), "fields": [{"name": "Title", "type": "ShortText"}]})
    board = board.json()["data"]
    support = console_client.as_role("Support")
    rows = [f"Note {i}" for i in range(6)]
    map_url, job = checked_job(support, board, rows, header="Title")
    for name in rows[:3]:
        add_item(gw, board, Title=name)
    _crash_mid_batch(job, 2)  # row 2 may or may not be on the board: here it is
    support.post(map_url + "run/")
    run_worker()
    assert names_on(gw, board) == rows, "nothing twice, even without an identifier"
    job.refresh_from_db()
    assert job.failed == 1 and job.failures.get().message.startswith("Not confirmed")


def test_a_live_worker_is_not_taken_over(console_client, board):
    support = console_client.as_role("Support")
    map_url, job = checked_job(support, board, ["Busy"])
    _crash_mid_batch(job, 0)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    page = support.post(map_url + "run/", follow=True).content.decode()
    assert "Importing: 0 of 1 rows" in page and "Resume" not in page
    assert queued_tasks() == 0


def test_a_deleted_board_stops_the_import_with_a_message(console_client, gw, board):
    support = console_client.as_role("Support")
    map_url, job = checked_job(support, board, ["Gone"])
    support.post(map_url + "run/")
    assert gw.delete(f"/data-board/boards/{board['id']}").status_code == 200
    run_worker()
    job.refresh_from_db()
    assert job.status == S.FAILED and "no longer exists" in job.message


@pytest.mark.parametrize("token", ["not-a-job", "%00", "..", "00000000-0000-0000-0000-000000000000"])
def test_unknown_job_tokens_are_not_found(console_client, board, token):
    support = console_client.as_role("Support")
    assert support.get(f"/boards/{board['id']}/import/{token}/").status_code == 404
    assert support.post(f"/boards/{board['id']}/import/{token}/run/").status_code == 404


def test_prune_imports_deletes_old_jobs_and_their_files(console_client, board):
    support = console_client.as_role("Support")
    old_url, old = checked_job(support, board, ["Old"])
    _, recent = checked_job(support, board, ["Recent"])
    _, stuck = checked_job(support, board, ["Running"])
    long_ago = timezone.now() - timedelta(days=8)
    ImportJob.objects.filter(pk__in=[old.pk]).update(updated_at=long_ago, status=S.DONE)
    ImportJob.objects.filter(pk=stuck.pk).update(updated_at=long_ago, status=S.RUNNING)
    orphan = default_storage.save("board-imports/1b4e28ba-2fa1-11d2-883f-0016d3cca427/upload.csv", _content())
    os.utime(default_storage.path(orphan), (long_ago.timestamp(), long_ago.timestamp()))
    out = io.StringIO()
    call_command("prune_imports", stdout=out)
    assert "Deleted 1 import job(s) and 2 file(s)" in out.getvalue()
    assert not ImportJob.objects.filter(pk=old.pk).exists() and not default_storage.exists(old.file.name)
    assert ImportJob.objects.filter(pk__in=[recent.pk, stuck.pk]).count() == 2
    assert default_storage.exists(recent.file.name)
    assert not default_storage.exists(orphan)
    assert support.get(old_url).status_code == 404


def _content():
    return ContentFile(b"Name\nx\n")
