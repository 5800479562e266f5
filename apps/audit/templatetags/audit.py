"""``{% audit_history events %}`` for detail pages, and the change-summary filter both pages use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()

MAX_VALUE_CHARS = 300
EMPTY = "—"


@dataclass(frozen=True)
class ChangeRow:
    field: str
    old: str
    new: str
    has_old: bool


def _text(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@register.filter
def audit_change_rows(changes: Any, labels: dict[str, str] | None = None) -> list[ChangeRow]:
    """Rows of field / old / new from an event's ``changes``.

    ``{"old": {...}, "new": {...}}`` gives one row per field that differs (or every
    field when there is nothing to compare); any other mapping lists its values.
    ``labels`` names the fields where the change is keyed by id (board item values).
    """
    if not isinstance(changes, dict) or not changes:
        return []
    rows = _change_rows(changes)
    if not labels:
        return rows
    return [ChangeRow(labels.get(row.field, row.field), row.old, row.new, row.has_old) for row in rows]


def _change_rows(changes: dict) -> list[ChangeRow]:
    old, new = changes.get("old"), changes.get("new")
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
        keys = list(dict.fromkeys([*new, *old]))
        differing = [key for key in keys if old.get(key) != new.get(key)] if old and new else keys
        return [ChangeRow(str(key), _text(old.get(key)), _text(new.get(key)), bool(old)) for key in differing]
    if "old" in changes or "new" in changes:
        return [ChangeRow("value", _text(old), _text(new), "old" in changes)]
    return [ChangeRow(str(key), EMPTY, _text(value), False) for key, value in changes.items()]


@dataclass(frozen=True)
class HistoryEntry:
    event: Any
    rows: list[ChangeRow]


@register.inclusion_tag("audit/partials/history.html")
def audit_history(events, title: str = "History", labels: dict[str, str] | None = None):
    """One object's history, from events the view fetched with ``audit_event_list_for_target``.

    Async views must fetch the events themselves: a template cannot query the database there.
    ``labels`` maps field ids to names for changes keyed by id.
    """
    entries = [HistoryEntry(event, audit_change_rows(event.changes, labels)) for event in events]
    return {"entries": entries, "title": title}
