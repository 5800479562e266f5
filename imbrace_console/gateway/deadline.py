"""One time budget for the gateway reads of a page (``IMBRACE_PAGE_DEADLINE``)."""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings


@dataclass
class _Budget:
    """The time left for a page's gateway reads: ``ends`` on the ``time.monotonic`` clock."""

    seconds: float
    ends: float


page_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("gateway_page_budget", default=None)


@contextlib.contextmanager
def page_deadline(seconds: float | None = None) -> Iterator[None]:
    """Every gateway read in the block shares one budget of ``seconds`` (``IMBRACE_PAGE_DEADLINE``).

    Opened around each console request by ``apps.core.middleware.GatewayErrorMiddleware``. A write
    that finishes starts the budget again, so the page it re-renders gets the whole budget. Outside
    any block (a management command, a test), each call has a budget of its own.
    """
    seconds = float(settings.IMBRACE_PAGE_DEADLINE if seconds is None else seconds)
    token = page_budget.set(_Budget(seconds, time.monotonic() + seconds))
    try:
        yield
    finally:
        page_budget.reset(token)
