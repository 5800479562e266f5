"""Knowledge hubs: the folder tree, a folder's files, uploads, downloads and assistants.

Roles: Viewer reads and downloads; Support also uploads files; Operator also
manages folders, deletes files and attaches folders to assistants.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import time
import unicodedata
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.assistants.selectors import assistants_by_folder
from apps.audit.selectors import audit_event_list_for_target
from apps.core.htmx import add_toast, redirect_after_write, render_page
from apps.core.roles import Role, role_required
from apps.ops.metrics import uploads_done
from imbrace_console.fastpath.asgi import BodyDisconnected, body_channel, streamed_body
from imbrace_console.gateway.errors import GatewayError, GatewayNotFound

from . import selectors, services
from .forms import AssistantToggleForm, FolderCreateForm, FolderRenameForm
from .uploads import (
    CHUNK_SIZE,
    FileBody,
    UploadLimits,
    UploadTooLarge,
    csrf_failure,
    is_raw_upload,
    limited,
    raw_upload_read,
    upload_discard,
    upload_parse,
)

# Parsing upload bodies gets threads of its own, so a burst of large uploads
# cannot take the default pool that Django and the gateway client also use.
UPLOAD_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="knowledge-upload")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def delete_question(folder: selectors.FolderNode) -> str:
    """The confirmation, saying what goes with the folder."""
    return (
        f"Delete the folder “{folder.name}” with {_plural(folder.file_count, 'file')} and "
        f"{_plural(folder.descendant_count, 'subfolder')} inside it? Assistants using it lose that knowledge. "
        "This cannot be undone."
    )


@require_GET
@role_required(Role.VIEWER)
async def knowledge_list(request: HttpRequest) -> HttpResponse:
    """The folder tree, or folders matching ``?q=``."""
    query = request.GET.get("q", "").strip()
    if query:
        tree, results = None, await selectors.folder_search(query=query)
    else:
        tree, results = await selectors.folder_tree(), []
    context = {"tree": tree, "results": results, "query": query}
    if request.console_role >= Role.OPERATOR and tree is not None:
        choices = [(node.id, node.path) for node in tree.flat()]
        context["create_form"] = FolderCreateForm(folder_choices=choices)
    return render_page(request, "knowledge/folder_list.html", context, partial="folders")


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def folder_create(request: HttpRequest) -> HttpResponse:
    """A new folder at the top level or inside another (``?parent=``)."""
    choices = await selectors.folder_choices()
    if request.method == "GET":
        form = FolderCreateForm(initial={"parent": request.GET.get("parent", "root")}, folder_choices=choices)
        return render_page(request, "knowledge/folder_create.html", {"form": form})
    form = FolderCreateForm(request.POST, folder_choices=choices)
    if form.is_valid():
        try:
            folder = await services.folder_create(
                actor=await request.auser(),
                name=form.cleaned_data["name"],
                parent_id=form.cleaned_data["parent"],
                description=form.cleaned_data["description"],
            )
        except GatewayError as exc:
            form.add_error(None, exc.user_message_with_detail)
        else:
            messages.success(request, f"Folder “{form.cleaned_data['name']}” created.")
            return redirect("knowledge-folder-detail", folder_id=folder["id"])
    return render_page(request, "knowledge/folder_create.html", {"form": form}, status=400)


async def _detail_context(folder_id: str) -> dict:
    detail, history = await asyncio.gather(
        selectors.folder_detail(folder_id=folder_id),
        audit_event_list_for_target(target_type="folder", target_id=folder_id),
    )
    return {
        "history": history,
        "detail": detail,
        "folder": detail.folder,
        "limits": UploadLimits.from_settings(),
        "delete_question": delete_question(detail.folder),
    }


@require_GET
@role_required(Role.VIEWER)
async def folder_detail(request: HttpRequest, folder_id: str) -> HttpResponse:
    context = await _detail_context(folder_id)
    return render_page(request, "knowledge/folder_detail.html", context, partial="files")


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def folder_update(request: HttpRequest, folder_id: str) -> HttpResponse:
    """Rename in place: the title becomes a form (HTMX), or a page of its own without JS."""
    folder = await selectors.folder_get(folder_id=folder_id)
    if request.method == "GET":
        form = FolderRenameForm(initial={"name": folder.name})
        return render_page(request, "knowledge/folder_update.html", {"form": form, "folder": folder}, partial="form")
    form = FolderRenameForm(request.POST)
    if form.is_valid():
        try:
            actor = await request.auser()
            await services.folder_rename(actor=actor, folder_id=folder_id, name=form.cleaned_data["name"])
        except GatewayError as exc:
            form.add_error("name", exc.user_message_with_detail)
        else:
            folder.name = form.cleaned_data["name"]
            if request.htmx:
                response = render_page(request, "knowledge/folder_update.html", {"folder": folder}, partial="title")
                return add_toast(response, f"Renamed to “{folder.name}”.")
            messages.success(request, f"Renamed to “{folder.name}”.")
            return redirect("knowledge-folder-detail", folder_id=folder_id)
    context = {"form": form, "folder": folder}
    return render_page(request, "knowledge/folder_update.html", context, partial="form", status=400)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def folder_delete(request: HttpRequest, folder_id: str) -> HttpResponse:
    """GET: the confirmation page (without JS). POST: delete, with everything inside."""
    folder = await selectors.folder_get(folder_id=folder_id)
    if request.method == "GET":
        context = {"folder": folder, "question": delete_question(folder)}
        return render_page(request, "knowledge/folder_confirm_delete.html", context)
    await services.folder_delete(actor=await request.auser(), folder=folder)
    messages.success(request, f"Folder “{folder.name}” deleted.")
    if folder.parent_id != selectors.ROOT:
        return redirect_after_write(request, "knowledge-folder-detail", folder_id=folder.parent_id)
    return redirect_after_write(request, "knowledge-list")


@dataclass(frozen=True)
class UploadResult:
    name: str
    ok: bool
    message: str
    status: int
    file_id: str = ""


def _upload_status(results: list[UploadResult]) -> int:
    failed = [result.status for result in results if not result.ok]
    if not failed:
        return 201
    return 413 if 413 in failed else failed[0]


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@streamed_body  # the raw-body shape arrives unread, in body_channel(request)
@csrf_exempt  # checked here, before any body is read or parsed
@require_POST
@role_required(Role.SUPPORT)
async def file_upload(request: HttpRequest, folder_id: str) -> HttpResponse:
    """Files into the folder: one raw file per request (the page's script) or ``file`` form parts.

    The script reads the JSON answer; a plain form post gets the folder page
    back with a status per file.
    """
    started = time.monotonic()
    if is_raw_upload(request):
        outcome = await _raw_upload(request, folder_id)
    else:
        outcome = await _form_upload(request, folder_id)
    size, seconds = request.META.get("CONTENT_LENGTH"), time.monotonic() - started
    if isinstance(outcome, HttpResponse):
        uploads_done(size, [(False, outcome.status_code)], seconds=seconds)
        return outcome
    results = outcome or [UploadResult("", False, "Choose at least one file to upload.", 400)]
    status = _upload_status(results)
    uploads_done(size, [(result.ok, result.status) for result in results], seconds=seconds)
    if _wants_json(request):
        return JsonResponse({"results": [result.__dict__ for result in results]}, status=status)
    if status == 201:
        messages.success(request, f"Uploaded {_plural(len(results), 'file')}.")
        return redirect("knowledge-folder-detail", folder_id=folder_id)
    context = await _detail_context(folder_id)
    context["upload_results"] = results
    return render_page(request, "knowledge/folder_detail.html", context, status=status)


async def _request_chunks(request: HttpRequest) -> AsyncIterator[bytes]:
    """A body Django has already read (not streamed: the test client, or another handler), in chunks."""
    loop = asyncio.get_running_loop()
    while chunk := await loop.run_in_executor(UPLOAD_THREADS, request.read, CHUNK_SIZE):
        yield chunk


async def _raw_upload(request: HttpRequest, folder_id: str) -> list[UploadResult] | HttpResponse:
    """The file is the body: checked by name and announced size, then streamed to the gateway as it arrives."""
    if (failure := csrf_failure(request)) is not None:
        return failure
    limits = UploadLimits.from_settings()
    upload, refused = raw_upload_read(request, limits)
    if refused is not None:
        return [UploadResult(refused.name, False, refused.reason, refused.status)]
    channel = body_channel(request)
    chunks = channel.chunks() if channel is not None else _request_chunks(request)
    try:
        record = await services.file_upload_stream(
            actor=await request.auser(),
            folder_id=folder_id,
            name=upload.name,
            chunks=limited(chunks, limits),
            size=upload.size,
            content_type=upload.content_type,
        )
    except UploadTooLarge as exc:
        return [UploadResult(upload.name, False, str(exc), 413)]
    except BodyDisconnected as exc:
        return [UploadResult(upload.name, False, f"The upload was cut short: {exc}", 400)]
    except GatewayError as exc:
        return [_upload_failed(upload.name, exc)]
    return [UploadResult(upload.name, True, "Uploaded", 201, str(record.get("id") or ""))]


async def _form_upload(request: HttpRequest, folder_id: str) -> list[UploadResult] | HttpResponse:
    """Multipart form parts: passed on while parsing (header token) or parsed to temporary files first."""
    loop = asyncio.get_running_loop()
    actor = await request.auser()
    context = contextvars.copy_context()

    def forward(name: str, content_type: str, pipe) -> Future:
        """Called from the parsing thread: send this part to the gateway while the rest is parsed.

        The send runs on this request's loop and in its context (so database
        calls such as the audit record find the request's thread-sensitive executor).
        """
        done: Future = Future()

        def settle(task: asyncio.Task) -> None:
            if task.cancelled():
                done.cancel()
            elif task.exception() is not None:
                done.set_exception(task.exception())
            else:
                done.set_result(task.result())

        def start() -> None:
            coroutine = _upload_one(actor, folder_id, name, pipe, None, content_type)
            loop.create_task(coroutine, context=context.copy()).add_done_callback(settle)

        loop.call_soon_threadsafe(start)
        return done

    parsed = await loop.run_in_executor(UPLOAD_THREADS, partial(upload_parse, request, forward=forward))
    try:
        if parsed.csrf_failure is not None:
            return parsed.csrf_failure
        results = [UploadResult(r.name, False, r.reason, r.status) for r in parsed.refused] + parsed.forwarded
        for uploaded in parsed.files:
            content = FileBody(uploaded.file)
            results.append(
                await _upload_one(actor, folder_id, uploaded.name, content, uploaded.size, uploaded.content_type)
            )
    finally:
        await loop.run_in_executor(UPLOAD_THREADS, upload_discard, parsed.files)
    return results


def _upload_failed(name: str, exc: GatewayError) -> UploadResult:
    status = 404 if isinstance(exc, GatewayNotFound) else 502
    return UploadResult(name, False, exc.user_message_with_detail, status)


async def _upload_one(actor, folder_id: str, name: str, content, size: int | None, content_type: str) -> UploadResult:
    try:
        record = await services.file_upload(
            actor=actor, folder_id=folder_id, name=name, content=content, size=size, content_type=content_type
        )
    except GatewayError as exc:
        return _upload_failed(name, exc)
    return UploadResult(name, True, "Uploaded", 201, str(record.get("id") or ""))


def _ascii(text: str) -> str:
    """``text`` in plain ASCII letters, digits and ``._ -`` (accents dropped, the rest as ``_``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip(" _")


def attachment_header(name: str) -> str:
    """``attachment`` with the name for every browser: Django's RFC 5987 ``filename*`` for a name
    outside ASCII, after an ASCII ``filename`` fallback for clients that do not read ``filename*``."""
    header = content_disposition_header(True, name)
    if "filename*=" not in header:
        return header
    base, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    fallback = (_ascii(base) or "download") + (dot + _ascii(ext) if _ascii(ext) else "")
    return header.replace("attachment; ", f'attachment; filename="{fallback}"; ', 1)


@require_GET
@role_required(Role.VIEWER)
async def file_download(request: HttpRequest, file_id: str) -> StreamingHttpResponse:
    download = await selectors.file_download(file_id=file_id)
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = attachment_header(download.name)
    if download.size is not None:
        response["Content-Length"] = str(download.size)
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def file_delete(request: HttpRequest, file_id: str) -> HttpResponse:
    """GET: the confirmation page (without JS). POST: delete the file."""
    file = await selectors.file_get(file_id=file_id)
    if request.method == "GET":
        return render_page(request, "knowledge/file_confirm_delete.html", {"file": file})
    await services.file_delete(actor=await request.auser(), file_id=file_id, name=file.name)
    if request.htmx:
        return add_toast(HttpResponse(""), f"“{file.name}” deleted.")
    messages.success(request, f"“{file.name}” deleted.")
    return redirect("knowledge-folder-detail", folder_id=file.folder_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.VIEWER)
async def folder_assistants(request: HttpRequest, folder_id: str) -> HttpResponse:
    """Which assistants use the folder; Operators attach or detach it here."""
    error = ""
    if request.method == "POST":
        if request.console_role < Role.OPERATOR:
            raise PermissionDenied("Attaching folders to assistants needs the Operator role.")
        form = AssistantToggleForm(request.POST)
        if form.is_valid():
            try:
                await services.folder_assistant_set(
                    actor=await request.auser(),
                    folder_id=folder_id,
                    assistant_id=form.cleaned_data["assistant_id"],
                    attached=form.cleaned_data["attach"],
                )
            except GatewayError as exc:
                error = exc.user_message_with_detail
        else:
            error = "Choose an assistant."
        if not error and not request.htmx:
            return redirect(reverse("knowledge-folder-detail", kwargs={"folder_id": folder_id}) + "#assistants")
    using, others = await assistants_by_folder(folder_id=folder_id)
    context = {"folder_id": folder_id, "using": using, "others": others, "error": error}
    return render_page(
        request, "knowledge/folder_assistants.html", context, partial="panel", status=400 if error else 200
    )
