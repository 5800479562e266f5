from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from apps.core.spreadsheet import cell_defused

from .forms import AuditFilterForm
from .models import AuditEvent
from .selectors import audit_event_iter, audit_event_list, audit_filter_choices


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{request.path}?{query.urlencode()}"


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page_number(request: HttpRequest) -> int:
    """The page asked for; junk is the first page, and a number past any log's end its millionth (the
    database refuses an offset past 64 bits)."""
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 1_000_000)
    except ValueError:
        return 1


async def _scope_and_filters(request: HttpRequest) -> tuple:
    """(user, whether they see everyone's events, the bound filter form): the page and its CSV share them."""
    user = await request.auser()
    sees_everyone = request.console_role >= Role.ADMIN
    choices = await audit_filter_choices(actor_id=user.pk, sees_everyone=sees_everyone)
    return user, sees_everyone, AuditFilterForm(request.GET, choices=choices, sees_everyone=sees_everyone)


@require_GET
@role_required(Role.VIEWER)
async def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log: Admins see everyone's events, other roles only their own."""
    user, sees_everyone, form = await _scope_and_filters(request)
    page = await audit_event_list(
        actor_id=user.pk, sees_everyone=sees_everyone, filters=form.filters(), page=_page_number(request)
    )
    pager = {
        "prev_url": _page_url(request, page.page - 1) if page.has_previous else "",
        "next_url": _page_url(request, page.page + 1) if page.has_next else "",
        "label": f"{page.first_index} to {page.last_index} of {page.total}" if page.total else "",
    }
    context = {
        "form": form,
        "page": page,
        "pager": pager,
        "sees_everyone": sees_everyone,
        "filtered": any(request.GET.get(name) for name in form.fields),
        "export_url": f"{reverse('audit-export')}?{_filter_query(request)}",
    }
    return render_page(request, "audit/audit_list.html", context, partial="results")


CSV_COLUMNS = ["time", "user", "area", "action", "target type", "target id", "target name", "outcome", "message"]
CSV_COLUMNS += ["changes", "request id"]


def _csv_line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell_defused(value) for value in values])  # gateway text never runs as a formula
    return buffer.getvalue()


async def _csv_rows(events: AsyncIterator[AuditEvent]) -> AsyncIterator[str]:
    yield _csv_line(CSV_COLUMNS)
    async for event in events:
        yield _csv_line(
            [
                event.created_at.isoformat(),
                event.actor_username,
                event.area,
                event.action,
                event.target_type,
                event.target_id,
                event.target_name,
                event.outcome,
                event.message,
                json.dumps(event.changes, ensure_ascii=False, default=str) if event.changes else "",
                event.request_id,
            ]
        )


@require_GET
@role_required(Role.VIEWER)
async def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered audit log as CSV, with the same scope as the page."""
    user, sees_everyone, form = await _scope_and_filters(request)
    events = audit_event_iter(actor_id=user.pk, sees_everyone=sees_everyone, filters=form.filters())
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
