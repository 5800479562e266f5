"""A throw-away PostgreSQL cluster (Debian's ``postgresql`` package) on a free port, for tests.

``make test DB=postgres`` runs the suite inside one::

    python -m tests.production.postgres -- python -m pytest ...

starts a cluster, runs the command with ``DATABASE_URL`` pointing at it, then
stops the cluster and removes its files. The production-stack tests start their
own (they stop and restart it).

``initdb`` refuses to run as root: as root the cluster's commands run as the
``postgres`` user (made by Debian's package) through ``runuser``. The cluster
trusts local connections and does not sync to disk: it holds test data only.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from tests.support import free_port

USER = "console"
DATABASE = "console"


def server_bin_dir() -> Path:
    """The newest installed PostgreSQL's server programs (initdb, pg_ctl)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(Path(path).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
    return Path(found[-1]).parent


class Cluster:
    """One PostgreSQL server with a ``console`` database owned by the ``console`` superuser."""

    def __init__(self, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.bin = server_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="imbrace-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd=self.root)

    def start(self) -> Cluster:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C")
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.root}'",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "200",
            }
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
            self._pg_ctl("start")
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {DATABASE}")
        else:
            self._pg_ctl("start")
        return self

    @property
    def admin_url(self) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, action: str, *extra: str) -> None:
        result = self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *extra, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl {action} failed: {result.stdout}{result.stderr}\n{log}")

    def stop(self) -> None:
        """Stop the server (fast: open connections are ended), keeping its files."""
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def destroy(self) -> None:
        """Stop the server if it runs and remove its files."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: python -m tests.production.postgres -- COMMAND...")
    cluster = Cluster().start()
    print(f"PostgreSQL {cluster.bin.parent.name} on port {cluster.port} ({cluster.root})", flush=True)
    try:
        return subprocess.run(argv, env={**os.environ, "DATABASE_URL": cluster.url}, check=False).returncode
    finally:
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
