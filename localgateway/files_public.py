"""The gateway's public file route: ``GET /files/download/<urlencoded key>``, served without credentials.

The real gateway mounts it before any auth middleware and proxies it to the file service's
``GET /api/files/download/{key}``, which streams the object inline, or as an attachment with
``?download=true`` [GW ``src/server/public/index.ts``, ``routers/files-public.ts``; FS
``src/presentation/controllers/file.controller.ts``]. data-board's ``GET /files/:id`` hands out this
URL as ``presigned_url``: it is not signed and never expires (docs/contract/data-board.md#knowledge-files).

Here a key names either a Knowledge Hub file (``kh_files.key``) or an object stored by
``POST /data-board/boards/_fileupload``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from . import db
from .config import Config
from .errors import ApiError

PREFIX = "/files/download/"


def _resolve(config: Config, key: str) -> tuple[Path, str, str] | None:
    """(path on disk, file name, media type) for a key, or None."""
    row = db.conn().execute("SELECT id, name, file_type FROM kh_files WHERE key = ?", (key,)).fetchone()
    if row is not None:
        path = config.files_dir / "knowledge" / row["id"]
        return (path, row["name"], row["file_type"] or "application/octet-stream") if path.is_file() else None
    root = (config.files_dir / "uploads").resolve()
    path = (root / key).resolve()
    if root in path.parents and path.is_file():
        return path, path.name.split("_", 1)[-1], "application/octet-stream"
    return None


async def download(request: Request) -> Response:
    key = unquote(request.path_params["key"])
    found = _resolve(request.app.state.config, key)
    if found is None:
        raise ApiError(404, {"success": False, "message": "File not found"})
    path, name, media_type = found
    disposition = "attachment" if request.query_params.get("download") == "true" else "inline"
    return FileResponse(path, media_type=media_type, filename=name, content_disposition_type=disposition)


def routes() -> list[Route]:
    return [Route(PREFIX + "{key:path}", download, methods=["GET"])]
