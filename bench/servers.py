"""The processes under test: the local gateway and the console, each under uvicorn.

Both run as they do in production (one worker, no debug, no access log) on
127.0.0.1, with data in the bench's temporary directory. The console is set up
once (migrations, static files, one user per role) before it starts.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support import API_KEY, ROLE_PASSWORDS, ROOT, free_port, wait_for

__all__ = ["API_KEY", "ROLE_PASSWORDS", "Console", "Gateway", "raise_open_file_limit"]


def raise_open_file_limit() -> int:
    """Lift the soft limit on open files to the hard one (children inherit it): 500 streams need ~1000 sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass
class Gateway:
    """``python -m localgateway serve`` on a data directory of its own."""

    data_dir: Path
    log_path: Path
    port: int = 0
    process: subprocess.Popen | None = None
    api_key: str = API_KEY

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:  # as tests.support.LocalGateway names it, for the production stack's builder
        return self.url

    def env(self) -> dict[str, str]:
        # Chat replies are paced per assistant (metadata.word_delay_ms), so one gateway serves every case.
        return {**os.environ, "LOCALGATEWAY_DATA_DIR": str(self.data_dir), "LOCALGATEWAY_API_KEY": self.api_key}

    def seed_demo(self) -> str:
        """The demo data ``make run`` shows, so list pages have something on them; "" or why it failed."""
        completed = subprocess.run(
            [sys.executable, "-m", "localgateway", "seed"],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if completed.returncode == 0:
            return ""
        return (completed.stderr.strip().splitlines() or ["no output"])[-1]

    def start(self) -> None:
        self.stop()
        self.port = self.port or free_port()
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "localgateway", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"{self.url}/_local/health", process=self.process, timeout=30)

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


@dataclass
class Console:
    """The console under uvicorn, talking to ``gateway`` with its API key."""

    work_dir: Path
    gateway: Gateway
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def pids(self) -> list[int]:
        return [self.pid]

    tls_verify = True

    @property
    def log_path(self) -> Path:
        return self.work_dir / "console.log"

    @property
    def log_paths(self) -> list[Path]:
        return [self.log_path]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "imbrace_console.settings.base",
            "DJANGO_DEBUG": "0",
            "CONSOLE_DB_PATH": str(self.work_dir / "console.sqlite3"),
            "CONSOLE_STATIC_ROOT": str(self.work_dir / "static"),
            "CONSOLE_UPLOAD_TEMP_DIR": str(self.work_dir / "uploads"),
            "IMBRACE_BASE_URL": self.gateway.url,
            "IMBRACE_API_KEY": self.gateway.api_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }

    def set_up(self) -> None:
        """Migrate, collect static files, and create one user per role (passwords in ROLE_PASSWORDS)."""
        env = self.env()
        (self.work_dir / "uploads").mkdir(parents=True, exist_ok=True)
        manage = [sys.executable, "manage.py"]
        quiet = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], **quiet)
        subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], **quiet)
        script = (
            "from django.contrib.auth.models import Group, User\n"
            f"for role, password in {ROLE_PASSWORDS!r}.items():\n"
            "    user = User.objects.create_user(role, password=password)\n"
            "    user.groups.add(Group.objects.get(name=role.title()))\n"
        )
        subprocess.run([*manage, "shell", "-c", script], **quiet)

    def start(self) -> None:
        self.stop()
        self.port = self.port or free_port()
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "imbrace_console.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"{self.url}/login/", process=self.process, timeout=30)

    def stop(self) -> None:
        _stop(self.process)
        self.process = None
