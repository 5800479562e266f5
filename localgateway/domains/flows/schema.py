"""Activepieces' tables (the subset the stand-in keeps), its id format and fixed lists."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import string

SCHEMA = """
CREATE TABLE IF NOT EXISTS ap_projects (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ap_users (
    id TEXT PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ap_flows (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    display_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'DISABLED',
    published_version_id TEXT,
    metadata TEXT,
    operation_status TEXT NOT NULL DEFAULT 'NONE',
    folder_id TEXT,
    external_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ap_flows_by_project ON ap_flows (project_id, updated, id);
CREATE TABLE IF NOT EXISTS ap_flow_versions (
    id TEXT PRIMARY KEY,
    flow_id TEXT NOT NULL REFERENCES ap_flows (id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    display_name TEXT NOT NULL,
    trigger TEXT NOT NULL,
    valid INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_by TEXT
);
CREATE INDEX IF NOT EXISTS ap_flow_versions_by_flow ON ap_flow_versions (flow_id);
CREATE TABLE IF NOT EXISTS ap_flow_runs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    flow_id TEXT NOT NULL REFERENCES ap_flows (id) ON DELETE CASCADE,
    flow_version_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    status TEXT NOT NULL,
    environment TEXT NOT NULL,
    start_time TEXT,
    finish_time TEXT,
    duration INTEGER,
    failed_step TEXT,
    steps TEXT
);
CREATE INDEX IF NOT EXISTS ap_flow_runs_by_project ON ap_flow_runs (project_id, environment, created, id);
"""

PLATFORM_ID = "LocalSharedPlatform01"
_ALPHABET = string.ascii_letters + string.digits
AP_ID = re.compile(r"^[0-9a-zA-Z]{21}$")
ORG_ID = re.compile(r"^org_[A-Za-z0-9_-]{1,96}$")
FLOW_STATUSES = ("ENABLED", "DISABLED")
RUN_STATUSES = (
    "QUEUED",
    "RUNNING",
    "PAUSED",
    "SUCCEEDED",
    "FAILED",
    "TIMEOUT",
    "QUOTA_EXCEEDED",
    "MEMORY_LIMIT_EXCEEDED",
    "CANCELED",
    "INTERNAL_ERROR",
)
ACTION_TYPES = ("CODE", "PIECE", "LOOP_ON_ITEMS", "ROUTER", "MULTIPLE_CHOICE")
GRAPH_OPERATIONS = {"UPDATE_TRIGGER", "ADD_ACTION", "UPDATE_ACTION", "DELETE_ACTION", "SET_SKIP_ACTION"}
VERSION_OPERATIONS = GRAPH_OPERATIONS | {"CHANGE_NAME", "IMPORT_FLOW"}
FLOW_OPERATIONS = VERSION_OPERATIONS | {"UPDATE_METADATA", "CHANGE_FOLDER", "LOCK_AND_PUBLISH", "CHANGE_STATUS"}
FLOW_IN_USE_WINDOW = 60.0
DELETE_DELAY = 1.0
# How long an async run waits in QUEUED and then in RUNNING, as a queue worker would.
RUN_STAGE_DELAY = float(os.environ.get("LOCALGATEWAY_FLOW_RUN_DELAY", "1.0"))
_tasks: set[asyncio.Task] = set()


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(21))
