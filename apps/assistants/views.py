from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required


@require_GET
@role_required(Role.VIEWER)
async def index(request: HttpRequest) -> HttpResponse:
    return render_page(request, "core/coming_soon.html", {"area": "assistants"})
