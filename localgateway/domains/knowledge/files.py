"""Routes on files (``/files…``): upload, list, search, read, download, update, delete."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response

from ... import db
from ...config import Config
from .file_store import (
    ensure_upload_folder,
    file_json,
    file_row,
    insert_file,
    is_valid_folder_id,
    parse_tags,
    stored_path,
)
from .folders import FILE_SORTS, _int, _search_limited, remove_stored
from .multipart import StreamedForm, UploadTooLarge
from .responses import _org, crash, delete_ids, fail, found, json_body, ok, search_pattern
from .text import extract_text, mime_type


async def file_upload(request: Request) -> JSONResponse:
    config: Config = request.app.state.config
    org = _org(request)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        return await _file_upload_json(request, org)
    if "multipart/form-data" not in content_type:
        raise fail("No file uploaded", 400)
    directory = config.files_dir / "knowledge"
    directory.mkdir(parents=True, exist_ok=True)
    form = StreamedForm(directory)
    try:
        await form.parse(request)
    except ClientDisconnect:
        raise fail("Upload aborted", 400) from None
    except UploadTooLarge:
        raise crash("Field value too large") from None
    except ValueError as exc:
        raise crash(f"Failed to parse multipart body: {exc}") from exc
    moved = False
    try:
        folder_id = (form.fields.get("folder_id") or "").strip()
        if not folder_id:
            raise fail("folder_id is required", 400)
        if not is_valid_folder_id(folder_id):
            raise fail("folder_id is not a valid id", 400)
        if not form.files:
            raise fail("No file uploaded", 400)
        folder = ensure_upload_folder(org, folder_id, form.fields.get("folder_name"))
        created = []
        for part in form.files:
            name = Path(part.filename or "").name or "untitled"
            file_id = insert_file(
                org=org,
                folder_id=folder["id"],
                name=name,
                file_type=mime_type(name, part.content_type),
                size=part.size,
                fields=form.fields,
            )
            target = stored_path(config, file_id)
            await asyncio.to_thread(part.path.replace, target)
            part.path = None
            text = await asyncio.to_thread(extract_text, target, name)
            if text:
                db.conn().execute("UPDATE kh_files SET text_content = ? WHERE id = ?", (text, file_id))
            created.append(file_json(file_row(file_id, org)))
        moved = True
    finally:
        if not moved:
            await asyncio.to_thread(form.discard)
    data: Any = created[0] if len(created) == 1 else created
    return ok(f"{len(created)} file(s) uploaded successfully", data, 201)


async def _file_upload_json(request: Request, org: str) -> JSONResponse:
    """JSON mode (``file_url``): the local gateway has no file service to fetch from."""
    body = await json_body(request)
    if isinstance(body.get("data"), dict):
        body = body["data"]
    folder_id = str(body.get("folder_id") or "").strip()
    if not folder_id:
        raise fail("folder_id is required", 400)
    if not is_valid_folder_id(folder_id):
        raise fail("folder_id is not a valid id", 400)
    raise fail("No file uploaded", 400)


async def file_list(request: Request) -> JSONResponse:
    org = _org(request)
    params = request.query_params
    folder_id = params.get("folder_id")
    sort_by = params.get("sortBy") if params.get("sortBy") in FILE_SORTS else "created_at"
    order = "ASC" if (params.get("sortOrder") or "desc").lower() == "asc" else "DESC"
    sql = "SELECT * FROM kh_files WHERE organization_id = ?"
    args: list[Any] = [org]
    if folder_id:
        sql += " AND folder_id = ?"
        args.append(folder_id)
    sql += f" ORDER BY {sort_by} {order}, id LIMIT ? OFFSET ?"
    args += [_int(params.get("limit"), -1) or -1, max(0, _int(params.get("skip"), 0))]
    rows = db.conn().execute(sql, args).fetchall()
    return ok("Files retrieved successfully", [file_json(row) for row in rows])


async def file_search(request: Request) -> JSONResponse:
    """Names matched as a case-insensitive regex across the org; ``folder_id`` is ignored.

    See docs/contract/data-board.md#knowledge-files.
    """
    org = _org(request)
    pattern = search_pattern(request)
    rows = (
        db.conn()
        .execute("SELECT * FROM kh_files WHERE organization_id = ? ORDER BY created_at DESC, id", (org,))
        .fetchall()
    )
    matches = [row for row in rows if pattern.search(row["name"])]
    matches = _search_limited(request, matches)
    return ok("Files searched successfully", [file_json(row) for row in matches])


async def file_get(request: Request) -> JSONResponse:
    row = found(file_row(request.path_params["file_id"], _org(request)), "File")
    data = file_json(row)
    # Not a signed URL: the gateway's public, credential-free file route, which never expires
    # [DB src/presentation/controllers/file.controller.ts L295, src/core/services/file.service.ts L582].
    data["presigned_url"] = f"{str(request.base_url).rstrip('/')}/files/download/{quote(row['key'], safe='')}"
    return ok("File retrieved successfully", data)


async def file_download(request: Request) -> Response:
    """The file as an attachment named with its raw name, as the service writes the header.

    Node refuses a header value outside Latin-1 (``ERR_INVALID_CHAR``), so for such names (CJK, Arabic,
    emoji...) the real route answers 500 [DB ``src/presentation/controllers/file.controller.ts``,
    download]; the file's ``presigned_url`` still serves it.
    """
    config: Config = request.app.state.config
    row = found(file_row(request.path_params["file_id"], _org(request)), "File")
    path = stored_path(config, row["id"])
    if not path.exists():
        raise fail("File not found", 404)
    try:
        disposition = f'attachment; filename="{row["name"]}"'.encode("latin-1")
    except UnicodeEncodeError:
        raise crash("Internal server error", None) from None
    response = FileResponse(path, media_type=row["file_type"] or "application/octet-stream")
    response.raw_headers.append((b"content-disposition", disposition))
    return response


async def file_update(request: Request) -> JSONResponse:
    org = _org(request)
    row = found(file_row(request.path_params["file_id"], org), "File")
    body = await json_body(request)
    changes: dict[str, Any] = {}
    if isinstance(body.get("name"), str) and body["name"].strip():
        changes["name"] = body["name"].strip()
    if "tags" in body:
        changes["tags"] = db.dumps(parse_tags(body["tags"]))
    if "remarks" in body:
        changes["remarks"] = body["remarks"]
    if changes:
        changes["updated_at"] = db.now_iso()
        assignments = ", ".join(f"{column} = ?" for column in changes)
        db.conn().execute(
            f"UPDATE kh_files SET {assignments} WHERE id = ?",  # noqa: S608
            [*changes.values(), row["id"]],
        )
    return ok("File updated successfully", file_json(file_row(row["id"], org)))


async def file_delete(request: Request) -> JSONResponse:
    ids = await delete_ids(request)
    org = _org(request)
    rows = [row for row in (file_row(str(fid), org) for fid in ids) if row is not None]
    if rows:
        marks = ",".join("?" * len(rows))
        db.conn().execute(f"DELETE FROM kh_files WHERE id IN ({marks})", [row["id"] for row in rows])  # noqa: S608
        config: Config = request.app.state.config
        await asyncio.to_thread(remove_stored, [stored_path(config, row["id"]) for row in rows])
    return ok(f"{len(rows)} files deleted successfully", {"deletedCount": len(rows)})
