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
from ._common import _gateway_form_error

# --- fields ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
async def field_list(request: HttpRequest, board_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    context = {"board": board, "fields": fields_of(board)}
    return render_page(request, "boards/field_list.html", context, partial="fields")


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def field_create(request: HttpRequest, board_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    form = FieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            await services.board_field_create(
                actor=await request.auser(),
                board_id=board_id,
                name=form.cleaned_data["name"],
                type=form.cleaned_data["type"],
                description=form.cleaned_data["description"],
                options=form.option_data(),
            )
        except GatewayError as exc:
            _gateway_form_error(form, exc)
        else:
            messages.success(request, f"Field “{form.cleaned_data['name']}” added.")
            if "add_another" in request.POST:
                return redirect("board-fields-create", board_id=board_id)
            return redirect("board-fields-list", board_id=board_id)
    status = 422 if form.errors else 200
    return render_page(request, "boards/field_form.html", {"board": board, "form": form, "field": None}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def field_update(request: HttpRequest, board_id: str, field_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    board_field = next((f for f in fields_of(board) if f.id == field_id), None)
    if board_field is None:
        raise Http404(f"Field {field_id} not found in board")
    initial = {
        "name": board_field.name,
        "type": board_field.type,
        "description": board_field.description,
        "options": "\n".join(option.label for option in board_field.options),
    }
    form = FieldForm(request.POST or None, initial=initial, editing=board_field)
    if request.method == "POST" and form.is_valid():
        try:
            await services.board_field_update(
                actor=await request.auser(),
                board_id=board_id,
                field_id=field_id,
                name=form.cleaned_data["name"],
                type=form.cleaned_data["type"],
                description=form.cleaned_data["description"],
                options=form.option_data(),
            )
        except GatewayError as exc:
            _gateway_form_error(form, exc)
        else:
            messages.success(request, f"Field “{form.cleaned_data['name']}” saved.")
            return redirect("board-fields-list", board_id=board_id)
    status = 422 if form.errors else 200
    context = {"board": board, "form": form, "field": board_field}
    return render_page(request, "boards/field_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def field_delete(request: HttpRequest, board_id: str, field_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    board_field = next((f for f in fields_of(board) if f.id == field_id), None)
    if board_field is None:
        raise Http404(f"Field {field_id} not found in board")
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
