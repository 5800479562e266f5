"""Board pages: the list, create, edit and delete."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError

from .. import selectors, services
from ..forms import BoardCreateForm, BoardForm
from ._common import _form_page, _gateway_form_error, _int

# --- boards ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
async def board_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    skip = min(max(_int(request.GET.get("skip"), 0), 0), selectors.MAX_PAGE * 100)
    page = await selectors.board_list(search=search, skip=skip)
    base = reverse("boards-list")

    def url(new_skip: int) -> str:
        query = {k: v for k, v in {"q": search, "skip": new_skip}.items() if v}
        return f"{base}?{urlencode(query)}" if query else base

    pager = {
        "prev_url": url(max(skip - page.limit, 0)) if skip else "",
        "next_url": url(skip + page.limit) if page.has_next else "",
        "label": f"{skip + 1}-{skip + len(page.boards)} of {page.total}" if page.boards else "",
    }
    context = {"page": page, "boards": page.boards, "search": search, "pager": pager}
    return render_page(request, "boards/board_list.html", context, partial="boards")


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def board_create(request: HttpRequest) -> HttpResponse:
    form = BoardCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = await services.board_create(
                actor=await request.auser(),
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                identifier=form.cleaned_data["identifier"].strip(),
            )
        except GatewayError as exc:
            _gateway_form_error(form, exc)
        else:
            messages.success(request, f"Board “{board.get('name')}” created. Add its fields next.")
            return redirect("board-fields-list", board_id=board["id"])
    return _form_page(request, "boards/board_form.html", {"form": form, "board": None})


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def board_update(request: HttpRequest, board_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    initial = {"name": board.get("name", ""), "description": board.get("description", "")}
    form = BoardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            await services.board_update(
                actor=await request.auser(),
                board_id=board_id,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                old=board,
            )
        except GatewayError as exc:
            _gateway_form_error(form, exc)
        else:
            messages.success(request, "Board saved.")
            return redirect("boards-detail", board_id=board_id)
    return _form_page(request, "boards/board_form.html", {"form": form, "board": board})


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def board_delete(request: HttpRequest, board_id: str) -> HttpResponse:
    board, count = await asyncio.gather(
        selectors.board_get(board_id=board_id), selectors.board_item_count(board_id=board_id)
    )
    if request.method == "POST":
        await services.board_delete(actor=await request.auser(), board_id=board_id, name=board.get("name", ""))
        messages.success(request, f"Board “{board.get('name')}” deleted.")
        return redirect("boards-list")
    return render_page(request, "boards/board_confirm_delete.html", {"board": board, "item_count": count})
