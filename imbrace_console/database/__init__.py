"""The console's database: PostgreSQL that rides out a restart, and a 503 page while it is away (docs/deploy.md)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

# Seconds a browser is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except that a lost database answers 503 (with Retry-After): it is back soon, and
    the page says so rather than "something went wrong"."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return django_server_error(request)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
