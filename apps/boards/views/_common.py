"""What the board views share: the caller's role, numbers from the query, the gateway's refusal on a form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from apps.core.htmx import render_page
from apps.core.roles import Role
from imbrace_console.gateway.errors import GatewayError

from ..forms import ItemForm


def _is_support(request: HttpRequest) -> bool:
    role = getattr(request, "console_role", None)
    return role is not None and role >= Role.SUPPORT


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A form's page; 422 while ``context["form"]`` has errors, so a refused POST is not taken for a success."""
    status = 422 if context["form"].errors else 200
    return render_page(request, template, context, status=status)


def _gateway_form_error(form, exc: GatewayError) -> None:
    """The gateway's refusal beside the field it names, else above the form."""
    if isinstance(form, ItemForm):
        form.add_gateway_errors(exc.field_errors, exc.user_message)
        return
    for name, message in exc.field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
            return
    form.add_error(None, exc.user_message)
