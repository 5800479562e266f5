"""The Imbrace gateway client. Only services and selectors import it."""

from .client import GatewayClient, GatewaySettings, get_client
from .deadline import page_deadline
from .envelopes import SeekPage, unwrap_data, unwrap_search, unwrap_success
from .errors import (
    GatewayAuthError,
    GatewayBadPath,
    GatewayConflict,
    GatewayError,
    GatewayNotFound,
    GatewayTimeout,
    GatewayUnavailable,
    GatewayValidationError,
)
from .paths import checked_path, gateway_path
from .public import PublicFile, public_download, public_url
from .streams import GatewayResponse, GatewayStreamError, ServerSentEvent, sse_events

__all__ = [
    "GatewayAuthError",
    "GatewayBadPath",
    "GatewayClient",
    "GatewayConflict",
    "GatewayError",
    "GatewayNotFound",
    "GatewayResponse",
    "GatewaySettings",
    "GatewayStreamError",
    "GatewayTimeout",
    "GatewayUnavailable",
    "GatewayValidationError",
    "PublicFile",
    "SeekPage",
    "ServerSentEvent",
    "checked_path",
    "gateway_path",
    "get_client",
    "page_deadline",
    "public_download",
    "public_url",
    "sse_events",
    "unwrap_data",
    "unwrap_search",
    "unwrap_success",
]
