"""CSV import by URL (``POST /boards/:id/import_csv``), its per-user progress, and the board file upload.

As data-board does it [DB ``src/presentation/controllers/board.controller.ts``, import_csv and
import_progress; docs/contract/data-board.md#csv-import]:

- the body is JSON ``{fileUrl, mappings: [{csvHeader, boardFieldId, boardFieldName}]}``; the server
  fetches ``fileUrl`` itself (here: a file uploaded through ``POST /boards/_fileupload`` or the public
  ``/files/download/<key>`` route is read from the local store, any other http(s) URL is fetched);
- the POST is synchronous: it answers after every 500-row batch is written. Progress is readable
  meanwhile from ``GET /boards/:id/import_progress``, keyed by board and the gateway's user id
  (``system`` when there is none, which nobody can then read: the GET answers 401 without a user);
  the entry lives an hour and is deleted by the first read that sees it completed;
- ``boardFieldName`` must equal the field's current name, case-sensitively; the identifier field
  must be mapped; failed rows are only counted.

``LOCALGATEWAY_IMPORT_BATCH_DELAY`` (seconds, default 0) pauses after each batch so that tests can
watch progress move, or let the gateway's idle timeout (faults.py) cut the reply mid-import.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import db
from ...errors import ApiError
from .item_store import insert_item, transaction
from .schema import NOTES_PLACEHOLDER
from .store import _field_id, flag, require_board
from .validation import org
from .values import parse_date

BATCH_SIZE = 500
PROGRESS_TTL = 3600.0
CREATED_HEADERS = {"record created on", "created_at"}
UPDATED_HEADERS = {"lasted updated on", "last updated on", "updated_at"}
PUBLIC_DOWNLOAD = "/files/download/"

# (board id, user id) -> (expires at, progress body)
_progress: dict[tuple[str, str], tuple[float, dict]] = {}


def _status_error(status: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status, {"status": "error", "message": message, **extra})


def upload_dir(request: Request) -> Path:
    return request.app.state.config.files_dir / "uploads"


def public_url(request: Request, key: str) -> str:
    """Where the gateway serves a stored object without credentials (docs/contract/data-board.md#knowledge-files)."""
    return f"{str(request.base_url).rstrip('/')}{PUBLIC_DOWNLOAD}{quote(key, safe='')}"


async def file_upload(request: Request) -> Response:
    """``POST /boards/_fileupload``: any one multipart file part, stored; answers ``{"url"}``."""
    form = await request.form()
    upload = next((value for value in form.values() if hasattr(value, "filename")), None)
    if upload is None:
        raise ApiError(400, {"error": "No file uploaded"})
    name = Path(upload.filename or "file").name or "file"
    key = f"board/{org(request)}/{uuid.uuid4().hex[:12]}_{name}"
    target = upload_dir(request) / key
    data = await upload.read()
    await asyncio.to_thread(_write, target, data)
    return JSONResponse({"url": public_url(request, key)})


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


async def _fetch(request: Request, url: str) -> str:
    parts = urlsplit(url)
    if parts.path.startswith(PUBLIC_DOWNLOAD) and parts.netloc == request.url.netloc:
        key = unquote(parts.path[len(PUBLIC_DOWNLOAD) :])
        path = (upload_dir(request) / key).resolve()
        if upload_dir(request).resolve() in path.parents and path.is_file():
            return (await asyncio.to_thread(path.read_bytes)).decode("utf-8", errors="replace")
        from ..knowledge.file_store import stored_path

        row = db.conn().execute("SELECT id FROM kh_files WHERE key = ?", (key,)).fetchone()
        if row is not None and stored_path(request.app.state.config, row["id"]).is_file():
            data = await asyncio.to_thread(stored_path(request.app.state.config, row["id"]).read_bytes)
            return data.decode("utf-8", errors="replace")
        raise _status_error(400, "Failed to fetch file: HTTP 404")
    if parts.scheme not in ("http", "https"):
        raise _status_error(500, f"Failed to fetch file: unsupported URL {url}")
    try:
        data = await asyncio.to_thread(_download, url)
    except urllib.error.HTTPError as exc:
        raise _status_error(400, f"Failed to fetch file: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise _status_error(500, f"Failed to fetch file: {exc}") from exc
    return data.decode("utf-8", errors="replace")


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (scheme checked above)
        return response.read()


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return [], []
    delimiter = max((",", ";", "\t", "|"), key=lines[0].count)
    parsed = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [cell.strip() for cell in parsed[0]]
    return header, [[cell.strip() for cell in row] for row in parsed[1:]]


def _check_mappings(board: Any, mappings: list) -> dict[str, str]:
    """``csvHeader -> field id`` once every mapping names a field by its id and exact current name."""
    fields = {_field_id(field): field for field in db.loads(board["fields"]) or []}
    invalid, by_header = [], {}
    for mapping in mappings:
        mapping = mapping if isinstance(mapping, dict) else {}
        field = fields.get(str(mapping.get("boardFieldId") or ""))
        if field is None or field.get("name") != mapping.get("boardFieldName"):
            invalid.append({"csvHeader": mapping.get("csvHeader"), "boardFieldName": mapping.get("boardFieldName")})
        else:
            by_header[str(mapping.get("csvHeader") or "").strip()] = _field_id(field)
    if invalid:
        raise _status_error(400, "Invalid field mappings", invalidMappings=invalid)
    for field_id, field in fields.items():
        if flag(field, "isIdentifier") and field_id not in by_header.values():
            required = {"boardFieldId": field_id, "boardFieldName": field.get("name")}
            raise _status_error(400, "Identifier field is required in mappings", requiredField=required)
    return by_header


def _stamp(text: str) -> str | None:
    moment = parse_date(text)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment else None


def _set_progress(board_id: str, user_id: str, body: dict) -> None:
    _progress[(board_id, user_id)] = (time.monotonic() + PROGRESS_TTL, body)


def _progress_body(status: str, total: int, success: int, failed: int) -> dict:
    processed = success + failed
    percentage = round(processed * 100 / total) if total else 100
    return {
        "status": status,
        "total": total,
        "processed": processed,
        "success": success,
        "failed": failed,
        "percentage": percentage,
    }


async def import_csv(request: Request) -> Response:
    try:
        body = await request.json()
    except ValueError as exc:
        raise _status_error(500, str(exc)) from exc
    body = body if isinstance(body, dict) else {}
    file_url, mappings = body.get("fileUrl"), body.get("mappings")
    if not file_url or not mappings or not isinstance(mappings, list):
        raise _status_error(400, "fileUrl and mappings are required")
    board = require_board(org(request), request.path_params["board_id"])
    by_header = _check_mappings(board, mappings)
    header, rows = _rows(await _fetch(request, str(file_url)))
    user_id = request.state.identity.user_id or "system"
    success = failed = 0
    _set_progress(board["id"], user_id, _progress_body("processing", len(rows), 0, 0))
    delay = float(os.environ.get("LOCALGATEWAY_IMPORT_BATCH_DELAY", "0"))
    for start in range(0, len(rows), BATCH_SIZE):
        for row in rows[start : start + BATCH_SIZE]:
            if _import_row(board, header, row, by_header, user_id):
                success += 1
            else:
                failed += 1
        _set_progress(board["id"], user_id, _progress_body("processing", len(rows), success, failed))
        await asyncio.sleep(delay)
    _set_progress(board["id"], user_id, _progress_body("completed", len(rows), success, failed))
    results = {"total": len(rows), "successful": success, "failed": failed, "skipped": 0}
    return JSONResponse({"status": "success", "message": "CSV import completed", "results": results})


def _import_row(board: Any, header: list[str], row: list[str], by_header: dict[str, str], user_id: str) -> bool:
    columns = list(header)
    if len(row) == len(header) + 2:
        columns += ["created_at", "updated_at"]
    values, created, updated = {}, None, None
    for column, cell in zip(columns, row, strict=False):
        lowered = column.lower()
        if lowered in CREATED_HEADERS:
            created = _stamp(cell)
        elif lowered in UPDATED_HEADERS:
            updated = _stamp(cell)
        elif column in by_header and cell != "" and cell != NOTES_PLACEHOLDER:
            values[by_header[column]] = cell
    try:
        with transaction() as conn:
            item = insert_item(board, {"fields": values, "created_type": "import"}, now=created)
            conn.execute(
                "UPDATE board_items SET created_by = ?, updated_at = COALESCE(?, updated_at) WHERE seq = ?",
                (user_id, updated, item["seq"]),
            )
    except ApiError:
        return False
    return True


async def import_progress(request: Request) -> Response:
    user_id = request.state.identity.user_id
    if not user_id:
        raise ApiError(401, {"error": "User ID required"})
    key = (request.path_params["board_id"], user_id)
    expires, body = _progress.get(key, (0.0, None))
    if body is None or expires < time.monotonic():
        _progress.pop(key, None)
        return JSONResponse({"status": "not_found", "message": "No active import found"})
    if body["status"] == "completed":
        del _progress[key]
    return JSONResponse(body)
