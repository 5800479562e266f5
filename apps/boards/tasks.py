"""Background tasks of the boards area (django.tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django.tasks import task

from . import import_jobs


@task()
async def run_board_import(job_id: str) -> str:
    """One slice of a CSV import job (apps/boards/import_jobs.py): claims it, imports, hands over."""
    return await import_jobs.run_slice(job_id)
