"""Requests leave nothing behind in the console process (``ConsoleASGIHandler`` in ``imbrace_console.fastpath.asgi``).

Async views share one sync thread and its one database connection; a sync view
(Django's log-in page) runs in a thread of its own, whose connection is closed
with the request. Over real HTTP through uvicorn, so the handler is the deployed one.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import httpx
import psutil
import pytest

from tests.console.assistants.test_chat_relay import login_http
from tests.fastpath import fastpath_only
from tests.support import start_live_console

pytestmark = fastpath_only

ROUNDS = 30


@pytest.fixture(scope="module")
def warning_console(localgateway, tmp_path_factory):
    """A console of its own that logs every ResourceWarning (an unclosed SQLite connection gives one)."""
    warnings = {"PYTHONWARNINGS": "always::ResourceWarning"}
    console = start_live_console(tmp_path_factory.mktemp("warning-console"), localgateway, extra_env=warnings)
    yield console
    console.stop()


def _database_handles(process: psutil.Process, database: str) -> int:
    """Open files of the console's SQLite database (the file itself, not its -wal/-shm companions)."""
    return sum(1 for handle in process.open_files() if handle.path == database)


def test_requests_leave_no_threads_or_database_connections_behind(warning_console):
    console = psutil.Process(warning_console.process.pid)
    database = str(Path(warning_console.env["CONSOLE_DB_PATH"]).resolve())
    with closing(login_http(warning_console)) as client, httpx.Client(base_url=warning_console.url) as anonymous:
        for page in ("/", "/assistants/", "/audit/"):  # warm up: the shared thread and its connection exist
            assert client.get(page).status_code == 200
        threads, handles = console.num_threads(), _database_handles(console, database)
        assert handles >= 1, "the shared thread keeps its connection open between requests"
        for _ in range(ROUNDS):
            assert client.get("/").status_code == 200  # async views
            assert client.get("/audit/").status_code == 200
            assert anonymous.get("/login/").status_code == 200  # a sync view: a thread of its own
        assert console.num_threads() <= threads + 2, "threads of finished requests are gone"
        assert _database_handles(console, database) <= handles + 1, "their connections were closed"
    assert "unclosed database" not in warning_console.log_text(), "each was closed, not left to the garbage collector"
