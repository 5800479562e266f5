"""Small formatters for the dashboard's figures."""

from __future__ import annotations

from django import template
from django.urls import reverse

from apps.core.converters import is_gateway_id

register = template.Library()


@register.filter
def ms(value: float | None) -> str:
    """A latency: ``840 ms``, ``2.4 s``; a dash when there is none."""
    if value is None:
        return "\u2013"
    if value < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.1f} s"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "\u2013"
    return f"{value:.1f} %" if value < 10 else f"{value:.0f} %"


@register.filter
def error_classes(errors: dict[str, int]) -> str:
    """``5xx 3, timeout 2``."""
    return ", ".join(f"{name} {count}" for name, count in sorted(errors.items(), key=lambda item: -item[1]))


@register.simple_tag
def object_url(url_name: str, object_id: object) -> str:
    """The URL of a gateway object's page, or "" when the id is not shaped like a gateway id."""
    if not is_gateway_id(object_id):
        return ""
    return reverse(url_name, args=[object_id])


AUDIT_TARGET_PAGES = {
    "assistant": "assistants-detail",
    "flow": "flows-detail",
    "folder": "knowledge-folder-detail",
    "board": "boards-detail",
}


@register.simple_tag
def audit_target_url(event) -> str:
    """The page (with its history) of an audit event's object, when it has one of its own."""
    url_name = AUDIT_TARGET_PAGES.get(event.target_type)
    return object_url(url_name, event.target_id) if url_name else ""
