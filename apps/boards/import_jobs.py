"""CSV import jobs: kept in the database and the default storage, run by a django.tasks worker.

Who does the work is decided by conditional UPDATEs, each won by exactly one caller however many
requests, tabs, hosts or workers try at once:

- ``request_run``: "mapped" (or "paused", or "running" with a dead worker) → "queued", and the
  task is enqueued in the same transaction. A second click finds the job already queued.
- ``run_slice`` (the task): "queued" → "running" with a fresh claim token. Every progress write
  afterwards is conditional on that claim, so a slice that lost its job stops at once.
- A slice imports for about BOARD_IMPORT_SLICE_SECONDS, then hands the job back to "queued" and
  enqueues the next slice: any worker continues it, and a worker asked to stop finishes quickly.

Progress is written after every row (data rows ``[0, next_row)`` are handled), so a restarted
worker never sends a handled row again. Before each batch the job notes ``sending_until``; if a
worker dies mid-batch, the one row that may have reached the gateway unrecorded is sent again only
when the board's identifier field makes a second copy impossible (the gateway refuses it), and is
otherwise reported as "not confirmed" rather than risked twice.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from apps.ops import metrics as ops_metrics
from imbrace_console.gateway.errors import GatewayError, GatewayNotFound, GatewayTimeout

from . import imports, selectors, services
from .fieldtypes import Field, fields_of
from .models import ImportFailure, ImportJob, upload_path

S = ImportJob.Status
BATCH_ROWS = 50
UPLOAD_DIR = "board-imports"
NOT_CONFIRMED = (
    "Not confirmed: the worker stopped while sending this row, so it may or may not be on the board. "
    "Check the board before importing it again."
)
log = logging.getLogger(__name__)


# --- files and mappings (the web process; sync: call through sync_to_async) -----------------


def read_job_file(job: ImportJob) -> imports.ParsedCsv:
    with job.file.storage.open(job.file.name, "rb") as handle:
        return imports.read_csv(handle.read())


def create_job(*, user, board_id: str, filename: str, raw: bytes, fields: list[Field]) -> ImportJob:
    """A job holding the upload. A file the csv module cannot read is kept too, as an "invalid" job
    whose message says where and why, so the corrected file replaces it on the same job."""
    job = ImportJob(board_id=board_id, user=user, filename=filename[:255])
    try:
        parsed = imports.read_csv(raw)
    except imports.ImportFileError as exc:
        job.status, job.message = S.INVALID, str(exc)
    else:
        job.columns, job.total_rows, job.encoding = parsed.columns, len(parsed.rows), parsed.encoding
        job.mapping = imports.auto_mapping(parsed.columns, fields)
    job.file.save("upload.csv", ContentFile(raw), save=False)
    job.save()
    return job


def replace_file(job: ImportJob, *, filename: str, raw: bytes, fields: list[Field]) -> ImportJob:
    """Put a corrected file on a job that has not started, keeping its mapping (by column name).

    Raises ImportFileError when the new file cannot be read (the job keeps its previous file and
    mapping; an "invalid" job keeps the new file and message instead) or the job has started.
    """
    try:
        parsed = imports.read_csv(raw)
    except imports.ImportFileError as exc:
        if job.status == S.INVALID:
            _swap_file(job, raw, filename=filename[:255], message=str(exc))
        raise
    mapping = imports.carry_mapping(job.columns, job.mapping, parsed.columns, fields)
    changes = {
        "filename": filename[:255],
        "columns": parsed.columns,
        "total_rows": len(parsed.rows),
        "encoding": parsed.encoding,
        "mapping": mapping,
        "status": S.UPLOADED,
        "message": "",
    }
    if not _swap_file(job, raw, **changes):
        raise imports.ImportFileError("This import has started, so its file can no longer change.")
    return ImportJob.objects.get(pk=job.pk)


def _swap_file(job: ImportJob, raw: bytes, **changes) -> bool:
    old_name = job.file.name
    new_name = default_storage.save(upload_path(job, ""), ContentFile(raw))
    waiting = [S.INVALID, S.UPLOADED, S.MAPPED]
    won = ImportJob.objects.filter(pk=job.pk, status__in=waiting).update(
        file=new_name, updated_at=timezone.now(), **changes
    )
    default_storage.delete(old_name if won else new_name)
    return bool(won)


def save_mapping(job: ImportJob, mapping: dict[str, str]) -> bool:
    """Keep a checked mapping; False once the import has started (the mapping is then fixed)."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status__in=[S.UPLOADED, S.MAPPED]).update(
            mapping=mapping, status=S.MAPPED, updated_at=timezone.now()
        )
    )


def worker_lost(job: ImportJob) -> bool:
    """Running, but its worker has shown no life for a lease: another worker may take it over."""
    lease = timedelta(seconds=settings.BOARD_IMPORT_LEASE_SECONDS)
    return job.status == S.RUNNING and (job.heartbeat_at is None or job.heartbeat_at < timezone.now() - lease)


def request_run(job: ImportJob) -> bool:
    """Queue the job's next slice, once: True for the one caller that moved it to "queued"."""
    from .tasks import run_board_import

    now = timezone.now()
    lost = Q(status=S.RUNNING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - timedelta(seconds=settings.BOARD_IMPORT_LEASE_SECONDS))
    )
    with transaction.atomic():
        won = ImportJob.objects.filter(Q(pk=job.pk) & (Q(status__in=[S.MAPPED, S.PAUSED]) | lost)).update(
            status=S.QUEUED, claim="", message="", queued_at=now, updated_at=now
        )
        if won:
            run_board_import.enqueue(str(job.pk))
    return bool(won)


# --- the task's side ------------------------------------------------------------------------


class Slice:
    """One claimed run of a job: every write is conditional on the claim and moves the heartbeat."""

    def __init__(self, job: ImportJob, claim: str, lines: list[int]) -> None:
        self.job, self.claim, self.lines = job, claim, lines
        self.lost = False

    def _write(self, **changes) -> bool:
        now = timezone.now()
        return bool(
            ImportJob.objects.filter(pk=self.job.pk, claim=self.claim, status=S.RUNNING).update(
                heartbeat_at=now, updated_at=now, **changes
            )
        )

    def _advance(self, to_row: int, created: int, failures: list[tuple[int, str]]) -> bool:
        with transaction.atomic():
            if not self._write(next_row=to_row, created=F("created") + created, failed=F("failed") + len(failures)):
                return False
            ImportFailure.objects.bulk_create(
                [ImportFailure(job=self.job, row_index=i, line=self.lines[i], message=m) for i, m in failures],
                ignore_conflicts=True,
            )
        return True

    async def advance(self, to_row: int, *, created: int = 0, failures: list[tuple[int, str]] = ()) -> bool:
        if self.lost or not await sync_to_async(self._advance)(to_row, created, list(failures)):
            self.lost = True
            return False
        self.job.next_row = to_row
        return True

    async def mark_sending(self, until: int) -> bool:
        if not await sync_to_async(self._write)(sending_until=until):
            self.lost = True
        return not self.lost

    async def end(self, status: str, message: str = "", *, keep_doubt: bool = False) -> None:
        """Give the job up: finished, paused with a message, or queued for the next slice."""
        from .tasks import run_board_import

        def write() -> None:
            changes = {"status": status, "claim": "", "message": message}
            if not keep_doubt:
                changes["sending_until"] = F("next_row")
            if status in (S.DONE, S.FAILED):
                changes["finished_at"] = timezone.now()
            if status == S.QUEUED:
                changes["queued_at"] = timezone.now()
            with transaction.atomic():
                if self._write(**changes) and status == S.QUEUED:
                    run_board_import.enqueue(str(self.job.pk))
            if status in (S.DONE, S.FAILED):
                _measure(self.job.pk, status)

        await sync_to_async(write)()


def _measure(job_id, status: str) -> None:
    """An ended job into the console's measurements (apps/ops/metrics.py)."""
    job = ImportJob.objects.filter(pk=job_id).values("created", "failed", "created_at", "finished_at").first()
    if job is not None:
        seconds = (job["finished_at"] - job["created_at"]).total_seconds() if job["finished_at"] else None
        outcome = "done" if status == S.DONE else "failed"
        ops_metrics.import_done(outcome=outcome, rows=job["created"], refused=job["failed"], seconds=seconds)


def _claim(job_id: str, claim: str) -> ImportJob | None:
    now = timezone.now()
    won = ImportJob.objects.filter(pk=job_id, status=S.QUEUED).update(
        status=S.RUNNING, claim=claim, heartbeat_at=now, updated_at=now
    )
    return ImportJob.objects.select_related("user").get(pk=job_id) if won else None


async def run_slice(job_id: str) -> str:
    """The task's body: claim the job, import rows for one slice, then finish, pause or hand over."""
    claim = get_random_string(24)
    job = await sync_to_async(_claim)(job_id, claim)
    if job is None:
        return "not claimed"  # another slice holds it, or it was never queued
    try:
        board = await selectors.board_get(board_id=job.board_id)
        parsed = await sync_to_async(read_job_file)(job)
    except GatewayNotFound:
        await Slice(job, claim, []).end(S.FAILED, "The board no longer exists, so nothing more can be imported.")
        return "failed"
    except GatewayError as exc:
        await Slice(job, claim, []).end(S.PAUSED, exc.user_message, keep_doubt=True)
        return "paused"
    except Exception:
        log.exception("import %s could not start", job_id)
        await Slice(job, claim, []).end(S.PAUSED, "The import could not read its file. Resume to try again.")
        return "error"
    work = Slice(job, claim, parsed.lines)
    try:
        return await _import_rows(work, fields_of(board), parsed.rows)
    except Exception:
        log.exception("import %s stopped on an unexpected error", job_id)
        message = "The import stopped on an unexpected error. Resume to go on; handled rows are not sent again."
        await work.end(S.PAUSED, message, keep_doubt=True)
        return "error"


async def _import_rows(work: Slice, fields: list[Field], rows: list[list[str]]) -> str:
    job = work.job
    problems = imports.mapping_problems(job.mapping, fields)
    if problems:
        await work.end(S.PAUSED, " ".join(problems), keep_doubt=True)
        return "paused"
    doubtful = job.next_row if job.sending_until > job.next_row else None
    if doubtful is not None and not any(f.identifier for f in fields):
        # No identifier to make a second copy impossible: report the row rather than risk it twice.
        if not await work.advance(doubtful + 1, failures=[(doubtful, NOT_CONFIRMED)]):
            return "lost"
        doubtful = None
    deadline = time.monotonic() + settings.BOARD_IMPORT_SLICE_SECONDS
    while job.next_row < job.total_rows:
        stopped = await _import_batch(work, fields, rows, doubtful)
        if stopped:
            return stopped
        doubtful = None
        if job.next_row < job.total_rows and time.monotonic() >= deadline:
            await work.end(S.QUEUED)  # at least one batch per slice, then the next slice, on any worker
            return "handed over"
    await work.end(S.DONE)
    return "done"


async def _import_batch(work: Slice, fields: list[Field], rows: list[list[str]], doubtful: int | None) -> str:
    """The next BATCH_ROWS rows, progress written row by row; "" to go on, else why the slice ends."""
    job = work.job
    start, end = job.next_row, min(job.next_row + BATCH_ROWS, job.total_rows)
    if not await work.mark_sending(end):
        return "lost"
    rejected: dict[int, str] = {}
    to_send: list[tuple[int, dict]] = []
    for index in range(start, end):
        values, reason = imports.validate_row(rows[index], job.mapping, fields)
        if reason:
            rejected[index] = reason
        else:
            to_send.append((index, values))

    def checked(until: int) -> list[tuple[int, str]]:
        """Rows refused here (never sent) between the progress so far and ``until``."""
        return [(i, rejected[i]) for i in range(job.next_row, until) if i in rejected]

    async def on_row(index: int, reason: str) -> bool:
        if reason and index == doubtful:
            reason += " (The worker stopped while sending this row before: it may be the item it created.)"
        failures = [*checked(index), *([(index, reason)] if reason else [])]
        return await work.advance(index + 1, created=0 if reason else 1, failures=failures)

    outcome = services.ImportOutcome()
    if to_send:
        outcome = await services.board_items_import(actor=job.user, board_id=job.board_id, rows=to_send, on_row=on_row)
    if work.lost:
        return "lost"
    if outcome.stopped is not None:
        stop_at = to_send[outcome.processed][0]
        if not await work.advance(stop_at, failures=checked(stop_at)):
            return "lost"
        # A timeout may have created the row; anything else surely did not.
        timeout = isinstance(outcome.stopped, GatewayTimeout)
        await work.end(S.PAUSED, outcome.stopped.user_message, keep_doubt=timeout)
        return "paused"
    if not await work.advance(end, failures=checked(end)):
        return "lost"
    return ""


def jobs_by_status() -> dict[str, int]:
    """How many import jobs are in each state (for a metrics gauge)."""
    counts = dict.fromkeys(S.values, 0)
    for row in ImportJob.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


# --- retention ------------------------------------------------------------------------------


def prune(*, days: int) -> tuple[int, int]:
    """Delete jobs untouched for ``days`` (not queued or running) and their files; then any
    upload folder whose job is gone. Returns (jobs deleted, files deleted)."""
    cutoff = timezone.now() - timedelta(days=days)
    old = ImportJob.objects.filter(updated_at__lt=cutoff).exclude(status__in=[S.QUEUED, S.RUNNING])
    files = 0
    jobs = 0
    for job in old.iterator():
        if job.file.name and default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)
            files += 1
        job.delete()
        jobs += 1
    try:
        folders, _ = default_storage.listdir(UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        folders = []
    known = {str(pk) for pk in ImportJob.objects.values_list("pk", flat=True)}
    for folder in folders:
        if folder in known:
            continue
        for name in default_storage.listdir(f"{UPLOAD_DIR}/{folder}")[1]:
            path = f"{UPLOAD_DIR}/{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                files += 1
    return jobs, files
