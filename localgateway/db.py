"""SQLite persistence for the local gateway.

One connection per process, WAL mode, autocommit off: each domain module
declares its own tables in a ``SCHEMA`` string and uses plain SQL. The
queries are small and local, so they run inline on the event loop.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

_connection: sqlite3.Connection | None = None


def connect(path: Path, schemas: Iterable[str]) -> sqlite3.Connection:
    global _connection
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    for schema in schemas:
        conn.executescript(schema)
    _connection = conn
    return conn


def conn() -> sqlite3.Connection:
    if _connection is None:
        raise RuntimeError("localgateway database is not connected")
    return _connection


def now_iso() -> str:
    """ISO-8601 UTC with milliseconds and a Z, as the Node services print it."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def new_uuid() -> str:
    return str(uuid.uuid4())


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | None) -> object:
    return None if text is None else json.loads(text)
