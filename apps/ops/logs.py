"""Log lines for a pipeline: ``LOG_FORMAT=json`` writes one JSON object per line.

Every line carries the request it was written for (``request_id``, from ``X-Request-ID``
or made by ``RequestObservabilityMiddleware``); the request's own line adds the user,
view (URL name, not the path: a path could hold a token), method, status and duration; a gateway call's line
adds the id the console sent the gateway as ``x-request-id`` (``gateway_request_id``).

``RequestContextFilter`` runs where the line is written (in the request's task or
thread, where the context variables are set); ``JsonFormatter`` runs in the thread that
writes the queue of lines out. Only the fields named here are written: a value passed
in ``extra`` by other code never reaches the line unless it is one of them.

Imported by the logging configuration, before Django's apps are ready: no models here.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str] = ContextVar("console_request_id", default="")
GATEWAY_REQUEST_ID: ContextVar[str] = ContextVar("console_gateway_request_id", default="")

GATEWAY_LOGGER = "imbrace_console.gateway"
# Fields of a request's own line (logger ``imbrace_console.requests``), passed in ``extra``.
REQUEST_FIELDS = ("user", "view", "method", "status", "duration_ms")


class RequestContextFilter(logging.Filter):
    """Put the current request's id (and a gateway call's id on gateway lines) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        if record.name == GATEWAY_LOGGER and not hasattr(record, "gateway_request_id"):
            record.gateway_request_id = GATEWAY_REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, then the fields the line has."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        for name in (*REQUEST_FIELDS, "gateway_request_id"):
            value = getattr(record, name, None)
            if value is not None and value != "":
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)  # ASCII: no character a reader could take for a line break
