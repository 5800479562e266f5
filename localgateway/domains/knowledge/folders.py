"""Routes on folders (``/folders…``)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

from ... import db
from .file_store import file_json, stored_path
from .folder_store import (
    column_value,
    descendant_ids,
    folder_insert,
    folder_json,
    folder_row,
    folder_rows,
    folders_json,
    recursive_counts,
)
from .responses import _org, crash, delete_ids, fail, found, json_body, ok, search_pattern
from .schema import FOLDER_COLUMNS, FOLDER_ID


async def folder_create(request: Request) -> JSONResponse:
    body = await json_body(request)
    try:
        folder = folder_insert(body)
    except ValueError as exc:
        raise crash(f"Failed to create folder: {exc}") from exc
    except LookupError:
        raise crash("Internal server error", None) from None
    except Exception as exc:  # a constraint the database refused (e.g. a duplicate _id)
        raise crash(f"Failed to create folder: {exc}") from exc
    return ok("Folder created successfully", folder, 201)


async def folder_list(request: Request) -> JSONResponse:
    org = _org(request)
    return ok("Folders retrieved successfully", folders_json(folder_rows(org), org))


async def folder_search(request: Request) -> JSONResponse:
    org = _org(request)
    pattern = search_pattern(request)
    rows = []
    for row in folder_rows(org):
        tags = db.loads(row["tags"]) or []
        haystacks = [row["name"], row["description"] or "", *(str(tag) for tag in tags if tag is not None)]
        if any(pattern.search(text) for text in haystacks):
            rows.append(row)
    return ok("Folders searched successfully", folders_json(_search_limited(request, rows), org))


def _subfolders(folder_id: str, recursive: bool) -> list:
    if recursive:
        ids = descendant_ids([folder_id])[1:]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return db.conn().execute(f"SELECT * FROM kh_folders WHERE id IN ({marks})", ids).fetchall()  # noqa: S608
    return db.conn().execute("SELECT * FROM kh_folders WHERE parent_folder_id = ?", (folder_id,)).fetchall()


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


def _search_limited(request: Request, rows: list) -> list:
    """A search's matches, the first ``limit`` of them when the query sets one (none or 0: all)."""
    limit = _int(request.query_params.get("limit"), 0)
    return rows[:limit] if limit > 0 else rows


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


async def folder_get(request: Request) -> JSONResponse:
    org = _org(request)
    row = found(folder_row(request.path_params["folder_id"], org), "Folder")
    recursive = _truthy(request.query_params.get("recursive"))
    counts = recursive_counts(org)
    data = {
        "folder": folder_json(row, counts.get(row["id"], 0)),
        "subfolders": [folder_json(sub, counts.get(sub["id"], 0)) for sub in _subfolders(row["id"], recursive)],
        "recursive": recursive,
    }
    return ok("Folder retrieved successfully", data)


FILE_SORTS = {"name", "created_at", "updated_at", "file_size", "file_type"}


async def folder_contents(request: Request) -> JSONResponse:
    org = _org(request)
    row = found(folder_row(request.path_params["folder_id"], org), "Folder")
    params = request.query_params
    recursive = _truthy(params.get("recursive"))
    query = params.get("q") or None
    counts = recursive_counts(org)
    subfolders = _subfolders(row["id"], recursive)
    folder_ids = [row["id"], *(sub["id"] for sub in subfolders)] if recursive else [row["id"]]
    marks = ",".join("?" * len(folder_ids))
    sort_by = params.get("sortBy") if params.get("sortBy") in FILE_SORTS else "created_at"
    order = "ASC" if (params.get("sortOrder") or "desc").lower() == "asc" else "DESC"
    files = (
        db.conn()
        .execute(
            f"SELECT * FROM kh_files WHERE folder_id IN ({marks}) ORDER BY {sort_by} {order}, id",  # noqa: S608
            folder_ids,
        )
        .fetchall()
    )
    if query:
        try:
            pattern = re.compile(query, re.IGNORECASE)
        except re.error as exc:
            raise crash(f"Invalid regular expression: {exc}") from exc
        files = [file for file in files if pattern.search(file["name"])]
    skip = max(0, _int(params.get("skip"), 0))
    limit = _int(params.get("limit"), 0) or None
    page = files[skip : skip + limit] if limit else files[skip:]
    total_pages = max(1, -(-len(files) // limit)) if limit else 1
    data = {
        "folder": folder_json(row, counts.get(row["id"], 0)),
        "subfolders": [folder_json(sub, counts.get(sub["id"], 0)) for sub in subfolders],
        "files": [file_json(file, request) for file in page],
        "search_query": query,
        "recursive": recursive,
        "pagination": {
            "file_count": len(files),
            "total_recursive_file_count": counts.get(row["id"], 0),
            "current_page": (skip // limit) + 1 if limit else 1,
            "total_pages": total_pages,
            "limit": limit,
            "skip": skip,
        },
    }
    return ok("Folder contents retrieved successfully", data)


def _subfolders_payload(folder_ids: list[str], org: str, recursive: bool) -> dict:
    for folder_id in folder_ids:
        if not FOLDER_ID.match(folder_id):
            raise fail(f"Invalid folder ID format: {folder_id}", 400)
    counts = recursive_counts(org)
    folders = [row for row in (folder_row(fid, org) for fid in folder_ids) if row is not None]
    subs = [sub for row in folders for sub in _subfolders(row["id"], recursive)]
    return {
        "folder": folder_json(folders[0], counts.get(folders[0]["id"], 0)) if len(folders) == 1 else None,
        "subfolders": [folder_json(sub, counts.get(sub["id"], 0)) for sub in subs],
        "total_subfolders": len(subs),
        "total_files": sum(counts.get(row["id"], 0) for row in folders),
        "recursive": recursive,
    }


async def folder_subfolders(request: Request) -> JSONResponse:
    org = _org(request)
    folder_id = request.path_params["folder_id"]
    payload = _subfolders_payload([folder_id], org, _truthy(request.query_params.get("recursive")))
    if payload["folder"] is None:
        raise fail("Folder not found", 404)
    return ok("Subfolders retrieved successfully", payload)


async def folder_subfolders_many(request: Request) -> JSONResponse:
    body = await json_body(request)
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        raise fail("ids array is required and must not be empty", 400)
    payload = _subfolders_payload([str(fid) for fid in ids], _org(request), bool(body.get("recursive")))
    return ok("Subfolders retrieved successfully", payload)


async def folder_update(request: Request) -> JSONResponse:
    row = found(folder_row(request.path_params["folder_id"], _org(request)), "Folder")
    body = await json_body(request)
    changes = {column: column_value(column, body[column]) for column in FOLDER_COLUMNS if column in body}
    if "name" in changes:
        if not isinstance(body["name"], str) or not body["name"]:
            raise crash("Failed to update folder: name must be a non-empty string")
        parent = row["parent_folder_id"]
        parent_row = None if parent == "root" else folder_row(parent)
        base = parent_row["path"].rstrip("/") if parent_row is not None else ""
        changes["path"] = f"{base}/{body['name']}"
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        db.conn().execute(
            f"UPDATE kh_folders SET {assignments} WHERE id = ?",  # noqa: S608
            [*changes.values(), row["id"]],
        )
    return ok("Folder updated successfully", folder_json(folder_row(row["id"])))


async def folder_sync(request: Request) -> JSONResponse:
    row = found(folder_row(request.path_params["folder_id"], _org(request)), "Folder")
    body = await json_body(request)
    if not isinstance(body.get("is_sync_enabled"), bool):
        raise fail("is_sync_enabled must be a boolean", 400)
    db.conn().execute(
        "UPDATE kh_folders SET is_sync_enabled = ?, updated_at = ? WHERE id = ?",
        (1 if body["is_sync_enabled"] else 0, db.now_iso(), row["id"]),
    )
    return ok("Folder sync updated successfully", folder_json(folder_row(row["id"])))


def _unlink_from_assistants(organization_id: str, folder_ids: set[str]) -> None:
    """The service also drops deleted folders from its assistants' ``folder_ids`` (data-board.md#knowledge-folders)."""
    rows = (
        db.conn()
        .execute(
            "SELECT id, data FROM ai_assistants WHERE organization_id = ? AND deleted_at IS NULL", (organization_id,)
        )
        .fetchall()
    )
    for row in rows:
        data = db.loads(row["data"])
        linked = data.get("folder_ids") or []
        if isinstance(linked, list) and folder_ids.intersection(map(str, linked)):
            data["folder_ids"] = [fid for fid in linked if str(fid) not in folder_ids]
            db.conn().execute("UPDATE ai_assistants SET data = ? WHERE id = ?", (db.dumps(data), row["id"]))


def remove_stored(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def folder_delete(request: Request) -> JSONResponse:
    ids = await delete_ids(request)
    org = _org(request)
    roots = [row["id"] for row in (folder_row(str(fid), org) for fid in ids) if row is not None]
    all_ids = descendant_ids(roots)
    stored: list[Path] = []
    if all_ids:
        marks = ",".join("?" * len(all_ids))
        files = db.conn().execute(f"SELECT id FROM kh_files WHERE folder_id IN ({marks})", all_ids).fetchall()  # noqa: S608
        stored = [stored_path(request.app.state.config, file["id"]) for file in files]
        conn = db.conn()
        conn.execute("BEGIN")
        try:
            conn.execute(f"DELETE FROM kh_files WHERE folder_id IN ({marks})", all_ids)  # noqa: S608
            conn.execute(f"DELETE FROM kh_folders WHERE id IN ({marks})", all_ids)  # noqa: S608
            _unlink_from_assistants(org, set(all_ids))
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        await asyncio.to_thread(remove_stored, stored)
    return ok(f"{len(roots)} folders deleted successfully", {"deletedCount": len(roots)})
