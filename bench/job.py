"""What the harness hands a load process: where the servers are and the case's parameters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


class Skip(Exception):
    """A case cannot run here (its console feature is missing); the message says why."""


@dataclass
class Job:
    case: str
    quick: bool
    console_url: str
    console_pid: int
    gateway_url: str
    api_key: str
    username: str
    password: str
    params: dict = field(default_factory=dict)
    # Every process serving the console (the production stack: each instance's uvicorn workers), for memory.
    console_pids: list[int] = field(default_factory=list)
    # False for the production stack, whose nginx has a self-signed certificate of its own.
    console_tls_verify: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Job:
        return cls(**data)


def record(case: str, console: float | None, direct: float | None, unit: str, n: int, **extra: object) -> dict:
    """One line of ``bench/results.json``."""
    return {"case": case, "console": console, "direct": direct, "unit": unit, "n": n, **extra}
