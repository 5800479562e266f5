"""Helpers to run the local gateway and the console as real processes in tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "api_test_5f0e2c7d9a1b4c3e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, *, timeout: float = 20.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def terminate(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, and SIGKILL if the process has not ended within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def manage(env: dict, *args: str) -> None:
    """Run ``manage.py ARGS`` for a console started with ``env`` (migrate, create its users), failing on error."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_uvicorn(
    env: dict, log_path: Path, *, ready: str = "/login/", workers: int = 1, access_log: bool = False
) -> tuple[subprocess.Popen, str]:
    """The console under uvicorn as deployed, on a free port, its output in ``log_path``.

    Returns the process and its URL once ``ready`` answers: every live test starts it this way.
    """
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "imbrace_console.asgi:application", "--port", str(port)]
    command += ["--workers", str(workers)] if workers > 1 else []
    command += [] if access_log else ["--no-access-log"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}{ready}", process=process, timeout=60)
    except RuntimeError:
        terminate(process)
        raise
    return process, url


@dataclass
class LocalGateway:
    """A running ``python -m localgateway serve`` with test helpers."""

    base_url: str
    api_key: str
    data_dir: Path
    process: subprocess.Popen
    env: dict = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key}

    def client(self, **kwargs) -> httpx.Client:
        """An httpx client authenticated with the API key, for direct gateway calls."""
        return httpx.Client(base_url=self.base_url, headers=self.headers, timeout=30, **kwargs)

    def access_token(self) -> str:
        return httpx.post(f"{self.base_url}/_local/access-tokens", headers=self.headers).json()["access_token"]

    def jwt(self, organizations: list[str] | None = None) -> str:
        body = {"organizations": organizations} if organizations else {}
        return httpx.post(f"{self.base_url}/_local/jwt", headers=self.headers, json=body).json()["token"]

    def add_fault(self, **rule) -> dict:
        response = httpx.post(f"{self.base_url}/_local/faults", json=rule)
        response.raise_for_status()
        return response.json()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base_url}/_local/faults").raise_for_status()

    def requests_seen(self) -> list[dict]:
        return httpx.get(f"{self.base_url}/_local/requests").json()["requests"]

    def stop(self) -> None:
        terminate(self.process, timeout=5)


def start_localgateway(data_dir: Path, *, port: int | None = None, extra_env: dict | None = None) -> LocalGateway:
    port = port or free_port()
    env = {
        **os.environ,
        "LOCALGATEWAY_DATA_DIR": str(data_dir),
        "LOCALGATEWAY_API_KEY": API_KEY,
        "LOCALGATEWAY_CHAT_WORD_DELAY": "0.005",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "localgateway", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_for(f"{base_url}/_local/health", process=process)
    return LocalGateway(base_url=base_url, api_key=API_KEY, data_dir=data_dir, process=process, env=env)


ROLE_PASSWORDS = {
    "admin": "admin-pass-4821",
    "operator": "operator-pass-4821",
    "support": "support-pass-4821",
    "viewer": "viewer-pass-4821",
}


@dataclass
class LiveConsole:
    """The console under uvicorn (DEBUG off, as deployed), with one user per role."""

    url: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    def stop(self) -> None:
        terminate(self.process, timeout=5)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_live_console(
    work_dir: Path, gateway: LocalGateway, *, extra_env: dict | None = None, workers: int = 1
) -> LiveConsole:
    """The console under uvicorn on its own database, with one user per role (``ROLE_PASSWORDS``)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "imbrace_console.settings.base",
        "CONSOLE_DB_PATH": str(work_dir / "console.sqlite3"),
        "CONSOLE_STATIC_ROOT": str(work_dir / "static"),
        "IMBRACE_BASE_URL": gateway.base_url,
        "IMBRACE_API_KEY": gateway.api_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Every browser test logs in from 127.0.0.1: the per-address limit would lock the session out.
        "CONSOLE_LOGIN_FAILURES_PER_ADDRESS": "1000",
        **(extra_env or {}),
    }
    # A SQLite file of its own, also under `make test DB=postgres` (whose DATABASE_URL is the in-process
    # tests' database), unless the test gives it a DATABASE_URL.
    if "DATABASE_URL" not in (extra_env or {}):
        env.pop("DATABASE_URL", None)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    script = (
        "from django.contrib.auth.models import Group, User\n"
        f"for role, password in {ROLE_PASSWORDS!r}.items():\n"
        "    user = User.objects.create_user(role, password=password)\n"
        "    user.groups.add(Group.objects.get(name=role.title()))\n"
    )
    manage(env, "shell", "-c", script)
    log_path = work_dir / "console.log"
    process, url = start_uvicorn(env, log_path, workers=workers)
    return LiveConsole(url=url, process=process, log_path=log_path, env=env)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def login(page, console: LiveConsole, role: str = "admin") -> None:
    """Log ``page`` into the live console as the user for ``role``."""
    page.goto(f"{console.url}/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", ROLE_PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.url}/**")
