"""What a caller of ``GatewayClient.stream`` handles, so no code outside this package imports httpx.

``GatewayResponse`` is the open streamed response (headers, ``aiter_bytes()``); ``GatewayStreamError``
is what reading it raises when the connection breaks mid-body; ``sse_events`` reads it as
server-sent events (httpx-sse, which follows the SSE spec: CRLF, CR or LF line endings, multi-line
``data``, comments, ``id``/``retry`` fields and events split across chunks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from httpx_sse import EventSource, ServerSentEvent

GatewayResponse = httpx.Response
GatewayStreamError = httpx.HTTPError

__all__ = ["GatewayResponse", "GatewayStreamError", "ServerSentEvent", "sse_events"]


def sse_events(response: GatewayResponse) -> AsyncIterator[ServerSentEvent]:
    """The response body's server-sent events, as they arrive."""
    return EventSource(response).aiter_sse()
