"""Reads about the gateway connection itself, and the flow runs of a window for the dashboard."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from apps.flows.selectors import AP, Run, run_from
from imbrace_console.gateway import GatewayError, SeekPage, get_client


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


# --- Flow runs over a window, from the gateway's runs API ----------------------------------------

FAILED_RUN_STATUSES = ("FAILED", "TIMEOUT", "INTERNAL_ERROR", "QUOTA_EXCEEDED", "MEMORY_LIMIT_EXCEEDED")
RUN_PAGE_SIZE = 100
RUN_PAGES = 5  # at most 500 runs are read per card; the card says when there were more


@dataclass
class FlowRuns:
    """One flow's runs in a window: how many in each status, and the failed ones (newest first)."""

    flow_id: str
    flow_name: str
    by_status: dict[str, int]
    failed: list[Run]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def failed_count(self) -> int:
        return sum(self.by_status.get(status, 0) for status in FAILED_RUN_STATUSES)

    @property
    def succeeded(self) -> int:
        return self.by_status.get("SUCCEEDED", 0)

    @property
    def active(self) -> int:
        return sum(self.by_status.get(status, 0) for status in ("QUEUED", "RUNNING", "PAUSED"))


@dataclass
class RunSummary:
    flows: list[FlowRuns]
    truncated: bool  # more runs than were read

    @property
    def total(self) -> int:
        return sum(flow.total for flow in self.flows)


async def flow_run_summary_get(*, since: datetime, failed_only: bool = False) -> RunSummary:
    """Production runs created since ``since``, grouped by flow (busiest first).

    ``GET /v1/flow-runs`` is newest first with ``createdAfter`` and repeated ``status``
    (docs/contract/flows.md); runs older than ``since`` are dropped here too, and a run seen on two
    pages is counted once.
    """
    client = get_client()
    params: dict = {"limit": RUN_PAGE_SIZE, "createdAfter": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    if failed_only:
        params["status"] = list(FAILED_RUN_STATUSES)
    runs: dict[str, Run] = {}
    truncated = False
    for page_number in range(RUN_PAGES):
        page = SeekPage.from_body(await client.json("GET", f"{AP}/flow-runs", params=params))
        for row in page.data:
            if isinstance(row, dict):
                run = run_from(row)
                if run.id and (run.created is None or run.created >= since):
                    runs.setdefault(run.id, run)
        if not page.next:
            break
        if page_number == RUN_PAGES - 1:
            truncated = True
        params["cursor"] = page.next
    flows: dict[str, FlowRuns] = {}
    for run in runs.values():
        flow = flows.setdefault(run.flow_id, FlowRuns(run.flow_id, run.flow_name or run.flow_id, {}, []))
        flow.by_status[run.status] = flow.by_status.get(run.status, 0) + 1
        if run.status in FAILED_RUN_STATUSES:
            flow.failed.append(run)
    for flow in flows.values():
        flow.failed.sort(key=lambda run: run.created or since, reverse=True)
    ordered = sorted(flows.values(), key=lambda flow: (-flow.failed_count, -flow.total, flow.flow_name))
    return RunSummary(flows=ordered, truncated=truncated)
