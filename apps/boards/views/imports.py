"""CSV import pages: upload, map and check, run (queue the task) and its progress (polled).

The job is a database row (apps/boards/models.py); any web process shows it and a task worker
runs it (apps/boards/import_jobs.py), so a closed tab or another host changes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import add_toast, redirect_after_write, render_page
from apps.core.roles import Role, role_required

from .. import import_jobs, imports, selectors
from ..fieldtypes import Field, fields_of
from ..models import ImportJob

S = ImportJob.Status
SHOWN_FAILURES = 200
# A queued job nobody picked up after this long probably has no worker: the page says so.
WORKER_WAIT_SECONDS = 30
TEMPLATE = "boards/import_map.html"


async def _job(request: HttpRequest, board_id: str, token: str) -> ImportJob:
    try:
        pk = uuid.UUID(token)
    except ValueError:
        pk = None
    user = await request.auser()
    job = await ImportJob.objects.filter(pk=pk, board_id=board_id, user_id=user.pk).afirst() if pk else None
    if job is None:
        raise Http404("That import has expired or belongs to someone else. Upload the file again.")
    return job


async def _read_upload(request: HttpRequest) -> tuple[str, bytes]:
    """The posted file's name and bytes; ImportFileError when there is none or it cannot be a CSV."""
    upload = request.FILES.get("file")
    if upload is None:
        raise imports.ImportFileError("Choose a CSV file to upload.")
    name = (upload.name or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().endswith((".csv", ".txt", ".tsv")):
        raise imports.ImportFileError("Choose a .csv file.")
    if upload.size > imports.MAX_BYTES:
        raise imports.ImportFileError(f"The file is larger than {imports.MAX_BYTES // (1024 * 1024)} MB.")
    return name, await asyncio.to_thread(lambda: b"".join(upload.chunks()))


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def import_upload(request: HttpRequest, board_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    error = ""
    kept = None  # an unreadable upload, kept on its job: the corrected file replaces it there
    if request.method == "POST":
        if request.POST.get("job"):
            kept = await _job(request, board_id, request.POST["job"])
            if kept.status != S.INVALID:
                return redirect("boards-import-map", board_id=board_id, token=str(kept.pk))
        try:
            name, raw = await _read_upload(request)
            fields = fields_of(board)
            user = await request.auser()
            if kept is not None:
                job = await sync_to_async(import_jobs.replace_file)(kept, filename=name, raw=raw, fields=fields)
            else:
                job = await sync_to_async(import_jobs.create_job)(
                    user=user, board_id=board_id, filename=name, raw=raw, fields=fields
                )
                if job.status == S.INVALID:
                    kept = job
                    raise imports.ImportFileError(job.message)
        except imports.ImportFileError as exc:
            error = str(exc)
            if kept is not None:
                kept = await ImportJob.objects.aget(pk=kept.pk)
        else:
            return redirect("boards-import-map", board_id=board_id, token=str(job.pk))
    context = {"board": board, "error": error, "kept": kept, "max_mb": imports.MAX_BYTES // (1024 * 1024)}
    return render_page(request, "boards/import_upload.html", context, status=422 if error else 200)


def _posted_mapping(request: HttpRequest, job: ImportJob, fields: list[Field]) -> dict[str, str]:
    known = {f.id for f in fields if f.editable}
    mapping = {}
    for index in range(len(job.columns)):
        field_id = request.POST.get(f"column_{index}", "")
        if field_id in known:
            mapping[str(index)] = field_id
    return mapping


async def _progress_context(job: ImportJob) -> dict:
    failures = [f async for f in job.failures.all()[:SHOWN_FAILURES]]
    waited = job.queued_at and timezone.now() - job.queued_at > timedelta(seconds=WORKER_WAIT_SECONDS)
    return {
        "job": job,
        "failures": failures,
        "more_failures": max(job.failed - len(failures), 0),
        "no_worker": job.status == S.QUEUED and waited,
        "worker_lost": import_jobs.worker_lost(job),
    }


async def _corrected_file(request: HttpRequest, job: ImportJob, fields: list[Field]) -> ImportJob:
    """The corrected file posted on the job page: replaces the file of a job that has not started
    (mapping kept), or starts a new job with this job's mapping once this one has run."""
    name, raw = await _read_upload(request)
    if job.mappable or job.status == S.INVALID:
        return await sync_to_async(import_jobs.replace_file)(job, filename=name, raw=raw, fields=fields)
    parsed = await asyncio.to_thread(imports.read_csv, raw)  # refused here: nothing is kept or lost
    new = await sync_to_async(import_jobs.create_job)(
        user=await request.auser(), board_id=job.board_id, filename=name, raw=raw, fields=fields
    )
    new.mapping = imports.carry_mapping(job.columns, job.mapping, parsed.columns, fields)
    await new.asave(update_fields=["mapping"])
    return new


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def import_map(request: HttpRequest, board_id: str, token: str) -> HttpResponse:
    """The job's page: preview, map columns and check (before the import), then its progress and results."""
    board, job = await asyncio.gather(selectors.board_get(board_id=board_id), _job(request, board_id, token))
    fields = fields_of(board)
    context: dict = {"board": board, "job": job, "upload_error": ""}
    if request.method == "POST" and "file" in request.FILES:
        try:
            job = await _corrected_file(request, job, fields)
        except imports.ImportFileError as exc:
            context["upload_error"] = str(exc)
            job = context["job"] = await ImportJob.objects.aget(pk=job.pk)
        else:
            return redirect("boards-import-map", board_id=board_id, token=str(job.pk))
    status = 422 if context["upload_error"] else 200
    if job.status == S.INVALID:
        return render_page(request, TEMPLATE, context, status=status)
    if job.started:
        context.update(await _progress_context(job))
        response = render_page(request, TEMPLATE, context, partial="progress", status=status)
        if job.done and request.htmx.trigger == "import-progress":
            add_toast(response, f"Import finished: {job.created} created, {job.failed} failed.")
        return response
    parsed = await sync_to_async(import_jobs.read_job_file)(job)
    checking = request.method == "POST" and "file" not in request.FILES
    mapping = _posted_mapping(request, job, fields) if checking else job.mapping
    problems = imports.mapping_problems(mapping, fields) if checking else []
    plan = None
    if checking and not problems:
        plan = await asyncio.to_thread(imports.import_plan, parsed.rows, mapping, fields, parsed.lines)
        if not await sync_to_async(import_jobs.save_mapping)(job, mapping):
            return redirect("boards-import-map", board_id=board_id, token=token)  # started meanwhile
    context.update(
        {
            "columns": [
                {"index": i, "name": name, "field_id": mapping.get(str(i), "")} for i, name in enumerate(job.columns)
            ],
            "preview": parsed.rows[: imports.PREVIEW_ROWS],
            "editable_fields": [f for f in fields if f.editable],
            "problems": problems,
            "plan": plan,
            "shown_failures": plan.failures[:50] if plan else [],
        }
    )
    return render_page(request, TEMPLATE, context, partial="check", status=status)


@require_POST
@role_required(Role.SUPPORT)
async def import_run(request: HttpRequest, board_id: str, token: str) -> HttpResponse:
    """Queue the import (or resume it) for a task worker; only one of any number of clicks does."""
    board, job = await asyncio.gather(selectors.board_get(board_id=board_id), _job(request, board_id, token))
    problems: list[str] = []
    if job.mappable:
        problems = imports.mapping_problems(job.mapping, fields_of(board))
        if job.status != S.MAPPED and not problems:
            problems = ["Check the rows before importing them."]
    if not problems:
        await sync_to_async(import_jobs.request_run)(job)
        job = await ImportJob.objects.aget(pk=job.pk)
    if job.mappable:
        for problem in problems:
            messages.error(request, problem)
        # for HTMX the page reloads to show the mapping form and the problem
        return redirect_after_write(request, "boards-import-map", board_id=board_id, token=token)
    if not request.htmx:
        return redirect("boards-import-map", board_id=board_id, token=token)
    context = {"board": board, "job": job, "upload_error": "", **await _progress_context(job)}
    return render_page(request, TEMPLATE, context, partial="progress")
