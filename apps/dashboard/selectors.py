"""Reads about the gateway connection itself."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from imbrace_console.gateway import GatewayError, get_client


@dataclass(frozen=True)
class GatewayStatus:
    base_url: str
    auth_mode: str
    reachable: bool
    organization_id: str = ""
    account_email: str = ""
    latency_ms: float | None = None
    error: GatewayError | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url


AUTH_MODE_LABELS = {
    "api_key": "API key",
    "jwt": "JWT + organization",
    "access_token": "Access token",
    "none": "No credential configured",
}


async def gateway_status_get() -> GatewayStatus:
    """Ask the gateway who we are, and time it."""
    client = get_client()
    config = client.config
    started = time.perf_counter()
    try:
        account = await client.json("GET", "/platform/v1/account")
    except GatewayError as exc:
        return GatewayStatus(config.base_url, AUTH_MODE_LABELS[config.auth_mode], False, error=exc)
    latency = (time.perf_counter() - started) * 1000
    if isinstance(account, dict) and isinstance(account.get("data"), dict):
        account = account["data"]
    account = account if isinstance(account, dict) else {}
    return GatewayStatus(
        base_url=config.base_url,
        auth_mode=AUTH_MODE_LABELS[config.auth_mode],
        reachable=True,
        organization_id=str(account.get("organization_id") or config.organization_id or ""),
        account_email=str(account.get("email") or ""),
        latency_ms=latency,
    )
