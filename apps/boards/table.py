"""The items table's rows as markup.

A page of the table (50 rows of 8 fields) is the console's busiest render, so
its rows are built here with plain string formatting rather than by template
tags cell by cell; every value goes through ``esc``.

The markup is kept ASCII: glyphs are written as entities (``&#9998;``, not the
pencil itself). One wider character makes Python store the whole page two
bytes a character, and the template's joins and the UTF-8 encoding of 95 KB
then cost about 0.5 ms more a page. The page chrome it sits in
(``base.html``, the pager, the items region) follows the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from apps.core.converters import is_gateway_id

from .fieldtypes import Field, cell_markup, esc, item_title

_ITEM = "ITEM-ID"
# An id that may go into a link is one the URLs' id converter accepts. Gateway text: ".." in a link would
# take the browser to another page of the console.
_linkable = is_gateway_id


@dataclass(frozen=True)
class Column:
    field: Field
    sort_url: str
    sorted: str  # "", "ascending", "descending"


def header_html(columns: list[Column]) -> SafeString:
    """The field columns' ``<th>``s: each a sort link, with its field's id for the cell editor (boards.js)."""
    parts = []
    for column in columns:
        field = column.field
        url = esc(column.sort_url)
        name = esc(field.name)
        sorted_ = f' aria-sort="{column.sorted}"' if column.sorted else ""
        badge = ' <span class="badge badge-muted" title="Identifier">id</span>' if field.identifier else ""
        parts.append(
            f'<th scope="col"{sorted_} class="{field.view_class}"{_data_field(field)}>'
            f'<a href="{url}" hx-get="{url}" hx-target="#items-region" hx-push-url="true" title="Sort by {name}">'
            f"{name}{badge}</a></th>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - built from esc()-escaped values


def _data_field(field: Field) -> str:
    """The header's field id for the cell editor (boards.js), which puts it in a URL: only an id-shaped one."""
    return f' data-field="{field.id}"' if _linkable(field.id) else ""


def _row_markup(
    item: dict, columns: list[tuple[Field, str]], title: str, *, edit_url: str, delete_url: str, support: bool
) -> str:
    """One ``<tr>``; ``columns`` pairs each field with its cells' opening ``<td>``.

    The item id goes into links, so a row whose id is not shaped like one (``..`` would take the browser to
    another page of the console) gets no actions; its cells are shown, not editable.
    """
    raw_id = str(item.get("id", ""))
    item_id = esc(raw_id)
    name = esc(title)
    raw_created = str(item.get("created_at") or "")
    created = esc(raw_created)
    parts = [f'<tr id="item-{item_id}" class="item-row" tabindex="-1">']
    if support and not _linkable(raw_id):
        support = False
        columns = [(field, f'<td class="{field.view_class}">') for field, _td in columns]
    if support:
        edit = esc(edit_url.replace(_ITEM, raw_id))
        delete = esc(delete_url.replace(_ITEM, raw_id))
        parts.append(
            f'<td class="select-cell"><input type="checkbox" name="ids" value="{item_id}" form="bulk-form"'
            f' aria-label="Select {name}"></td>'
            f'<td class="row-actions"><a href="{edit}" title="Edit every field" aria-label="Edit {name}">&#9998;</a>'
            f'<a href="{delete}" class="danger-link" title="Delete" aria-label="Delete {name}" hx-post="{delete}"'
            f' hx-vals=\'{{"inline": "1"}}\' hx-confirm="Delete &ldquo;{name}&rdquo;?" hx-target="closest tr"'
            ' hx-swap="outerHTML">&#10005;</a></td>'
        )
    else:
        parts.append('<td class="select-cell"></td>')
    values = item.get("fields") or {}
    parts.extend([f"{td}{cell_markup(field, values.get(field.id))}</td>" for field, td in columns])
    parts.append(f'<td class="created-cell"><time datetime="{created}">{esc(raw_created[:10])}</time></td></tr>')
    return "".join(parts)


def table_rows(*, board_id: str, fields: list[Field], items: list[dict], support: bool) -> list[SafeString]:
    """Each item's ``<tr>``, ready to print; ``support`` adds selection, actions and editable cells."""
    edit_url = reverse("board-items-update", kwargs={"board_id": board_id, "item_id": _ITEM})
    delete_url = reverse("board-items-delete", kwargs={"board_id": board_id, "item_id": _ITEM})
    # A cell has no id of its own: its item is its row's, its field its column's.
    columns = [
        (field, f'<td class="{field.edit_class if support and _linkable(field.id) else field.view_class}">')
        for field in fields
    ]
    return [
        mark_safe(  # noqa: S308 - built from esc()-escaped values
            _row_markup(
                item, columns, item_title(fields, item), edit_url=edit_url, delete_url=delete_url, support=support
            )
        )
        for item in items
    ]


def rows_html(rows: list[SafeString]) -> SafeString:
    """The rows' markup in one piece: a page's 50 rows, without a template loop over them."""
    return mark_safe("".join(rows))  # noqa: S308 - each row's markup is built escaped
