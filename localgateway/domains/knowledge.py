"""Knowledge Hub folders and files of data-board (docs/contract/data-board.md#knowledge-folders).

Folders form a tree under ``"root"``; files are stored on disk under
``config.files_dir / "knowledge"`` with the text of text-like files kept in
the database, so the chat responder can answer from them
(``folder_passages``).

Uploads are parsed as they arrive: python-multipart's streaming parser runs on
the event loop chunk by chunk, and file bytes are written straight to their
final place on disk in batches from a worker thread. Nothing holds a whole
file in memory and the loop never waits on the disk.

Quirks kept from the service: the folder's organization comes from the create
body, an upload into an unknown ``folder_id`` creates that folder at root, and
``files/search`` ignores ``folder_id``. By-id routes are scoped to the
caller's organization (the service does not check; that is a hole, not a
contract).
"""

from __future__ import annotations

import asyncio
import contextlib
import html.parser
import io
import json
import logging
import mimetypes
import re
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import BaseRoute

from .. import db
from ..config import Config
from ..routing import DATA_BOARD, under

logger = logging.getLogger("localgateway.knowledge")

SCHEMA = """
CREATE TABLE IF NOT EXISTS kh_folders (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    tags TEXT,
    auto_tagging INTEGER NOT NULL DEFAULT 0,
    parent_folder_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    external_id TEXT,
    external_source TEXT,
    session_id TEXT,
    delta_link TEXT,
    synced INTEGER NOT NULL DEFAULT 1,
    is_sync_enabled INTEGER NOT NULL DEFAULT 0,
    last_sync_at TEXT,
    sync_timestamp TEXT,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kh_folders_org ON kh_folders (organization_id);
CREATE INDEX IF NOT EXISTS kh_folders_parent ON kh_folders (parent_folder_id);
CREATE TABLE IF NOT EXISTS kh_files (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    folder_id TEXT NOT NULL,
    name TEXT NOT NULL,
    source_type TEXT NOT NULL DEFAULT 'upload',
    external_id TEXT,
    external_source TEXT,
    synced INTEGER NOT NULL DEFAULT 1,
    last_sync_at TEXT,
    key TEXT NOT NULL,
    file_type TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    remarks TEXT,
    last_updated_by_display_name TEXT,
    last_updated_by_email TEXT,
    text_content TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kh_files_folder ON kh_files (folder_id);
CREATE INDEX IF NOT EXISTS kh_files_org ON kh_files (organization_id);
"""

FOLDER_ID = re.compile(r"^(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9a-f]{24})$", re.IGNORECASE)
FOLDER_COLUMNS = (
    "name",
    "description",
    "tags",
    "auto_tagging",
    "parent_folder_id",
    "source_type",
    "external_id",
    "external_source",
    "session_id",
    "delta_link",
    "synced",
    "is_sync_enabled",
    "last_sync_at",
)
REQUIRED_FOLDER_COLUMNS = ("name", "organization_id", "parent_folder_id", "source_type")
TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".csv", ".html", ".htm", ".json", ".pdf"}
# Text is extracted from files up to this size; larger ones are stored but not read.
TEXT_EXTRACT_MAX_BYTES = 20 * 1024 * 1024
TEXT_MAX_CHARS = 2_000_000
WRITE_BATCH = 1024 * 1024
MAX_FIELD_BYTES = 1024 * 1024
MAX_PARTS = 1000


# ---------------------------------------------------------------------------
# Envelopes


def _ok(message: str, data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "message": message, "data": data}, status)


def _fail(message: str, status: int) -> JSONResponse:
    return JSONResponse({"success": False, "message": message, "data": None}, status)


def _crash(message: str, code: str | None = "50000") -> JSONResponse:
    error: dict[str, Any] = {"message": message}
    if code:
        error["code"] = code
    return JSONResponse({"success": False, "error": error}, 500)


async def _json_body(request: Request) -> dict | JSONResponse:
    """The JSON body, or the service's answer to an unreadable one (500, data-board.md#errors)."""
    raw = await request.body()
    if "application/json" not in request.headers.get("content-type", ""):
        return {}
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _crash("Internal server error", None)
    return body if isinstance(body, dict) else {}


def _org(request: Request) -> str:
    return request.state.identity.organization_id


# ---------------------------------------------------------------------------
# Folders


def _folder_rows(organization_id: str) -> list:
    return db.conn().execute("SELECT * FROM kh_folders WHERE organization_id = ?", (organization_id,)).fetchall()


def _folder_row(folder_id: str, organization_id: str | None = None):
    row = db.conn().execute("SELECT * FROM kh_folders WHERE id = ?", (folder_id,)).fetchone()
    if row is None or (organization_id is not None and row["organization_id"] != organization_id):
        return None
    return row


def _descendant_ids(folder_ids: Iterable[str]) -> list[str]:
    """The folders and every folder below them, parents first."""
    seen: list[str] = []
    frontier = list(dict.fromkeys(folder_ids))
    known: set[str] = set()
    while frontier:
        batch = [fid for fid in frontier if fid not in known]
        known.update(batch)
        seen.extend(batch)
        if not batch:
            break
        marks = ",".join("?" * len(batch))
        rows = db.conn().execute(f"SELECT id FROM kh_folders WHERE parent_folder_id IN ({marks})", batch).fetchall()  # noqa: S608
        frontier = [row["id"] for row in rows]
    return seen


def _file_counts(organization_id: str) -> dict[str, int]:
    rows = (
        db.conn()
        .execute(
            "SELECT folder_id, COUNT(*) AS n FROM kh_files WHERE organization_id = ? GROUP BY folder_id",
            (organization_id,),
        )
        .fetchall()
    )
    return {row["folder_id"]: row["n"] for row in rows}


def _recursive_counts(organization_id: str) -> dict[str, int]:
    """file_count per folder, files of every subfolder included."""
    folders = _folder_rows(organization_id)
    direct = _file_counts(organization_id)
    children: dict[str, list[str]] = {}
    for row in folders:
        children.setdefault(row["parent_folder_id"], []).append(row["id"])
    totals: dict[str, int] = {}

    def total(folder_id: str, depth: int = 0) -> int:
        if folder_id in totals:
            return totals[folder_id]
        count = direct.get(folder_id, 0)
        if depth < 100:
            count += sum(total(child, depth + 1) for child in children.get(folder_id, []))
        totals[folder_id] = count
        return count

    for row in folders:
        total(row["id"])
    return totals


def _folder_json(row, file_count: int | None = None) -> dict:
    if file_count is None:
        file_count = _recursive_counts(row["organization_id"]).get(row["id"], 0)
    return {
        "_id": row["id"],
        "id": row["id"],
        "name": row["name"],
        "organization_id": row["organization_id"],
        "description": row["description"],
        "tags": db.loads(row["tags"]),
        "auto_tagging": bool(row["auto_tagging"]),
        "parent_folder_id": row["parent_folder_id"],
        "source_type": row["source_type"],
        "external_id": row["external_id"],
        "external_source": row["external_source"],
        "session_id": row["session_id"],
        "delta_link": row["delta_link"],
        "synced": bool(row["synced"]),
        "is_sync_enabled": bool(row["is_sync_enabled"]),
        "last_sync_at": row["last_sync_at"],
        "sync_timestamp": row["sync_timestamp"],
        "file_count": file_count,
        "path": row["path"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _folders_json(rows, organization_id: str) -> list[dict]:
    counts = _recursive_counts(organization_id)
    return [_folder_json(row, counts.get(row["id"], 0)) for row in rows]


def _column_value(column: str, value: Any) -> Any:
    if column == "tags":
        return None if value is None else db.dumps(value)
    if column in ("auto_tagging", "synced", "is_sync_enabled"):
        return 1 if value else 0
    return value


def folder_insert(body: dict) -> dict:
    """Create a folder from a create body; raises ``LookupError`` for an unknown parent."""
    missing = [column for column in REQUIRED_FOLDER_COLUMNS if body.get(column) in (None, "")]
    if missing:
        raise ValueError(f'null value in column "{missing[0]}" of relation "folders" violates not-null constraint')
    parent = str(body["parent_folder_id"])
    if parent == "root":
        path = "/" + str(body["name"])
    else:
        parent_row = _folder_row(parent)
        if parent_row is None:
            raise LookupError(parent)
        path = parent_row["path"].rstrip("/") + "/" + str(body["name"])
    now = db.now_iso()
    folder_id = str(body.get("_id") or body.get("id") or db.new_uuid())
    values = {column: _column_value(column, body.get(column)) for column in FOLDER_COLUMNS}
    values["synced"] = 1 if body.get("synced", True) else 0
    db.conn().execute(
        """INSERT INTO kh_folders (id, organization_id, name, description, tags, auto_tagging, parent_folder_id,
               source_type, external_id, external_source, session_id, delta_link, synced, is_sync_enabled,
               last_sync_at, sync_timestamp, path, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            folder_id,
            str(body["organization_id"]),
            str(body["name"]),
            values["description"],
            values["tags"],
            values["auto_tagging"],
            parent,
            str(body["source_type"])[:50],
            values["external_id"],
            values["external_source"],
            values["session_id"],
            values["delta_link"],
            values["synced"],
            values["is_sync_enabled"],
            values["last_sync_at"],
            now,
            path,
            now,
            now,
        ),
    )
    return _folder_json(_folder_row(folder_id))


async def folder_create(request: Request) -> JSONResponse:
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        folder = folder_insert(body)
    except ValueError as exc:
        return _crash(f"Failed to create folder: {exc}")
    except LookupError:
        return _crash("Internal server error", None)
    except Exception as exc:  # a constraint the database refused (e.g. a duplicate _id)
        return _crash(f"Failed to create folder: {exc}")
    return _ok("Folder created successfully", folder, 201)


async def folder_list(request: Request) -> JSONResponse:
    org = _org(request)
    return _ok("Folders retrieved successfully", _folders_json(_folder_rows(org), org))


async def folder_search(request: Request) -> JSONResponse:
    org = _org(request)
    query = request.query_params.get("q") or ""
    try:
        pattern = re.compile(query, re.IGNORECASE)
    except re.error as exc:
        return _crash(f"Invalid regular expression: {exc}")
    rows = []
    for row in _folder_rows(org):
        tags = db.loads(row["tags"]) or []
        haystacks = [row["name"], row["description"] or "", *(str(tag) for tag in tags if tag is not None)]
        if any(pattern.search(text) for text in haystacks):
            rows.append(row)
    limit = _int(request.query_params.get("limit"), 0)
    if limit > 0:
        rows = rows[:limit]
    return _ok("Folders searched successfully", _folders_json(rows, org))


def _subfolders(folder_id: str, recursive: bool) -> list:
    if recursive:
        ids = _descendant_ids([folder_id])[1:]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return db.conn().execute(f"SELECT * FROM kh_folders WHERE id IN ({marks})", ids).fetchall()  # noqa: S608
    return db.conn().execute("SELECT * FROM kh_folders WHERE parent_folder_id = ?", (folder_id,)).fetchall()


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


async def folder_get(request: Request) -> JSONResponse:
    org = _org(request)
    row = _folder_row(request.path_params["folder_id"], org)
    if row is None:
        return _fail("Folder not found", 404)
    recursive = _truthy(request.query_params.get("recursive"))
    counts = _recursive_counts(org)
    data = {
        "folder": _folder_json(row, counts.get(row["id"], 0)),
        "subfolders": [_folder_json(sub, counts.get(sub["id"], 0)) for sub in _subfolders(row["id"], recursive)],
        "recursive": recursive,
    }
    return _ok("Folder retrieved successfully", data)


FILE_SORTS = {"name", "created_at", "updated_at", "file_size", "file_type"}


async def folder_contents(request: Request) -> JSONResponse:
    org = _org(request)
    row = _folder_row(request.path_params["folder_id"], org)
    if row is None:
        return _fail("Folder not found", 404)
    params = request.query_params
    recursive = _truthy(params.get("recursive"))
    query = params.get("q") or None
    counts = _recursive_counts(org)
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
            return _crash(f"Invalid regular expression: {exc}")
        files = [file for file in files if pattern.search(file["name"])]
    skip = max(0, _int(params.get("skip"), 0))
    limit = _int(params.get("limit"), 0) or None
    page = files[skip : skip + limit] if limit else files[skip:]
    total_pages = max(1, -(-len(files) // limit)) if limit else 1
    data = {
        "folder": _folder_json(row, counts.get(row["id"], 0)),
        "subfolders": [_folder_json(sub, counts.get(sub["id"], 0)) for sub in subfolders],
        "files": [_file_json(file, request) for file in page],
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
    return _ok("Folder contents retrieved successfully", data)


def _subfolders_payload(folder_ids: list[str], org: str, recursive: bool) -> dict | JSONResponse:
    for folder_id in folder_ids:
        if not FOLDER_ID.match(folder_id):
            return _fail(f"Invalid folder ID format: {folder_id}", 400)
    counts = _recursive_counts(org)
    folders = [row for row in (_folder_row(fid, org) for fid in folder_ids) if row is not None]
    subs = [sub for row in folders for sub in _subfolders(row["id"], recursive)]
    return {
        "folder": _folder_json(folders[0], counts.get(folders[0]["id"], 0)) if len(folders) == 1 else None,
        "subfolders": [_folder_json(sub, counts.get(sub["id"], 0)) for sub in subs],
        "total_subfolders": len(subs),
        "total_files": sum(counts.get(row["id"], 0) for row in folders),
        "recursive": recursive,
    }


async def folder_subfolders(request: Request) -> JSONResponse:
    org = _org(request)
    folder_id = request.path_params["folder_id"]
    payload = _subfolders_payload([folder_id], org, _truthy(request.query_params.get("recursive")))
    if isinstance(payload, JSONResponse):
        return payload
    if payload["folder"] is None:
        return _fail("Folder not found", 404)
    return _ok("Subfolders retrieved successfully", payload)


async def folder_subfolders_many(request: Request) -> JSONResponse:
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        return _fail("ids array is required and must not be empty", 400)
    payload = _subfolders_payload([str(fid) for fid in ids], _org(request), bool(body.get("recursive")))
    if isinstance(payload, JSONResponse):
        return payload
    return _ok("Subfolders retrieved successfully", payload)


async def folder_update(request: Request) -> JSONResponse:
    org = _org(request)
    row = _folder_row(request.path_params["folder_id"], org)
    if row is None:
        return _fail("Folder not found", 404)
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    changes = {column: _column_value(column, body[column]) for column in FOLDER_COLUMNS if column in body}
    if "name" in changes:
        if not isinstance(body["name"], str) or not body["name"]:
            return _crash("Failed to update folder: name must be a non-empty string")
        parent = row["parent_folder_id"]
        parent_row = None if parent == "root" else _folder_row(parent)
        base = parent_row["path"].rstrip("/") if parent_row is not None else ""
        changes["path"] = f"{base}/{body['name']}"
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        db.conn().execute(
            f"UPDATE kh_folders SET {assignments} WHERE id = ?",  # noqa: S608
            [*changes.values(), row["id"]],
        )
    return _ok("Folder updated successfully", _folder_json(_folder_row(row["id"])))


async def folder_sync(request: Request) -> JSONResponse:
    org = _org(request)
    row = _folder_row(request.path_params["folder_id"], org)
    if row is None:
        return _fail("Folder not found", 404)
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    if not isinstance(body.get("is_sync_enabled"), bool):
        return _fail("is_sync_enabled must be a boolean", 400)
    db.conn().execute(
        "UPDATE kh_folders SET is_sync_enabled = ?, updated_at = ? WHERE id = ?",
        (1 if body["is_sync_enabled"] else 0, db.now_iso(), row["id"]),
    )
    return _ok("Folder sync updated successfully", _folder_json(_folder_row(row["id"])))


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


def _remove_stored(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def folder_delete(request: Request) -> JSONResponse:
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        return _fail("ids array is required and must not be empty", 400)
    org = _org(request)
    roots = [row["id"] for row in (_folder_row(str(fid), org) for fid in ids) if row is not None]
    all_ids = _descendant_ids(roots)
    stored: list[Path] = []
    if all_ids:
        marks = ",".join("?" * len(all_ids))
        files = db.conn().execute(f"SELECT id FROM kh_files WHERE folder_id IN ({marks})", all_ids).fetchall()  # noqa: S608
        stored = [_stored_path(request.app.state.config, file["id"]) for file in files]
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
        await asyncio.to_thread(_remove_stored, stored)
    return _ok(f"{len(roots)} folders deleted successfully", {"deletedCount": len(roots)})


# ---------------------------------------------------------------------------
# Files


def _stored_path(config: Config, file_id: str) -> Path:
    return config.files_dir / "knowledge" / file_id


def _file_row(file_id: str, organization_id: str):
    row = db.conn().execute("SELECT * FROM kh_files WHERE id = ?", (file_id,)).fetchone()
    if row is None or row["organization_id"] != organization_id:
        return None
    return row


def _file_json(row, request: Request | None = None) -> dict:
    data = {
        "_id": row["id"],
        "id": row["id"],
        "name": row["name"],
        "organization_id": row["organization_id"],
        "folder_id": row["folder_id"],
        "source_type": row["source_type"],
        "external_id": row["external_id"],
        "external_source": row["external_source"],
        "synced": bool(row["synced"]),
        "last_sync_at": row["last_sync_at"],
        "key": row["key"],
        "file_type": row["file_type"],
        "file_size": row["file_size"],
        "tags": db.loads(row["tags"]) or [],
        "remarks": row["remarks"],
        "last_updated_by_display_name": row["last_updated_by_display_name"],
        "last_updated_by_email": row["last_updated_by_email"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if request is not None:
        base = str(request.base_url).rstrip("/")
        prefix = "/v1/data-board" if request.url.path.startswith("/v1/data-board") else "/data-board"
        data["presigned_url"] = f"{base}{prefix}/files/{row['id']}/download"
    return data


def _parse_tags(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(tag) for tag in value]
    text = str(value).strip()
    if text.startswith("["):
        with contextlib.suppress(json.JSONDecodeError):
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [str(tag) for tag in parsed]
    return [part.strip() for part in text.split(",") if part.strip()]


class _HTMLText(html.parser.HTMLParser):
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        elif tag in {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "tr"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def extract_text(path: Path, name: str) -> str | None:
    """The readable text of a text-like file, or None. Runs in a worker thread."""
    suffix = Path(name).suffix.lower()
    if suffix not in TEXT_EXTENSIONS or path.stat().st_size > TEXT_EXTRACT_MAX_BYTES:
        return None
    try:
        if suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
            if suffix in (".html", ".htm"):
                parser = _HTMLText()
                parser.feed(text)
                text = "".join(parser.parts)
    except Exception:  # a damaged document is stored but has no text
        logger.warning("could not extract text from %s", name, exc_info=True)
        return None
    text = re.sub(r"[ \t]+\n", "\n", text).strip()
    return text[:TEXT_MAX_CHARS] or None


def _mime_type(name: str, declared: str) -> str:
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(name)[0] or declared or "application/octet-stream"


class _Part:
    __slots__ = ("content_type", "data", "field_name", "filename", "handle", "headers", "path", "size")

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.field_name = ""
        self.filename: str | None = None
        self.content_type = ""
        self.data = bytearray()
        self.handle: io.BufferedWriter | None = None
        self.path: Path | None = None
        self.size = 0


class UploadTooLarge(Exception):
    pass


class _StreamedForm:
    """Parse a multipart body as it arrives, writing file parts straight to disk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fields: dict[str, str] = {}
        self.files: list[_Part] = []
        self._part: _Part | None = None
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._events: list[tuple[str, Any]] = []

    async def parse(self, request: Request) -> None:
        _, params = parse_options_header(request.headers.get("content-type", ""))
        boundary = params.get(b"boundary")
        if not boundary:
            raise ValueError("Missing boundary in multipart.")
        events = self._events

        def on_part_begin() -> None:
            events.append(("begin", None))

        def on_part_data(data: bytes, start: int, end: int) -> None:
            events.append(("data", data[start:end]))

        def on_part_end() -> None:
            events.append(("end", None))

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._header_field += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._header_value += data[start:end]

        def on_header_end() -> None:
            events.append(("header", (bytes(self._header_field).lower(), bytes(self._header_value))))
            self._header_field.clear()
            self._header_value.clear()

        def on_headers_finished() -> None:
            events.append(("headers_done", None))

        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": on_part_begin,
                "on_part_data": on_part_data,
                "on_part_end": on_part_end,
                "on_header_field": on_header_field,
                "on_header_value": on_header_value,
                "on_header_end": on_header_end,
                "on_headers_finished": on_headers_finished,
            },
        )
        try:
            async for chunk in request.stream():
                parser.write(chunk)
                await self._drain()
            parser.finalize()
            await self._drain()
        except BaseException:
            await asyncio.to_thread(self.discard)
            raise

    async def _drain(self) -> None:
        events = self._events[:]
        self._events.clear()
        for kind, value in events:
            if kind == "begin":
                if len(self.files) + len(self.fields) >= MAX_PARTS:
                    raise ValueError("Too many parts")
                self._part = _Part()
            elif kind == "header" and self._part is not None:
                self._part.headers.append(value)
            elif kind == "headers_done" and self._part is not None:
                await self._start_part(self._part)
            elif kind == "data" and self._part is not None:
                await self._part_data(self._part, value)
            elif kind == "end" and self._part is not None:
                await self._end_part(self._part)
                self._part = None

    async def _start_part(self, part: _Part) -> None:
        for name, value in part.headers:
            if name == b"content-disposition":
                _, options = parse_options_header(value)
                part.field_name = options.get(b"name", b"").decode("utf-8", errors="replace")
                if b"filename" in options:
                    part.filename = options[b"filename"].decode("utf-8", errors="replace")
            elif name == b"content-type":
                part.content_type = value.decode("latin-1").strip()
        if part.filename is not None:
            part.path = self.directory / f".upload-{uuid.uuid4().hex}"
            part.handle = await asyncio.to_thread(part.path.open, "wb")
            self.files.append(part)

    async def _part_data(self, part: _Part, data: bytes) -> None:
        part.data += data
        part.size += len(data)
        if part.handle is None and len(part.data) > MAX_FIELD_BYTES:
            raise UploadTooLarge(part.field_name)
        if part.handle is not None and len(part.data) >= WRITE_BATCH:
            await self._flush(part)

    async def _flush(self, part: _Part) -> None:
        chunk, part.data = bytes(part.data), bytearray()
        if chunk:
            await asyncio.to_thread(part.handle.write, chunk)

    async def _end_part(self, part: _Part) -> None:
        if part.handle is not None:
            await self._flush(part)
            await asyncio.to_thread(part.handle.close)
            part.handle = None
        else:
            self.fields[part.field_name] = part.data.decode("utf-8", errors="replace")

    def discard(self) -> None:
        for part in self.files:
            if part.handle is not None:
                part.handle.close()
            if part.path is not None:
                part.path.unlink(missing_ok=True)


def _is_valid_folder_id(value: str) -> bool:
    return bool(FOLDER_ID.match(value))


def _uploader(fields: dict[str, str]) -> tuple[str | None, str | None]:
    raw = fields.get("last_updated_by")
    if not raw:
        return None, None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return raw, None
    if not isinstance(value, dict):
        return str(value), None
    name = value.get("display_name") or value.get("name") or value.get("username")
    return (str(name) if name else None), (str(value["email"]) if value.get("email") else None)


def _ensure_upload_folder(org: str, folder_id: str, folder_name: str | None) -> tuple[Any, JSONResponse | None]:
    row = _folder_row(folder_id)
    if row is None:
        folder_insert(
            {
                "_id": folder_id,
                "name": folder_name or folder_id,
                "organization_id": org,
                "parent_folder_id": "root",
                "source_type": "upload",
            }
        )
        row = _folder_row(folder_id)
    elif row["organization_id"] != org:
        return None, _fail("Folder not found", 404)
    return row, None


def _insert_file(*, org: str, folder_id: str, name: str, file_type: str, size: int, fields: dict[str, str]) -> str:
    file_id = db.new_uuid()
    now = db.now_iso()
    display_name, email = _uploader(fields)
    db.conn().execute(
        """INSERT INTO kh_files (id, organization_id, folder_id, name, source_type, key, file_type, file_size, tags,
               remarks, last_updated_by_display_name, last_updated_by_email, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            file_id,
            org,
            folder_id,
            name,
            fields.get("source_type") or "upload",
            f"knowledge/{org}/{folder_id}/{file_id}/{name}",
            file_type,
            size,
            db.dumps(_parse_tags(fields.get("tags"))),
            fields.get("remarks") or None,
            display_name,
            email,
            now,
            now,
        ),
    )
    return file_id


async def file_upload(request: Request) -> JSONResponse:
    config: Config = request.app.state.config
    org = _org(request)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        return await _file_upload_json(request, org)
    if "multipart/form-data" not in content_type:
        return _fail("No file uploaded", 400)
    directory = config.files_dir / "knowledge"
    directory.mkdir(parents=True, exist_ok=True)
    form = _StreamedForm(directory)
    try:
        await form.parse(request)
    except ClientDisconnect:
        return _fail("Upload aborted", 400)
    except UploadTooLarge:
        return _crash("Field value too large")
    except ValueError as exc:
        return _crash(f"Failed to parse multipart body: {exc}")
    moved = False
    try:
        folder_id = (form.fields.get("folder_id") or "").strip()
        if not folder_id:
            return _fail("folder_id is required", 400)
        if not _is_valid_folder_id(folder_id):
            return _fail("folder_id is not a valid id", 400)
        if not form.files:
            return _fail("No file uploaded", 400)
        folder, error = _ensure_upload_folder(org, folder_id, form.fields.get("folder_name"))
        if error is not None:
            return error
        created = []
        for part in form.files:
            name = Path(part.filename or "").name or "untitled"
            file_id = _insert_file(
                org=org,
                folder_id=folder["id"],
                name=name,
                file_type=_mime_type(name, part.content_type),
                size=part.size,
                fields=form.fields,
            )
            target = _stored_path(config, file_id)
            await asyncio.to_thread(part.path.replace, target)
            part.path = None
            text = await asyncio.to_thread(extract_text, target, name)
            if text:
                db.conn().execute("UPDATE kh_files SET text_content = ? WHERE id = ?", (text, file_id))
            created.append(_file_json(_file_row(file_id, org)))
        moved = True
    finally:
        if not moved:
            await asyncio.to_thread(form.discard)
    data: Any = created[0] if len(created) == 1 else created
    return _ok(f"{len(created)} file(s) uploaded successfully", data, 201)


async def _file_upload_json(request: Request, org: str) -> JSONResponse:
    """JSON mode (``file_url``): the local gateway has no file service to fetch from."""
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    if isinstance(body.get("data"), dict):
        body = body["data"]
    folder_id = str(body.get("folder_id") or "").strip()
    if not folder_id:
        return _fail("folder_id is required", 400)
    if not _is_valid_folder_id(folder_id):
        return _fail("folder_id is not a valid id", 400)
    return _fail("No file uploaded", 400)


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
    return _ok("Files retrieved successfully", [_file_json(row) for row in rows])


async def file_search(request: Request) -> JSONResponse:
    """Names matched as a case-insensitive regex across the org; ``folder_id`` is ignored.

    See docs/contract/data-board.md#knowledge-files.
    """
    org = _org(request)
    query = request.query_params.get("q") or ""
    try:
        pattern = re.compile(query, re.IGNORECASE)
    except re.error as exc:
        return _crash(f"Invalid regular expression: {exc}")
    rows = (
        db.conn()
        .execute("SELECT * FROM kh_files WHERE organization_id = ? ORDER BY created_at DESC, id", (org,))
        .fetchall()
    )
    matches = [row for row in rows if pattern.search(row["name"])]
    limit = _int(request.query_params.get("limit"), 0)
    if limit > 0:
        matches = matches[:limit]
    return _ok("Files searched successfully", [_file_json(row) for row in matches])


async def file_get(request: Request) -> JSONResponse:
    row = _file_row(request.path_params["file_id"], _org(request))
    if row is None:
        return _fail("File not found", 404)
    return _ok("File retrieved successfully", _file_json(row, request))


async def file_download(request: Request) -> JSONResponse | FileResponse:
    config: Config = request.app.state.config
    row = _file_row(request.path_params["file_id"], _org(request))
    if row is None:
        return _fail("File not found", 404)
    path = _stored_path(config, row["id"])
    if not path.exists():
        return _fail("File not found", 404)
    return FileResponse(
        path,
        media_type=row["file_type"] or "application/octet-stream",
        filename=row["name"],
        content_disposition_type="attachment",
    )


async def file_update(request: Request) -> JSONResponse:
    org = _org(request)
    row = _file_row(request.path_params["file_id"], org)
    if row is None:
        return _fail("File not found", 404)
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    changes: dict[str, Any] = {}
    if isinstance(body.get("name"), str) and body["name"].strip():
        changes["name"] = body["name"].strip()
    if "tags" in body:
        changes["tags"] = db.dumps(_parse_tags(body["tags"]))
    if "remarks" in body:
        changes["remarks"] = body["remarks"]
    if changes:
        changes["updated_at"] = db.now_iso()
        assignments = ", ".join(f"{column} = ?" for column in changes)
        db.conn().execute(
            f"UPDATE kh_files SET {assignments} WHERE id = ?",  # noqa: S608
            [*changes.values(), row["id"]],
        )
    return _ok("File updated successfully", _file_json(_file_row(row["id"], org)))


async def file_delete(request: Request) -> JSONResponse:
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        return _fail("ids array is required and must not be empty", 400)
    org = _org(request)
    rows = [row for row in (_file_row(str(fid), org) for fid in ids) if row is not None]
    if rows:
        marks = ",".join("?" * len(rows))
        db.conn().execute(f"DELETE FROM kh_files WHERE id IN ({marks})", [row["id"] for row in rows])  # noqa: S608
        config: Config = request.app.state.config
        await asyncio.to_thread(_remove_stored, [_stored_path(config, row["id"]) for row in rows])
    return _ok(f"{len(rows)} files deleted successfully", {"deletedCount": len(rows)})


def routes(config: Config) -> list[BaseRoute]:
    return under(
        DATA_BOARD,
        [
            ("/folders", folder_create, ["POST"]),
            ("/folders", folder_list, ["GET"]),
            ("/folders/search", folder_search, ["GET"]),
            ("/folders/delete", folder_delete, ["POST"]),
            ("/folders/subfolders", folder_subfolders_many, ["POST"]),
            ("/folders/{folder_id}", folder_get, ["GET"]),
            ("/folders/{folder_id}", folder_update, ["PUT"]),
            ("/folders/{folder_id}/contents", folder_contents, ["GET"]),
            ("/folders/{folder_id}/subfolders", folder_subfolders, ["GET"]),
            ("/folders/{folder_id}/sync", folder_sync, ["PATCH"]),
            ("/files/upload", file_upload, ["POST"]),
            ("/files", file_list, ["GET"]),
            ("/files/search", file_search, ["GET"]),
            ("/files/delete", file_delete, ["POST"]),
            ("/files/{file_id}", file_get, ["GET"]),
            ("/files/{file_id}", file_update, ["PUT"]),
            ("/files/{file_id}/download", file_download, ["GET"]),
        ],
    )


# ---------------------------------------------------------------------------
# For other domains (interfaces.md)


def folder_passages(organization_id: str, folder_ids: list[str]) -> list[tuple[str, str]]:
    """(file name, extracted text) of every text-bearing file in the folders, subfolders included."""
    roots = [fid for fid in folder_ids if _folder_row(fid, organization_id) is not None]
    ids = _descendant_ids(roots)
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = (
        db.conn()
        .execute(
            f"""SELECT name, text_content FROM kh_files
            WHERE organization_id = ? AND folder_id IN ({marks}) AND text_content IS NOT NULL
            ORDER BY name, id""",  # noqa: S608
            [organization_id, *ids],
        )
        .fetchall()
    )
    return [(row["name"], row["text_content"]) for row in rows]


# ---------------------------------------------------------------------------
# Demo data

SEED_DIR = Path(__file__).resolve().parent / "knowledge_seed"
SEED_FOLDER = "Product Documentation"
SEED_SUBFOLDER = "Policies"
SEED_FILES = {
    SEED_FOLDER: ["pricing.md", "shipping-faq.md"],
    SEED_SUBFOLDER: ["returns-policy.md", "warranty.txt"],
}


def seed(config: Config) -> None:
    """The "Product Documentation" folder, a "Policies" subfolder and four documents."""
    org = config.organization_id
    exists = (
        db.conn()
        .execute(
            "SELECT 1 FROM kh_folders WHERE organization_id = ? AND name = ? AND parent_folder_id = 'root'",
            (org, SEED_FOLDER),
        )
        .fetchone()
    )
    if exists:
        return
    top = folder_insert(
        {
            "name": SEED_FOLDER,
            "organization_id": org,
            "parent_folder_id": "root",
            "source_type": "upload",
            "description": "Pricing, shipping, returns and warranty: what the support assistant answers from.",
            "tags": ["docs", "support"],
        }
    )
    sub = folder_insert(
        {"name": SEED_SUBFOLDER, "organization_id": org, "parent_folder_id": top["id"], "source_type": "upload"}
    )
    directory = config.files_dir / "knowledge"
    directory.mkdir(parents=True, exist_ok=True)
    uploader = db.dumps({"display_name": "Local Admin", "email": config.user_email})
    for folder in (top, sub):
        for name in SEED_FILES[folder["name"]]:
            source = SEED_DIR / name
            file_id = _insert_file(
                org=org,
                folder_id=folder["id"],
                name=name,
                file_type=_mime_type(name, ""),
                size=source.stat().st_size,
                fields={"last_updated_by": uploader},
            )
            shutil.copyfile(source, _stored_path(config, file_id))
            db.conn().execute(
                "UPDATE kh_files SET text_content = ? WHERE id = ?", (extract_text(source, name), file_id)
            )
