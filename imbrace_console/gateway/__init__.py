"""The Imbrace gateway client. Only services and selectors import it."""

from .client import GatewayClient, GatewaySettings, get_client
from .envelopes import SeekPage, unwrap_data, unwrap_search, unwrap_success
from .errors import (
    GatewayAuthError,
    GatewayConflict,
    GatewayError,
    GatewayNotFound,
    GatewayTimeout,
    GatewayUnavailable,
    GatewayValidationError,
)

__all__ = [
    "GatewayAuthError",
    "GatewayClient",
    "GatewayConflict",
    "GatewayError",
    "GatewayNotFound",
    "GatewaySettings",
    "GatewayTimeout",
    "GatewayUnavailable",
    "GatewayValidationError",
    "SeekPage",
    "get_client",
    "unwrap_data",
    "unwrap_search",
    "unwrap_success",
]
