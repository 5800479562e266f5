"""The three envelope families of the gateway's services (docs/contract/data-board.md#envelopes).

- boards and items: ``{"data": ...}``; lists add ``total``/``count``
- folders and files: ``{"success": true, "message": "...", "data": ...}``
- search: ``{"success": true, "message": {...results...}}``

and Activepieces' ``SeekPage`` (``{"data", "next", "previous"}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import GatewayError


def _require_dict(body: Any) -> dict:
    if not isinstance(body, dict):
        raise GatewayError("The gateway answered with an unexpected shape.")
    return body


def unwrap_data(body: Any) -> Any:
    """Boards and items: the object or list under ``data``."""
    body = _require_dict(body)
    if "data" not in body:
        raise GatewayError("The gateway answered without a data field.")
    return body["data"]


def unwrap_success(body: Any) -> Any:
    """Folders and files: ``data`` of a ``{success, message, data}`` envelope."""
    body = _require_dict(body)
    if body.get("success") is False:
        raise GatewayError(str(body.get("message") or "The gateway reported a failure."))
    return body.get("data")


def unwrap_search(body: Any) -> dict:
    """Search: the results sit under ``message``."""
    body = _require_dict(body)
    payload = body.get("message")
    if body.get("success") is False or not isinstance(payload, dict):
        raise GatewayError(str(body.get("error") or body.get("message") or "The search failed."))
    return payload


@dataclass(frozen=True)
class SeekPage:
    """An Activepieces cursor page; ``next``/``previous`` are opaque cursors."""

    data: list[Any]
    next: str | None
    previous: str | None

    @classmethod
    def from_body(cls, body: Any) -> SeekPage:
        body = _require_dict(body)
        data = body.get("data")
        if not isinstance(data, list):
            raise GatewayError("The gateway answered with an unexpected page shape.")
        return cls(data=data, next=body.get("next"), previous=body.get("previous"))
