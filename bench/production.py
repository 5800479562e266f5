"""``python -m bench --stack production``: the console as deploy/ runs it, built by the production-stack tests'
own builder (tests/production/stack.py): Debian's nginx with the site file (TLS, a self-signed certificate)
in front of two console instances, each the systemd unit's ``uvicorn --workers 2``, and the task worker, on a
throw-away PostgreSQL cluster (tests/production/postgres.py), with the production settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .servers import Gateway

if TYPE_CHECKING:
    from tests.production.stack import Stack

INSTANCES = 2


@dataclass
class ProductionConsole:
    """The console behind nginx; the same face to the harness as ``servers.Console``."""

    work_dir: Path
    gateway: Gateway
    stack: Stack | None = None
    tls_verify = False  # nginx's certificate is the stack's own

    @property
    def url(self) -> str:
        assert self.stack is not None
        return self.stack.url

    @property
    def pid(self) -> int:
        """The first instance's uvicorn supervisor (py-spy follows its workers with ``--subprocesses``)."""
        assert self.stack is not None
        return self.stack.instances[0].process.pid

    @property
    def pids(self) -> list[int]:
        """Every uvicorn worker of every instance: memory is their sum."""
        assert self.stack is not None
        return [worker.pid for instance in self.stack.instances for worker in instance.workers()]

    @property
    def log_paths(self) -> list[Path]:
        names = [f"console-{number}.log" for number in range(INSTANCES)] + ["worker.log", "nginx/error.log"]
        return [self.work_dir / name for name in names]

    def set_up(self) -> None:
        """Nothing here: the stack's builder migrates, collects static files and makes the users as it starts."""

    def start(self) -> None:
        from tests.production.stack import start_stack

        self.stop()
        self.stack = start_stack(self.work_dir, self.gateway, instances=INSTANCES)

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.stack = None
