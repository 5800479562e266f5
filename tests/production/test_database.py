"""The database settings from the environment, the PostgreSQL backend's wait for a restarting server, and the
503 page of a lost database (imbrace_console/database). The stack test restarts a real server under load."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import OperationalError, connections
from django.test import RequestFactory

from imbrace_console.database import server_error
from tests.support import ROOT, free_port


def settings_databases(**env: str) -> dict:
    """DATABASES["default"] as base.py makes it from this environment (in a fresh process)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSOLE_DB_PATH"}}
    script = "from imbrace_console.settings import base; print(repr(base.DATABASES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**environment, **env}, capture_output=True, text=True, check=True
    )
    return ast.literal_eval(result.stdout)


def test_without_database_url_it_is_sqlite_under_var_with_its_pragmas():
    database = settings_databases()
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(ROOT / "var" / "console.sqlite3")
    assert (
        database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        and "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    )
    assert database["CONN_MAX_AGE"] is None and database["CONN_HEALTH_CHECKS"] is True
    assert settings_databases(CONSOLE_DB_PATH="/srv/console.db")["NAME"] == "/srv/console.db"


def test_a_postgres_url_gets_the_waiting_backend_and_no_sqlite_option():
    database = settings_databases(DATABASE_URL="postgres://console:s%40cret@db.internal:5433/console?sslmode=require")
    assert database["ENGINE"] == "imbrace_console.database.postgresql"
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"], database["NAME"]) == (
        "console", "s@cret", "db.internal", 5433, "console"
    )  # fmt: skip
    assert database["OPTIONS"] == {"sslmode": "require", "connect_timeout": 5}
    assert database["CONN_MAX_AGE"] is None and database["CONN_HEALTH_CHECKS"] is True


def _connector(port: int, name: str = "console"):
    """A function making a new connection as the backend does (pytest-django blocks ``ensure_connection``)."""
    from imbrace_console.database.postgresql.base import DatabaseWrapper

    database = settings_databases(DATABASE_URL=f"postgres://console@127.0.0.1:{port}/{name}")
    wrapper = DatabaseWrapper(connections.configure_settings({"default": database})["default"])
    return lambda: wrapper.get_new_connection(wrapper.get_connection_params()).close()


def test_a_refused_connection_is_tried_again_until_the_wait_is_over(settings):
    settings.CONSOLE_DB_CONNECT_WAIT = 0.5
    connect = _connector(free_port())
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError, match="Connection refused"):
        connect()
    assert time.monotonic() - started >= 0.5


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs `DB=postgres`")
def test_a_missing_database_fails_at_once(settings):
    settings.CONSOLE_DB_CONNECT_WAIT = 5
    port = int(os.environ["DATABASE_URL"].rsplit(":", 1)[1].split("/")[0])
    connect = _connector(port, name="no_such_database")
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        connect()
    assert time.monotonic() - started < 2


def test_a_lost_database_answers_503_with_retry_after_and_anything_else_500():
    request = RequestFactory().get("/assistants/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"cannot reach its database" in response.content
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
