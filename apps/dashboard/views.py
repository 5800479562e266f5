"""The dashboard: what needs attention, gateway health, assistants, flows and recent changes.

The page renders every card at once; each card is also its own HTMX fragment
(``cards/<name>/``) that static/js/dashboard.js refreshes every 30 s while the tab is visible.
A card catches its own gateway failure and shows it in place, so one failing read never
blanks the others. The window (1h, 24h, 7d) is the ``window`` query parameter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from apps.assistants.selectors import assistant_count
from apps.audit.selectors import AuditFilters, audit_event_list
from apps.boards.selectors import board_count
from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from apps.flows.selectors import flow_count
from apps.knowledge.selectors import folder_count
from apps.ops.selectors import (
    WINDOW_LABELS,
    WINDOWS,
    assistant_stat_list,
    attention_get,
    gateway_health_get,
    window_or_default,
)
from imbrace_console.gateway.errors import GatewayError

from . import charts
from .selectors import flow_run_summary_get, gateway_status_get

TEMPLATE = "dashboard/home.html"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CountCard:
    label: str
    url_name: str
    value: int | None
    more: bool = False
    error: str = ""


async def _count(label: str, url_name: str, count: Callable[[], Awaitable[int | tuple[int, bool]]]) -> CountCard:
    try:
        value = await count()
    except GatewayError as exc:
        return CountCard(label, url_name, None, error=exc.user_message)
    if isinstance(value, tuple):
        return CountCard(label, url_name, value[0], more=value[1])
    return CountCard(label, url_name, value)


async def _connection(request: HttpRequest, window: str) -> dict:
    status, *counts = await asyncio.gather(
        gateway_status_get(),
        _count("Assistants", "assistants-list", assistant_count),
        _count("Flows", "flows-list", flow_count),
        _count("Knowledge folders", "knowledge-list", folder_count),
        _count("Boards", "boards-list", board_count),
    )
    return {"status": status, "counts": counts}


async def _attention(request: HttpRequest, window: str) -> dict:
    """Failed runs of the last 24 h (gateway) beside what the console measured (its database)."""
    since = datetime.now(UTC) - timedelta(hours=24)
    measured = await attention_get()
    try:
        runs, runs_error = await flow_run_summary_get(since=since, failed_only=True), None
    except GatewayError as exc:
        runs, runs_error = None, exc
    failing = [flow for flow in runs.flows if flow.failed] if runs else []
    return {
        "measured": measured,
        "failing_flows": failing,
        "runs_error": runs_error,
        "all_well": measured.empty and runs_error is None and not failing,
    }


async def _health(request: HttpRequest, window: str) -> dict:
    health = await gateway_health_get(window=window)
    return {"health": health, "charts": charts.gateway_charts(health)}


async def _assistants(request: HttpRequest, window: str) -> dict:
    return {"assistants": await assistant_stat_list(window=window)}


async def _flows(request: HttpRequest, window: str) -> dict:
    try:
        summary = await flow_run_summary_get(since=datetime.now(UTC) - WINDOWS[window][0])
    except GatewayError as exc:
        return {"runs": None, "runs_error": exc}
    return {"runs": summary, "runs_error": None}


async def _changes(request: HttpRequest, window: str) -> dict:
    user = await request.auser()
    sees_everyone = request.console_role >= Role.ADMIN
    page = await audit_event_list(actor_id=user.pk, sees_everyone=sees_everyone, filters=AuditFilters(), page_size=10)
    return {"events": page.events, "sees_everyone": sees_everyone}


CARDS: dict[str, Callable[[HttpRequest, str], Awaitable[dict]]] = {  # in the page's order
    "attention": _attention,
    "health": _health,
    "assistants": _assistants,
    "flows": _flows,
    "changes": _changes,
    "connection": _connection,
}


@dataclass(frozen=True)
class CardFailure:
    """What a card shows when the console's own database could not be read (shaped like a GatewayError)."""

    user_message: str = "This card could not be read from the console's database. Try again in a moment."
    detail: str = ""
    status: int | None = None
    request_id: str = ""


async def _card_html(request: HttpRequest, name: str, window: str) -> str:
    """One card rendered on its own: a failure it did not handle itself is shown in its place."""
    try:
        context = await CARDS[name](request, window)
    except GatewayError as exc:
        context = {"card_error": exc}
    except DatabaseError:
        logger.exception("dashboard: the %s card could not be read", name)
        context = {"card_error": CardFailure()}
    context.update(
        window=window,
        window_label=WINDOW_LABELS[window],
        card_url=f"{reverse('dashboard-card', args=[name])}?window={window}",
    )
    return render_to_string(f"{TEMPLATE}#card_{name}", context, request=request)


@require_GET
@role_required(Role.VIEWER)
async def dashboard(request: HttpRequest) -> HttpResponse:
    window = window_or_default(request.GET.get("window"))
    cards = await asyncio.gather(*(_card_html(request, name, window) for name in CARDS))
    context = {"window": window, "windows": WINDOW_LABELS, "cards": [mark_safe(html) for html in cards]}  # noqa: S308 (rendered templates)
    return render_page(request, TEMPLATE, context)


@require_GET
@role_required(Role.VIEWER)
async def dashboard_card(request: HttpRequest, card: str) -> HttpResponse:
    """One card, as the page's polling (or its Retry) asks for it."""
    if card not in CARDS:
        raise Http404("No such card.")
    response = HttpResponse(await _card_html(request, card, window_or_default(request.GET.get("window"))))
    patch_vary_headers(response, ("HX-Request",))
    return response
