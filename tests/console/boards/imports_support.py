"""Helpers for the CSV import tests: upload a file, and run the task worker in this process."""

from __future__ import annotations

import io
from unittest import mock


def upload(client, board, content: str | bytes, name: str = "leads.csv", **extra):
    data = io.BytesIO(content.encode() if isinstance(content, str) else content)
    data.name = name
    return client.post(f"/boards/{board['id']}/import/", {"file": data, **extra})


def run_worker(max_tasks: int | None = None) -> None:
    """django-tasks-db's own worker loop, once over the queue (``--batch``), in this process and
    its database connection (the test's). Its connection recycling is left out: inside a test's
    transaction it would close the connection the test still holds."""
    from django_tasks_db.management.commands import db_worker

    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()


def queued_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()
