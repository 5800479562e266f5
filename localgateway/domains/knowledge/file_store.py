"""Files in SQLite and on disk: rows, JSON, stored paths, uploader and tags."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from starlette.requests import Request

from ... import db
from ...config import Config
from .folder_store import folder_insert, folder_row
from .responses import fail
from .schema import FOLDER_ID


def stored_path(config: Config, file_id: str) -> Path:
    return config.files_dir / "knowledge" / file_id


def file_row(file_id: str, organization_id: str):
    row = db.conn().execute("SELECT * FROM kh_files WHERE id = ?", (file_id,)).fetchone()
    if row is None or row["organization_id"] != organization_id:
        return None
    return row


def file_json(row, request: Request | None = None) -> dict:
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


def parse_tags(value: Any) -> list[str]:
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


def is_valid_folder_id(value: str) -> bool:
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


def ensure_upload_folder(org: str, folder_id: str, folder_name: str | None) -> Any:
    row = folder_row(folder_id)
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
        row = folder_row(folder_id)
    elif row["organization_id"] != org:
        raise fail("Folder not found", 404)
    return row


def insert_file(*, org: str, folder_id: str, name: str, file_type: str, size: int, fields: dict[str, str]) -> str:
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
            db.dumps(parse_tags(fields.get("tags"))),
            fields.get("remarks") or None,
            display_name,
            email,
            now,
            now,
        ),
    )
    return file_id
