"""A board's fields: list, create, edit, delete and move."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError

from .. import selectors, services
from ..fieldtypes import fields_of
from ..forms import FieldForm
from ._common import _form_page, _gateway_form_error

# --- fields ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
async def field_list(request: HttpRequest, board_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    context = {"board": board, "fields": fields_of(board)}
    return render_page(request, "boards/field_list.html", context, partial="fields")


def _field_values(form: FieldForm) -> dict:
    """What the field services take, from a valid ``FieldForm``: the same for a new field and an edited one."""
    data = form.cleaned_data
    return {
        "name": data["name"],
        "type": data["type"],
        "description": data["description"],
        "options": form.option_data(),
    }


def _board_field(board: dict, field_id: str):
    """The board's field ``field_id``; a 404 when the board has none by that id."""
    board_field = next((f for f in fields_of(board) if f.id == field_id), None)
    if board_field is None:
        raise Http404(f"Field {field_id} not found in board")
    return board_field


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def field_form(request: HttpRequest, board_id: str, field_id: str | None = None) -> HttpResponse:
    """The form of a new field (no ``field_id``) or of an existing one.

    A valid POST is saved; otherwise the form is shown again (422) with what was wrong, the gateway's refusal
    included, and everything typed kept.
    """
    board = await selectors.board_get(board_id=board_id)
    board_field = None if field_id is None else _board_field(board, field_id)
    initial = None
    if board_field is not None:
        initial = {
            "name": board_field.name,
            "type": board_field.type,
            "description": board_field.description,
            "options": "\n".join(option.label for option in board_field.options),
        }
    form = FieldForm(request.POST or None, initial=initial, editing=board_field)
    if request.method == "POST" and form.is_valid():
        actor = await request.auser()
        try:
            if field_id is None:
                await services.board_field_create(actor=actor, board_id=board_id, **_field_values(form))
            else:
                await services.board_field_update(
                    actor=actor, board_id=board_id, field_id=field_id, **_field_values(form)
                )
        except GatewayError as exc:
            _gateway_form_error(form, exc)
        else:
            if field_id is not None:
                messages.success(request, f"Field “{form.cleaned_data['name']}” saved.")
                return redirect("board-fields-list", board_id=board_id)
            messages.success(request, f"Field “{form.cleaned_data['name']}” added.")
            again = "add_another" in request.POST
            return redirect("board-fields-create" if again else "board-fields-list", board_id=board_id)
    return _form_page(request, "boards/field_form.html", {"board": board, "form": form, "field": board_field})


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def field_delete(request: HttpRequest, board_id: str, field_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    board_field = _board_field(board, field_id)
    if request.method == "POST":
        try:
            await services.board_field_delete(
                actor=await request.auser(), board_id=board_id, field_id=field_id, name=board_field.name
            )
        except GatewayError as exc:
            if request.htmx:
                raise
            messages.error(request, exc.user_message)
        else:
            messages.success(request, f"Field “{board_field.name}” deleted.")
        return redirect("board-fields-list", board_id=board_id)
    return render_page(request, "boards/field_confirm_delete.html", {"board": board, "field": board_field})


@require_POST
@role_required(Role.OPERATOR)
async def field_move(request: HttpRequest, board_id: str, field_id: str) -> HttpResponse:
    offset = -1 if request.POST.get("direction") == "up" else 1
    board = await services.board_field_move(
        actor=await request.auser(), board_id=board_id, field_id=field_id, offset=offset
    )
    if not request.htmx:
        return redirect("board-fields-list", board_id=board_id)
    context = {"board": board, "fields": fields_of(board)}
    return render_page(request, "boards/field_list.html", context, partial="fields")
