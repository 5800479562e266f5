"""Folders in SQLite: the tree under ``"root"``, file counts and the folder JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ... import db
from .schema import FOLDER_COLUMNS, REQUIRED_FOLDER_COLUMNS


def folder_rows(organization_id: str) -> list:
    return db.conn().execute("SELECT * FROM kh_folders WHERE organization_id = ?", (organization_id,)).fetchall()


def folder_row(folder_id: str, organization_id: str | None = None):
    row = db.conn().execute("SELECT * FROM kh_folders WHERE id = ?", (folder_id,)).fetchone()
    if row is None or (organization_id is not None and row["organization_id"] != organization_id):
        return None
    return row


def descendant_ids(folder_ids: Iterable[str]) -> list[str]:
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


def recursive_counts(organization_id: str) -> dict[str, int]:
    """file_count per folder, files of every subfolder included."""
    folders = folder_rows(organization_id)
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


def folder_json(row, file_count: int | None = None) -> dict:
    if file_count is None:
        file_count = recursive_counts(row["organization_id"]).get(row["id"], 0)
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


def folders_json(rows, organization_id: str) -> list[dict]:
    counts = recursive_counts(organization_id)
    return [folder_json(row, counts.get(row["id"], 0)) for row in rows]


def column_value(column: str, value: Any) -> Any:
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
        parent_row = folder_row(parent)
        if parent_row is None:
            raise LookupError(parent)
        path = parent_row["path"].rstrip("/") + "/" + str(body["name"])
    now = db.now_iso()
    folder_id = str(body.get("_id") or body.get("id") or db.new_uuid())
    values = {column: column_value(column, body.get(column)) for column in FOLDER_COLUMNS}
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
    return folder_json(folder_row(folder_id))
