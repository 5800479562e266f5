"""Assistant answers as safe HTML: Markdown (raw HTML off) through markdown-it-py, then nh3's allow-list."""

from __future__ import annotations

import html

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

markdown_engine = _markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
# No ``style``: the CSP forbids inline styles, so table alignment is dropped.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(rendered: str) -> SafeString:
    """markdown-it's HTML through nh3's allow-list. Links get ``rel="noopener noreferrer nofollow"``."""
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is allow-listed HTML


def markdown_render(text: str) -> SafeString:
    """``text`` as sanitized HTML (``sanitize``)."""
    return sanitize(_markdown.render(text or ""))


def plain_render(text: str) -> SafeString:
    """Text that is still arriving, escaped, with its line breaks kept."""
    return mark_safe(html.escape(text).replace("\n", "<br>"))  # noqa: S308 - escaped above
