"""The gateway faults of the fault matrix, and how to switch them on and off for one test."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support import LocalGateway, free_port

# The console's read timeout while a fault test runs; "latency" waits longer than this.
READ_TIMEOUT = 0.5

FAULTS: dict[str, dict | None] = {
    "latency": {"kind": "latency", "delay_ms": 1500},
    "5xx": {"kind": "status", "status": 503},
    "429": {"kind": "rate_limit", "retry_after": 1},
    "reset": {"kind": "reset"},
    "malformed": {"kind": "malformed"},
    "refused": None,  # the console points at a closed port
}

# What the page must say, per fault (the start of the error's user message).
SAYS = {
    "latency": "took too long to answer",
    "5xx": "unavailable right now",
    "429": "unavailable right now",
    "reset": "unavailable right now",
    "refused": "unavailable right now",
    "malformed": "could not complete the request",
}

# Safe methods are retried on these (IMBRACE_RETRIES=2: three attempts); writes never are.
RETRIED = {"latency", "5xx", "429", "reset"}


@dataclass
class FaultSwitch:
    gateway: LocalGateway
    settings: object

    def on(self, fault: str, *, path: str, method: str | None = None) -> None:
        spec = FAULTS[fault]
        if spec is None:
            self.settings.IMBRACE_BASE_URL = f"http://127.0.0.1:{free_port()}"
        else:
            self.gateway.add_fault(path=path, method=method, **spec)

    def off(self) -> list[dict]:
        """Recover; returns the requests the gateway saw while the fault was on."""
        seen = self.gateway.requests_seen()
        self.gateway.clear_faults()
        self.settings.IMBRACE_BASE_URL = self.gateway.base_url
        return seen


def count(seen: list[dict], method: str, path: str) -> int:
    return sum(1 for request in seen if request["method"] == method and request["path"] == path)
