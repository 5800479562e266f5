"""What the console knows about board field types: how a value reads in a cell.

Boards come from the gateway as plain dicts; ``fields_of`` turns their field
definitions into ``Field`` objects, hiding the two flag spellings
(``isIdentifier`` / ``is_identifier``), and ``cell_markup`` renders a value
by its field's type. Option values are shown as labels whether the item came from
the item list (labels already) or from search (raw option ids).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

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
# Each type's class on its table cells, from this fixed list: the type is gateway text, so a type the console
# does not know (which the gateway may add, or a hostile one may send) is "type-other", never its own name.
TYPE_CLASSES = {value: f"type-{value.lower()}" for value, _label in FIELD_TYPES}
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
        return TYPE_CLASSES.get(self.type, "type-other")

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


_NEEDS_ESCAPE = re.compile(r"[&<>\"']").search
_EMPTY = '<span class="empty-value" aria-label="empty"></span>'
_NO = '<span class="bool-value">No</span>'


def esc(value: object) -> str:
    """HTML-escape like Django's ``escape`` (quotes included), without its lazy-string wrapping.

    Most values on a page have nothing to escape; one regex search finds that sooner than five replaces.
    """
    text = str(value)
    return html.escape(text, quote=True) if _NEEDS_ESCAPE(text) else text


def _short(text: str, length: int) -> str:
    """The text cut to ``length`` characters, escaped; the ellipsis is an entity (the table's markup stays ASCII)."""
    return esc(text) if len(text) <= length else esc(text[: length - 1].rstrip()) + "&hellip;"


def _chips(labels: Iterable[object]) -> str:
    return "".join(f'<span class="chip">{esc(label)}</span>' for label in labels)


def _rating(value: Any) -> int:
    try:
        return max(0, min(RATING_MAX, round(float(value))))
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity (Python's JSON reads it)
        return 0


def _other(field: Field, value: Any) -> str:
    """A type without markup of its own: the text; a list's items joined."""
    return esc(", ".join(str(v) for v in value) if isinstance(value, list) else value)


def _checkbox(field: Field, value: Any) -> str:
    return '<span class="bool-value is-true">&#10003; Yes</span>' if value is True else _NO


def _option(field: Field, value: Any) -> str:
    return _chips((field.label(value),))


def _options(field: Field, value: Any) -> str:
    return _chips(field.label(v) for v in (value if isinstance(value, list) else [value]))


def _number(field: Field, value: Any) -> str:
    return esc(format_number(value))


def _stars(field: Field, value: Any) -> str:
    stars = _rating(value)
    label = f"{stars} of {RATING_MAX}"
    glyphs = "&#9733;" * stars + "&#9734;" * (RATING_MAX - stars)  # filled, then empty stars
    return f'<span class="rating" aria-label="{label}" title="{label}">{glyphs}</span>'


def _date(field: Field, value: Any) -> str:
    moment = parse_iso(value)
    if moment is None:
        return esc(value)
    return moment.date().isoformat() if field.type == "Date" else moment.strftime("%Y-%m-%d %H:%M UTC")


def _link(field: Field, value: Any) -> str:
    text = str(value)
    if not SAFE_URL.match(text):
        return esc(text)
    return f'<a href="{esc(text)}" target="_blank" rel="noopener noreferrer">{_short(text, 40)}</a>'


def _email(field: Field, value: Any) -> str:
    text = esc(value)
    return f'<a href="mailto:{text}">{text}</a>'


def _phone(field: Field, value: Any) -> str:
    text = esc(value.get("calling_code_with_number", "") if isinstance(value, dict) else value)
    return f'<a href="tel:{text}">{text}</a>'


def _currency(field: Field, value: Any) -> str:
    if not isinstance(value, dict):
        return _other(field, value)
    return esc(f"{value.get('currency_code') or ''} {format_number(value.get('amounts'))}".strip())


def _country(field: Field, value: Any) -> str:
    if not isinstance(value, dict):
        return _other(field, value)
    return esc(value.get("country_name") or value.get("country_code") or "")


def _people(field: Field, value: Any) -> str:
    people = value if isinstance(value, list) else [value]
    return _chips(
        (p.get("display_name") or p.get("email") or p.get("id", "")) if isinstance(p, dict) else p for p in people
    )


def _attachments(field: Field, value: Any) -> str:
    if not isinstance(value, list):
        return _other(field, value)
    return _chips((a.get("data") or {}).get("name") or "file" for a in value if isinstance(a, dict))


def _long(field: Field, value: Any) -> str:
    text = str(value)
    return f'<span class="long-value" title="{esc(text)}">{_short(text, 80)}</span>'


def _sub_table(field: Field, value: Any) -> str:
    """The gateway expands a table in a table to ``{count, sum, data}``: its row count reads best."""
    if not isinstance(value, dict) or not isinstance(value.get("count"), int):
        return _other(field, value)
    count = value["count"]
    return f"{count} row{'' if count == 1 else 's'}"


# A value's markup by field type, for the types that have their own; the others read as text (``_other``).
_MARKUP: dict[str, Callable[[Field, Any], str]] = {
    "Checkbox": _checkbox,
    "SingleSelection": _option,
    "Priority": _option,
    "MultipleSelection": _options,
    "Number": _number,
    "Rating": _stars,
    "Date": _date,
    "Datetime": _date,
    "Link": _link,
    "Email": _email,
    "Phone": _phone,
    "Currency": _currency,
    "Country": _country,
    "Assignee": _people,
    "MultipleAssignee": _people,
    "Attachment": _attachments,
    "LongText": _long,
    "Notes": _long,
    "TableInTable": _sub_table,
}


def cell_markup(field: Field, value: Any) -> str:
    """How one value of ``field`` reads in a table cell: markup, every value in it escaped.

    Built in Python rather than by template tags: an items page has hundreds of cells.
    """
    if value is None or value == "" or value == []:
        return _NO if value is not None and field.type == "Checkbox" else _EMPTY
    return _MARKUP.get(field.type, _other)(field, value)


def item_title(fields: list[Field], item: dict) -> str:
    """The identifier value of an item (or its first text value), for confirmations and toasts."""
    values = item.get("fields") or {}
    ordered = sorted(fields, key=lambda f: not f.identifier)
    for field in ordered:
        value = values.get(field.id)
        if isinstance(value, str | int | float) and str(value).strip():
            return field.label(value) if field.has_options else str(value)
    return str(item.get("id", ""))
