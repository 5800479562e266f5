from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required

from .forms import AuditFilterForm
from .selectors import audit_event_list, audit_filter_choices


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{request.path}?{query.urlencode()}"


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
@role_required(Role.VIEWER)
async def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log: Admins see everyone's events, other roles only their own."""
    user = await request.auser()
    sees_everyone = request.console_role >= Role.ADMIN
    choices = await audit_filter_choices(actor_id=user.pk, sees_everyone=sees_everyone)
    form = AuditFilterForm(request.GET, choices=choices, sees_everyone=sees_everyone)
    page = await audit_event_list(
        actor_id=user.pk, sees_everyone=sees_everyone, filters=form.filters(), page=_page_number(request)
    )
    pager = {
        "prev_url": _page_url(request, page.page - 1) if page.has_previous else "",
        "next_url": _page_url(request, page.page + 1) if page.has_next else "",
        "label": f"{page.first_index}–{page.last_index} of {page.total}" if page.total else "",
    }
    context = {
        "form": form,
        "page": page,
        "pager": pager,
        "sees_everyone": sees_everyone,
        "filtered": any(request.GET.get(name) for name in form.fields),
    }
    return render_page(request, "audit/audit_list.html", context, partial="results")
