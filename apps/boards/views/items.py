"""A board's items table: the page, search and paging, item create/edit/delete, bulk delete, inline cells."""

from __future__ import annotations

import asyncio
from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from apps.audit.selectors import audit_event_list_for_target
from apps.core.htmx import add_toast, render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError

from .. import selectors, services
from ..fieldtypes import cell_markup, fields_of, item_title
from ..forms import ItemForm, field_key
from ..table import Column, header_html, rows_html, table_rows
from ._common import _form_page, _int, _is_support

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
            again = "add_another" in request.POST
            return redirect("board-items-create" if again else "boards-detail", board_id=board_id)
    return _form_page(request, "boards/item_form.html", {"board": board, "form": form, "item": None})


async def _item_update(
    request: HttpRequest, board_id: str, item_id: str, *, item: dict, fields: list, values: dict
) -> dict:
    """Save ``values`` on the item as the caller, with its old values and title for the audit log."""
    old, title = item.get("fields") or {}, item_title(fields, item)
    actor = await request.auser()
    return await services.board_item_update(
        actor=actor, board_id=board_id, item_id=item_id, values=values, old=old, title=title
    )


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
                await _item_update(request, board_id, item_id, item=item, fields=fields, values=changed)
        except GatewayError as exc:
            form.add_gateway_errors(exc.field_errors, exc.user_message)
        else:
            messages.success(request, "Item saved." if changed else "Nothing changed.")
            return redirect("boards-detail", board_id=board_id)
    context = {
        "board": board,
        "form": form,
        "item": item,
        "title": item_title(fields, item),
        "history": await audit_event_list_for_target(target_type="board_item", target_id=item_id),
        "field_labels": {f.id: f.name for f in fields},
    }
    return _form_page(request, "boards/item_form.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPPORT)
async def item_delete(request: HttpRequest, board_id: str, item_id: str) -> HttpResponse:
    board, item = await asyncio.gather(
        selectors.board_get(board_id=board_id), selectors.board_item_get(board_id=board_id, item_id=item_id)
    )
    title = item_title(fields_of(board), item)
    if request.method == "POST":
        await services.board_item_delete(actor=await request.auser(), board_id=board_id, item_id=item_id, title=title)
        if request.htmx and request.POST.get("inline"):
            # The page reloads its table so the total and the page's rows stay true.
            response = trigger_client_event(HttpResponse(""), "boardItemsChanged")
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
        if request.htmx:
            return add_toast(HttpResponse(status=204), "Select the items to delete first.", "warning")
        messages.warning(request, "Select the items to delete first.")
        return redirect(state.url())
    if not request.htmx and not request.POST.get("confirmed"):
        board = await selectors.board_get(board_id=board_id)
        context = {"board": board, "ids": ids, "state": state}
        return render_page(request, "boards/item_confirm_bulk_delete.html", context)
    count = await services.board_item_bulk_delete(actor=await request.auser(), board_id=board_id, item_ids=ids)
    text = f"{count} item{'s' if count != 1 else ''} deleted."
    if not request.htmx:
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
                item = await _item_update(request, board_id, item_id, item=item, fields=fields, values=values)
            except GatewayError as exc:
                form.add_gateway_errors(exc.field_errors, exc.user_message)
            else:
                (row,) = table_rows(board_id=board_id, fields=fields, items=[item], support=True)
                row_context = {"board": board, "fields": fields, "row": row}
                response = render_page(request, "boards/board_detail.html", row_context, partial="row")
                return add_toast(response, f"Saved {board_field.name}.")
        response = render_page(request, "boards/board_detail.html", context, partial="cell_editor", status=422)
        # the editor's cell: the form posting is inside it
        return reswap(retarget(response, "closest td"), "innerHTML")
    if not request.htmx:
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
