"""Django's PostgreSQL backend, waiting for a restarting server instead of failing the request.

While PostgreSQL restarts (an upgrade, a fail-over) it refuses connections, or
accepts them only to say it is starting up or shutting down, for a second or
two. Django would fail every request of that moment with a 500. Here a new
connection is tried again every 0.1 s for up to ``CONSOLE_DB_CONNECT_WAIT``
seconds (10 by default) when the server is unreachable or not ready; a refused
password or a missing database still fails at once. Each request checks a kept
connection before using it (``CONN_HEALTH_CHECKS``), so the first request after
a restart opens a new connection rather than failing on the old one.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base

# What libpq says when the server is restarting (psycopg gives no SQLSTATE for a failed connection).
_NOT_READY = (
    "Connection refused",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "server closed the connection unexpectedly",
)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + getattr(settings, "CONSOLE_DB_CONNECT_WAIT", 10.0)
        while True:
            try:
                return super().get_new_connection(conn_params)
            except base.Database.OperationalError as error:
                if not any(words in str(error) for words in _NOT_READY) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.1)
