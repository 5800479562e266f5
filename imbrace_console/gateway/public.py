"""Credential-free GETs of public file URLs the gateway hands out (a knowledge file's ``presigned_url``).

``GET /files/{id}`` gives ``<APP_GATEWAY_HOST>/files/download/<key>``, a route the gateway serves
without auth (docs/contract/data-board.md#knowledge-files). ``APP_GATEWAY_HOST`` may be a name only
the services resolve, so that route is asked of the configured gateway (``IMBRACE_BASE_URL``);
another absolute http(s) URL (a real S3 presigned URL) is fetched as given. No credential is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from .errors import GatewayError, GatewayNotFound, GatewayUnavailable

PUBLIC_DOWNLOAD = "/files/download/"


@dataclass(frozen=True)
class PublicFile:
    content_type: str
    size: int | None
    chunks: AsyncIterator[bytes]


def public_url(presigned_url: str, base_url: str) -> str:
    """The URL the console fetches for ``presigned_url``; "" when it is not one it can use."""
    parts = urlsplit(presigned_url)
    if parts.path.startswith(PUBLIC_DOWNLOAD):
        return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return presigned_url
    return ""


async def public_download(url: str) -> PublicFile:
    """Open a GET of ``url`` without credentials; the chunks close everything when read or closed."""
    http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0), follow_redirects=False)
    try:
        # identity: the bytes are relayed as sent, with their length.
        request = http.build_request("GET", url, headers={"Accept-Encoding": "identity"})
        response = await http.send(request, stream=True)
    except httpx.TransportError as exc:
        await http.aclose()
        raise GatewayUnavailable(str(exc) or type(exc).__name__, method="GET", path=PUBLIC_DOWNLOAD) from exc
    if not response.is_success:
        await response.aclose()
        await http.aclose()
        error = GatewayNotFound if response.status_code == 404 else GatewayError
        raise error(f"The file's download link answered {response.status_code}.", status=response.status_code)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        finally:
            await response.aclose()
            await http.aclose()

    length = response.headers.get("content-length")
    return PublicFile(
        content_type=response.headers.get("content-type") or "",
        size=int(length) if length and length.isdigit() else None,
        chunks=chunks(),
    )
