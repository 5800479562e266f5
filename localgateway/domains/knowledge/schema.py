"""Knowledge Hub tables (folders, files with their extracted text) and limits."""

from __future__ import annotations

import re

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
