"""The dashboard: the gateway connection and each area's count, read side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from apps.assistants.selectors import assistant_count
from apps.boards.selectors import board_count
from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from apps.flows.selectors import flow_count
from apps.knowledge.selectors import folder_count
from imbrace_console.gateway.errors import GatewayError

from .selectors import gateway_status_get


@dataclass(frozen=True)
class CountCard:
    label: str
    url_name: str
    value: int | None
    more: bool = False
    error: str = ""


async def _card(label: str, url_name: str, count: Callable[[], Awaitable[int | tuple[int, bool]]]) -> CountCard:
    try:
        value = await count()
    except GatewayError as exc:
        return CountCard(label, url_name, None, error=exc.user_message)
    if isinstance(value, tuple):
        return CountCard(label, url_name, value[0], more=value[1])
    return CountCard(label, url_name, value)


@require_GET
@role_required(Role.VIEWER)
async def dashboard(request: HttpRequest) -> HttpResponse:
    status, *cards = await asyncio.gather(
        gateway_status_get(),
        _card("Assistants", "assistants-list", assistant_count),
        _card("Flows", "flows-list", flow_count),
        _card("Knowledge folders", "knowledge-list", folder_count),
        _card("Boards", "boards-list", board_count),
    )
    return render_page(request, "dashboard/dashboard.html", {"status": status, "cards": cards}, partial="panels")
