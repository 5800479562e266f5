"""Gateway paths: each id one percent-encoded segment, and no path that a server on the way would rewrite."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from .errors import GatewayBadPath

# One path segment as RFC 3986 writes it (unreserved, sub-delims, ":" "@", percent-escapes).
_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+")
# What a segment must not mean once decoded: a separator, an escape, a control character.
_UNSAFE_DECODED = re.compile(r"[/\\%\x00-\x1f\x7f]")


def checked_path(path: str) -> str:
    """``path`` unchanged if every server on the way reads it as written, else ``GatewayBadPath``.

    Refused: a ``.`` or ``..`` segment (also percent-encoded: httpx, nginx or express would
    resolve it to the parent), an empty segment, an encoded slash or backslash, a control
    character, a query or fragment, anything not already percent-encoded. So an id that is not
    an id can never make the console send its request to another object.
    """
    if path == "/":
        return path
    segments = path.split("/")
    if segments[0] or len(segments) < 2:
        raise GatewayBadPath("refused gateway path", path=path[:200])
    for segment in segments[1:]:
        try:
            decoded = unquote(segment, errors="strict") if _SEGMENT.fullmatch(segment) else ""
        except UnicodeDecodeError:
            decoded = ""
        if not decoded or decoded in (".", "..") or _UNSAFE_DECODED.search(decoded):
            raise GatewayBadPath("refused gateway path", path=path[:200])
    return path


def gateway_path(template: str, *values: object) -> str:
    """The gateway path ``template`` with each ``{}`` replaced by one value as one percent-encoded segment.

    ``gateway_path("/data-board/boards/{}/items/{}", board_id, item_id)``. The only way a service or
    selector puts an id into a path: a value that could change the path (``..``, ``/``, ``%2e``, a
    control character, empty) raises ``GatewayBadPath``, a ``GatewayNotFound`` (404), before anything
    is sent.
    """
    try:
        return checked_path(template.format(*(quote(str(value), safe="") for value in values)))
    except UnicodeError as exc:  # a lone surrogate cannot be encoded
        raise GatewayBadPath("refused gateway path", path=template) from exc
