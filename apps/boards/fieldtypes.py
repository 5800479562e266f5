"""What the console knows about board field types: how a value reads in a cell.

Boards come from the gateway as plain dicts; ``fields_of`` turns their field
definitions into ``Field`` objects, hiding the two flag spellings
(``isIdentifier`` / ``is_identifier``), and ``cells_for`` renders one item's
values by type. Option values are shown as labels whether the item came from
the item list (labels already) or from search (raw option ids).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from django.utils.safestring import SafeString, mark_safe

FIELD_TYPES: list[tuple[str, str]] = [
    ("ShortText", "Short text"),
    ("LongText", "Long text"),
    ("Number", "Number"),
    ("Email", "Email"),
    ("Phone", "Phone"),
    ("Link", "Link (URL)"),
    ("Date", "Date"),
    ("Datetime", "Date and time"),
    ("Time", "Time"),
    ("SingleSelection", "Single selection"),
    ("MultipleSelection", "Multiple selection"),
    ("Priority", "Priority"),
    ("Checkbox", "Checkbox"),
    ("Rating", "Rating (0-5)"),
    ("Currency", "Currency"),
    ("Country", "Country"),
    ("Notes", "Notes"),
    ("Assignee", "Assignee"),
    ("MultipleAssignee", "Multiple assignees"),
    ("Attachment", "Attachment"),
    ("Origin", "Origin"),
    ("Formula", "Formula"),
    ("MapToBoard", "Link to board"),
    ("TableInTable", "Table in table"),
]
TYPE_LABELS = dict(FIELD_TYPES)
OPTION_TYPES = frozenset({"SingleSelection", "MultipleSelection", "Priority"})
# Types the console can edit; the others (people, files, formulas, sub-tables) are shown read-only.
EDITABLE_TYPES = frozenset(
    {
        "ShortText",
        "LongText",
        "Notes",
        "Number",
        "Email",
        "Phone",
        "Link",
        "Date",
        "Datetime",
        "Time",
        "SingleSelection",
        "MultipleSelection",
        "Priority",
        "Checkbox",
        "Rating",
        "Currency",
        "Country",
    }
)
# Field types the console offers when adding a field (TableInTable needs a child-board editor it does not have).
CREATABLE_TYPES: list[tuple[str, str]] = [(value, label) for value, label in FIELD_TYPES if value in EDITABLE_TYPES]
RATING_MAX = 5
SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


def _flag(raw: dict, camel: str, snake: str) -> bool:
    value = raw.get(camel)
    return bool(raw.get(snake) if value is None else value)


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    color: str = ""


@dataclass(frozen=True)
class Field:
    id: str
    name: str
    type: str
    identifier: bool = False
    unique: bool = False
    default: bool = False
    description: str = ""
    options: tuple[Option, ...] = ()

    @classmethod
    def from_raw(cls, raw: dict) -> Field:
        options = tuple(
            Option(str(o.get("id") or o.get("_id") or ""), str(o.get("value", "")), str(o.get("color") or ""))
            for o in raw.get("data") or []
            if isinstance(o, dict)
        )
        return cls(
            id=str(raw.get("id") or raw.get("_id") or ""),
            name=str(raw.get("name") or ""),
            type=str(raw.get("type") or "ShortText"),
            identifier=_flag(raw, "isIdentifier", "is_identifier"),
            unique=_flag(raw, "isUniqueIdentifier", "is_unique_identifier"),
            default=raw.get("isDefault") is True,
            description=str(raw.get("description") or ""),
            options=options,
        )

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @cached_property
    def view_class(self) -> str:
        return f"type-{self.type.lower()}"

    @cached_property
    def edit_class(self) -> str:
        return ("cell-editable " if self.editable else "") + self.view_class

    @property
    def editable(self) -> bool:
        return self.type in EDITABLE_TYPES

    @property
    def has_options(self) -> bool:
        return self.type in OPTION_TYPES

    @property
    def required(self) -> bool:
        return self.identifier

    def label(self, value: Any) -> str:
        """An option's label for a stored value (an option id or already a label)."""
        text = "" if value is None else str(value)
        for option in self.options:
            if text == option.id:
                return option.label
        return text


def fields_of(board: dict) -> list[Field]:
    return [Field.from_raw(raw) for raw in board.get("fields") or [] if isinstance(raw, dict)]


def parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


@dataclass(slots=True)
class Cell:
    """One value ready for a table cell: ``kind`` picks the markup."""

    field: Field
    kind: str  # empty, text, long, number, link, email, phone, bool, chips, rating, date
    text: str = ""
    href: str = ""
    chips: tuple[str, ...] = ()
    stars: int = 0

    @property
    def stars_markup(self) -> str:
        """Filled and empty stars, as entities (the table's markup stays ASCII: see ``apps/boards/table.py``)."""
        return "&#9733;" * self.stars + "&#9734;" * max(RATING_MAX - self.stars, 0)

    @property
    def html(self) -> SafeString:
        """The cell's markup, escaped. Built here rather than in the template: a page has hundreds of cells."""
        return mark_safe(self.markup())  # noqa: S308 - every value in it passes through esc()

    def markup(self) -> str:
        kind = self.kind
        if kind == "empty":
            return '<span class="empty-value" aria-label="empty"></span>'
        if kind == "bool":
            return (
                '<span class="bool-value is-true">&#10003; Yes</span>'
                if self.text == "Yes"
                else '<span class="bool-value">No</span>'
            )
        if kind == "chips":
            return "".join(f'<span class="chip">{esc(chip)}</span>' for chip in self.chips)
        if kind == "link":
            text = _short_markup(self.text, 40)
            return f'<a href="{esc(self.href)}" target="_blank" rel="noopener noreferrer">{text}</a>'
        if kind in ("email", "phone"):
            return f'<a href="{esc(self.href)}">{esc(self.text)}</a>'
        if kind == "rating":
            label = esc(self.text)
            return f'<span class="rating" aria-label="{label}" title="{label}">{self.stars_markup}</span>'
        if kind == "long":
            return f'<span class="long-value" title="{esc(self.text)}">{_short_markup(self.text, 80)}</span>'
        return esc(self.text)

    def td(self, *, editable: bool) -> str:
        """The cell's ``<td>``: no id of its own; its item is its row's, its field its column's."""
        css = self.field.edit_class if editable else self.field.view_class
        return f'<td class="{css}">{self.markup()}</td>'


def esc(value: object) -> str:
    """HTML-escape like Django's ``escape`` (quotes included), without its lazy-string wrapping."""
    return html.escape(str(value), quote=True)


def _short_markup(text: str, length: int) -> str:
    """The text cut to ``length`` characters, escaped (the ellipsis as an entity: see ``Cell.markup``)."""
    return esc(text) if len(text) <= length else esc(text[: length - 1].rstrip()) + "&hellip;"


def _rating(value: Any) -> int:
    try:
        return max(0, min(RATING_MAX, round(float(value))))
    except (TypeError, ValueError):
        return 0


def cell_for(field: Field, value: Any) -> Cell:
    kind = field.type
    if value is None or value == "" or value == []:
        return Cell(field, "bool", "No") if kind == "Checkbox" and value is not None else Cell(field, "empty")
    if kind == "Checkbox":
        return Cell(field, "bool", "Yes" if value is True else "No")
    if kind in ("SingleSelection", "Priority"):
        return Cell(field, "chips", chips=(field.label(value),))
    if kind == "MultipleSelection":
        values = value if isinstance(value, list) else [value]
        return Cell(field, "chips", chips=tuple(field.label(v) for v in values))
    if kind == "Number":
        return Cell(field, "number", format_number(value))
    if kind == "Rating":
        stars = _rating(value)
        return Cell(field, "rating", f"{stars} of {RATING_MAX}", stars=stars)
    if kind in ("Date", "Datetime"):
        moment = parse_iso(value)
        if moment is None:
            return Cell(field, "text", str(value))
        return Cell(field, "date", moment.strftime("%Y-%m-%d" if kind == "Date" else "%Y-%m-%d %H:%M UTC"))
    if kind == "Link":
        text = str(value)
        return Cell(field, "link", text, href=text) if SAFE_URL.match(text) else Cell(field, "text", text)
    if kind == "Email":
        return Cell(field, "email", str(value), href=f"mailto:{value}")
    if kind == "Phone":
        number = value.get("calling_code_with_number", "") if isinstance(value, dict) else str(value)
        return Cell(field, "phone", number, href=f"tel:{number}")
    if kind == "Currency" and isinstance(value, dict):
        amount = format_number(value.get("amounts"))
        code = value.get("currency_code") or ""
        return Cell(field, "number", f"{code} {amount}".strip())
    if kind == "Country" and isinstance(value, dict):
        return Cell(field, "text", str(value.get("country_name") or value.get("country_code") or ""))
    if kind in ("Assignee", "MultipleAssignee"):
        people = value if isinstance(value, list) else [value]
        names = [
            p.get("display_name") or p.get("email") or p.get("id", "") if isinstance(p, dict) else p for p in people
        ]
        return Cell(field, "chips", chips=tuple(str(n) for n in names))
    if kind == "Attachment" and isinstance(value, list):
        names = [str((a.get("data") or {}).get("name") or "file") for a in value if isinstance(a, dict)]
        return Cell(field, "chips", chips=tuple(names))
    if kind in ("LongText", "Notes"):
        return Cell(field, "long", str(value))
    if isinstance(value, dict | list):
        return Cell(field, "text", ", ".join(str(v) for v in value) if isinstance(value, list) else str(value))
    return Cell(field, "text", str(value))


def cells_for(fields: list[Field], item: dict) -> list[Cell]:
    values = item.get("fields") or {}
    return [cell_for(field, values.get(field.id)) for field in fields]


def item_title(fields: list[Field], item: dict) -> str:
    """The identifier value of an item (or its first text value), for confirmations and toasts."""
    values = item.get("fields") or {}
    ordered = sorted(fields, key=lambda f: not f.identifier)
    for field in ordered:
        value = values.get(field.id)
        if isinstance(value, str | int | float) and str(value).strip():
            return field.label(value) if field.has_options else str(value)
    return str(item.get("id", ""))
