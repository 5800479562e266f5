"""Data boards: boards, fields, the items table (inline edit, search, bulk delete), CSV export and import."""

from __future__ import annotations

import asyncio
import json
from functools import cached_property
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.selectors import audit_event_list_for_target
from apps.core.htmx import add_toast, is_htmx, render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError

from . import selectors, services
from .fieldtypes import cell_markup, fields_of, item_title
from .forms import BoardCreateForm, BoardForm, FieldForm, ItemForm, field_key
from .table import Column, header_html, rows_html, table_rows


def _is_support(request: HttpRequest) -> bool:
    role = getattr(request, "console_role", None)
    return role is not None and role >= Role.SUPPORT


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


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
    status = 422 if form.errors else 200
    return render_page(request, "boards/board_form.html", {"form": form, "board": None}, status=status)


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
    status = 422 if form.errors else 200
    return render_page(request, "boards/board_form.html", {"form": form, "board": board}, status=status)


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


# --- the items table ------------------------------------------------------------------------


class TableState:
    """The items table's place (query, page, size, sort), kept in the URL."""

    def __init__(self, board_id: str, data) -> None:
        self.board_id = board_id
        self.query = (data.get("q") or "").strip()
        self.page = min(max(_int(data.get("page"), 1), 1), selectors.MAX_PAGE)
        size = _int(data.get("size"), selectors.DEFAULT_PAGE_SIZE)
        self.size = size if size in selectors.PAGE_SIZES else selectors.DEFAULT_PAGE_SIZE
        self.sort = selectors.clean_sort(data.get("sort") or "")

    def url(self, **changes) -> str:
        values = {"q": self.query, "page": self.page, "size": self.size, "sort": self.sort, **changes}
        defaults = {"q": "", "page": 1, "size": selectors.DEFAULT_PAGE_SIZE, "sort": ""}
        query = {key: value for key, value in values.items() if value != defaults[key]}
        return f"{self.base_url}?{urlencode(query)}" if query else self.base_url

    @cached_property
    def base_url(self) -> str:
        """The board's page; a page of the table links to it a dozen times (sorts, pager)."""
        return reverse("boards-detail", kwargs={"board_id": self.board_id})

    def sort_cycle(self, key: str) -> tuple[str, str]:
        """(the link's sort, this column's current aria-sort)."""
        if self.sort == key:
            return f"-{key}", "ascending"
        if self.sort == f"-{key}":
            return "", "descending"
        return key, ""

    def hidden(self) -> dict[str, str | int]:
        return {"q": self.query, "page": self.page, "size": self.size, "sort": self.sort}


async def _table_context(request: HttpRequest, board_id: str, state: TableState) -> dict:
    """One gateway call for the board and one for the page of items, side by side."""
    board, page = await asyncio.gather(
        selectors.board_get(board_id=board_id),
        selectors.board_item_page(
            board_id=board_id, page=state.page, size=state.size, sort=state.sort, query=state.query
        ),
    )
    fields = fields_of(board)
    columns = []
    for board_field in fields:
        next_sort, current = state.sort_cycle(f"fields.{board_field.id}")
        columns.append(Column(board_field, state.url(sort=next_sort, page=1), current))
    created_sort, created_current = state.sort_cycle("created_at")
    if state.sort == "":
        created_sort, created_current = "created_at", "descending"
    pager = {
        "prev_url": state.url(page=page.page - 1) if page.page > 1 else "",
        "next_url": state.url(page=page.page + 1) if page.page < page.pages else "",
        "label": f"Page {page.page} of {page.pages}",
    }
    rows = table_rows(board_id=board_id, fields=fields, items=page.items, support=_is_support(request))
    return {
        "board": board,
        "fields": fields,
        "header_html": header_html(columns),
        "created_sort_url": state.url(sort=created_sort, page=1),
        "created_sorted": created_current,
        "rows_html": rows_html(rows),
        "page": page,
        "state": state,
        "pager": pager,
        "page_sizes": selectors.PAGE_SIZES,
    }


@require_GET
@role_required(Role.VIEWER)
async def board_detail(request: HttpRequest, board_id: str) -> HttpResponse:
    state = TableState(board_id, request.GET)
    context = await _table_context(request, board_id, state)
    return render_page(request, "boards/board_detail.html", context, partial="items")


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def item_create(request: HttpRequest, board_id: str) -> HttpResponse:
    board = await selectors.board_get(board_id=board_id)
    fields = fields_of(board)
    form = ItemForm(request.POST or None, board_fields=fields)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        title = item_title(fields, {"fields": values})
        try:
            await services.board_item_create(actor=await request.auser(), board_id=board_id, values=values, title=title)
        except GatewayError as exc:
            form.add_gateway_errors(exc.field_errors, exc.user_message)
        else:
            messages.success(request, f"Item “{title}” added.")
            if "add_another" in request.POST:
                return redirect("board-items-create", board_id=board_id)
            return redirect("boards-detail", board_id=board_id)
    status = 422 if form.errors else 200
    context = {"board": board, "form": form, "item": None}
    return render_page(request, "boards/item_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def item_update(request: HttpRequest, board_id: str, item_id: str) -> HttpResponse:
    board, item = await asyncio.gather(
        selectors.board_get(board_id=board_id), selectors.board_item_get(board_id=board_id, item_id=item_id)
    )
    fields = fields_of(board)
    form = ItemForm(request.POST or None, board_fields=fields, item=item)
    if request.method == "POST" and form.is_valid():
        changed = {f.id: form.values()[f.id] for f in form.board_fields if field_key(f) in form.changed_data}
        try:
            if changed:
                await services.board_item_update(
                    actor=await request.auser(),
                    board_id=board_id,
                    item_id=item_id,
                    values=changed,
                    old=item.get("fields") or {},
                    title=item_title(fields, item),
                )
        except GatewayError as exc:
            form.add_gateway_errors(exc.field_errors, exc.user_message)
        else:
            messages.success(request, "Item saved." if changed else "Nothing changed.")
            return redirect("boards-detail", board_id=board_id)
    status = 422 if form.errors else 200
    context = {
        "board": board,
        "form": form,
        "item": item,
        "title": item_title(fields, item),
        "history": await audit_event_list_for_target(target_type="board_item", target_id=item_id),
        "field_labels": {f.id: f.name for f in fields},
    }
    return render_page(request, "boards/item_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def item_delete(request: HttpRequest, board_id: str, item_id: str) -> HttpResponse:
    board, item = await asyncio.gather(
        selectors.board_get(board_id=board_id), selectors.board_item_get(board_id=board_id, item_id=item_id)
    )
    title = item_title(fields_of(board), item)
    if request.method == "POST":
        await services.board_item_delete(actor=await request.auser(), board_id=board_id, item_id=item_id, title=title)
        if is_htmx(request) and request.POST.get("inline"):
            response = HttpResponse("")
            # The page reloads its table so the total and the page's rows stay true.
            response.headers["HX-Trigger"] = json.dumps({"boardItemsChanged": True})
            return add_toast(response, f"Item “{title}” deleted.")
        messages.success(request, f"Item “{title}” deleted.")
        return redirect("boards-detail", board_id=board_id)
    return render_page(request, "boards/item_confirm_delete.html", {"board": board, "item": item, "title": title})


@require_POST
@role_required(Role.SUPPORT)
async def item_bulk_delete(request: HttpRequest, board_id: str) -> HttpResponse:
    ids = [item_id for item_id in request.POST.getlist("ids") if item_id]
    state = TableState(board_id, request.POST)
    if not ids:
        if is_htmx(request):
            return add_toast(HttpResponse(status=204), "Select the items to delete first.", "warning")
        messages.warning(request, "Select the items to delete first.")
        return redirect(state.url())
    if not is_htmx(request) and not request.POST.get("confirmed"):
        board = await selectors.board_get(board_id=board_id)
        context = {"board": board, "ids": ids, "state": state}
        return render_page(request, "boards/items_confirm_bulk_delete.html", context)
    count = await services.board_item_bulk_delete(actor=await request.auser(), board_id=board_id, item_ids=ids)
    text = f"{count} item{'s' if count != 1 else ''} deleted."
    if not is_htmx(request):
        messages.success(request, text)
        return redirect(state.url())
    context = await _table_context(request, board_id, state)
    response = render_page(request, "boards/board_detail.html", context, partial="items")
    return add_toast(response, text)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def cell_edit(request: HttpRequest, board_id: str, item_id: str, field_id: str) -> HttpResponse:
    """The inline editor of one cell (GET), and its save (POST) answering with the whole row."""
    board, item = await asyncio.gather(
        selectors.board_get(board_id=board_id), selectors.board_item_get(board_id=board_id, item_id=item_id)
    )
    fields = fields_of(board)
    board_field = next((f for f in fields if f.id == field_id), None)
    if board_field is None or not board_field.editable:
        raise Http404("That field cannot be edited here.")
    form = ItemForm(request.POST or None, board_fields=fields, item=item, only=field_id)
    context = {"board": board, "field": board_field, "form": form, "item": item, "bound": form[field_key(board_field)]}
    if request.method == "POST":
        if form.is_valid():
            values = form.values()
            try:
                item = await services.board_item_update(
                    actor=await request.auser(),
                    board_id=board_id,
                    item_id=item_id,
                    values=values,
                    old=item.get("fields") or {},
                    title=item_title(fields, item),
                )
            except GatewayError as exc:
                form.add_gateway_errors(exc.field_errors, exc.user_message)
            else:
                (row,) = table_rows(board_id=board_id, fields=fields, items=[item], support=True)
                row_context = {"board": board, "fields": fields, "row": row}
                response = render_page(request, "boards/board_detail.html", row_context, partial="row")
                return add_toast(response, f"Saved {board_field.name}.")
        response = render_page(request, "boards/board_detail.html", context, partial="cell_editor", status=422)
        response.headers["HX-Retarget"] = "closest td"  # the editor's cell: the form posting is inside it
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    if not is_htmx(request):
        return redirect("board-items-update", board_id=board_id, item_id=item_id)
    return render_page(request, "boards/board_detail.html", context, partial="cell_editor")


@require_GET
@role_required(Role.VIEWER)
async def cell_show(request: HttpRequest, board_id: str, item_id: str, field_id: str) -> HttpResponse:
    """One cell as displayed: what Escape goes back to when the page has lost the original."""
    board, item = await asyncio.gather(
        selectors.board_get(board_id=board_id), selectors.board_item_get(board_id=board_id, item_id=item_id)
    )
    board_field = next((f for f in fields_of(board) if f.id == field_id), None)
    if board_field is None:
        raise Http404("That field no longer exists.")
    # Always the fragment: the cell has no page of its own. Its markup is escaped as it is built.
    return HttpResponse(cell_markup(board_field, (item.get("fields") or {}).get(field_id)))


@require_GET
@role_required(Role.SUPPORT)
async def board_export(request: HttpRequest, board_id: str) -> StreamingHttpResponse:
    """Every item as CSV, relayed as it arrives; formulas made text unless ``?raw=1`` (the gateway's bytes)."""
    board = await selectors.board_get(board_id=board_id)
    raw = request.GET.get("raw") == "1"
    export = await services.board_export_start(
        actor=await request.auser(), board_id=board_id, board_name=board.get("name", ""), raw=raw
    )
    response = StreamingHttpResponse(export.chunks(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = _attachment(export.filename)
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


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
            if is_htmx(request):
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
    if not is_htmx(request):
        return redirect("board-fields-list", board_id=board_id)
    context = {"board": board, "fields": fields_of(board)}
    return render_page(request, "boards/field_list.html", context, partial="fields")


# --- CSV import -----------------------------------------------------------------------------
# The pages live in import_views.py (the job, its worker and its progress); urls.py names them here.
from .import_views import import_map, import_run, import_upload  # noqa: E402, F401
