"""CSV import jobs: the upload (in Django's default storage), the mapping, progress and results.

Everything an import needs lives here and in storage, so any web process can show a job and any
task worker can run it (docs/guide/boards-import.md). State changes that decide who does the work
are conditional UPDATEs (apps/boards/imports.py): only one request or worker wins each of them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.crypto import get_random_string


def upload_path(job: ImportJob, filename: str) -> str:
    """A fresh name per upload (a corrected file never overwrites the one a worker may be reading)."""
    return f"board-imports/{job.pk}/{get_random_string(12)}.csv"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        INVALID = "invalid", "File cannot be read"
        UPLOADED = "uploaded", "Uploaded"
        MAPPED = "mapped", "Checked"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        PAUSED = "paused", "Paused"
        DONE = "done", "Finished"
        FAILED = "failed", "Stopped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    board_id = models.CharField(max_length=128)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=upload_path, max_length=255)
    encoding = models.CharField(max_length=32, blank=True)
    columns = models.JSONField(default=list)
    total_rows = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)  # column index (as text) -> field id
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    # What the user must read: why the file cannot be read, or why the import paused or stopped.
    message = models.TextField(blank=True)
    # Progress: data rows [0, next_row) are handled (created or failed) and counted below.
    next_row = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Rows [next_row, sending_until) were being sent when the job was last left; the row at
    # next_row may have reached the gateway without its answer being recorded (a killed worker).
    sending_until = models.PositiveIntegerField(default=0)
    # The task slice that holds the job while it runs, and when it last showed life.
    claim = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.filename} → board {self.board_id} ({self.status})"

    @property
    def started(self) -> bool:
        return not self.mappable and self.status != self.Status.INVALID

    @property
    def active(self) -> bool:
        """Queued or running: the page keeps polling."""
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def mappable(self) -> bool:
        """The mapping and the file can still change (nothing has been sent)."""
        return self.status in {self.Status.UPLOADED, self.Status.MAPPED}

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(self.next_row * 100 / self.total_rows)


class ImportFailure(models.Model):
    """One row an import did not create, and why (checked here or refused by the gateway)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    row_index = models.PositiveIntegerField()  # the data row (0 = first under the header)
    line = models.PositiveIntegerField()  # where the row starts in the file
    message = models.TextField()

    class Meta:
        ordering = ["row_index"]
        constraints = [models.UniqueConstraint(fields=["job", "row_index"], name="boards_import_failure_once")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
