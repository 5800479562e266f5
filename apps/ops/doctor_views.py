"""The Admins' "Check the gateway" page: the gateway doctor's read-only probes (apps/ops/services.py).

GET shows the page; POST runs the probes (with a chat when ticked) and shows each result. The
page never writes to the gateway: ``manage.py gateway_check --write`` is the way to test writes.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required

from .services import gateway_checks


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
async def gateway_check(request: HttpRequest) -> HttpResponse:
    probes = None
    chat = request.method == "POST" and request.POST.get("chat") == "on"
    if request.method == "POST":
        probes = await gateway_checks(chat=chat)
    context = {
        "section": "gateway-check",
        "base_url": settings.IMBRACE_BASE_URL,
        "probes": probes,
        "failed": sum(1 for probe in probes or [] if not probe.ok),
        "chat": chat,
    }
    return render_page(request, "ops/gateway_check.html", context)
