"""Template filters for assistant pages."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def gateway_time(value: object) -> datetime | object:
    """An ISO-8601 timestamp from the gateway as a datetime (for ``|date``); anything else unchanged."""
    if not isinstance(value, str) or not value:
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
