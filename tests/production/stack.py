"""The production stack of deploy/, run from its own files: nginx (the site file) in front of console
instances (the systemd unit's command, its environment from the example env file) on PostgreSQL.

Only ports, paths and host names are replaced; every directive and flag is the file's own.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from tests.production.postgres import Cluster
from tests.support import ROLE_PASSWORDS, ROOT, LocalGateway, free_port, terminate, wait_for

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "imbrace-console.conf"
CONSOLE_UNIT = DEPLOY / "systemd" / "imbrace-console@.service"
WORKER_UNIT = DEPLOY / "systemd" / "imbrace-console-worker.service"
PRUNE_UNIT = DEPLOY / "systemd" / "imbrace-console-prune.service"
ENV_EXAMPLE = DEPLOY / "console.env.example"
INSTALL = "/srv/imbrace-console"


def env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """NAME=value lines of a systemd environment file."""
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def unit_commands(unit: Path, port: int | None = None) -> list[list[str]]:
    """The unit's ExecStart lines, each run from this checkout with this Python, listening on loopback."""
    text = unit.read_text().replace("\\\n", " ")
    program = {
        f"{INSTALL}/.venv/bin/uvicorn": [sys.executable, "-m", "uvicorn"],
        f"{INSTALL}/.venv/bin/python": [sys.executable],
    }
    commands = []
    for line in text.splitlines():
        if line.startswith("ExecStart="):
            words = shlex.split(line.removeprefix("ExecStart="))
            command = [*program[words[0]], *words[1:]]
            commands.append([{"%i": str(port), "0.0.0.0": "127.0.0.1"}.get(word, word) for word in command])
    return commands


def unit_command(unit: Path, port: int | None = None) -> list[str]:
    """The one ExecStart of a long-running unit (see ``unit_commands``)."""
    [command] = unit_commands(unit, port)
    return command


def unit_environment(unit: Path, port: int, run: Path) -> dict[str, str]:
    """The unit's Environment= lines for the instance on ``port``, with /run/ under ``run`` (made, as systemd does)."""
    pairs = {}
    for line in re.findall(r"^Environment=(.*)$", unit.read_text(), re.MULTILINE):
        name, _, value = line.replace("%i", str(port)).partition("=")
        if value.startswith("/run/"):
            value = str(run / value.removeprefix("/run/"))
            Path(value).mkdir(parents=True, exist_ok=True)
        pairs[name] = value
    return pairs


def unit_setting(unit: Path, name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", unit.read_text(), re.MULTILINE)
    assert match, f"{unit.name} has no {name}"
    return match.group(1).strip()


def site_config(
    *, upstreams: list[str], http_port: int, https_port: int, static_root: Path, cert: Path, key: Path
) -> str:
    """deploy/'s nginx site with this test's ports, upstream servers, certificate and static root."""
    text = SITE.read_text()
    text = re.sub(r"^\s*listen \[::\].*\n", "", text, flags=re.MULTILINE)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    text = text.replace("console.example.com;", "localhost;")
    text = re.sub(r"ssl_certificate .*;", f"ssl_certificate {cert};", text)
    text = re.sub(r"ssl_certificate_key .*;", f"ssl_certificate_key {key};", text)
    text = text.replace(f"alias {INSTALL}/staticfiles/;", f"alias {static_root}/;")
    servers = re.findall(r"^\s*server \d+\.\d+\.\d+\.\d+:\d+( .*);$", text, flags=re.MULTILINE)
    assert servers, "the upstream lists no server"
    text = re.sub(r"^\s*server \d+\.\d+\.\d+\.\d+:\d+ .*;\n", "", text, flags=re.MULTILINE)
    lines = "".join(f"    server {upstream}{servers[0]};\n" for upstream in upstreams)
    return text.replace("upstream imbrace_console {\n", "upstream imbrace_console {\n" + lines)


def nginx_main(prefix: Path, site: Path) -> str:
    """A main nginx.conf around the site, as Debian's includes it, with everything under ``prefix``."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # the test's files are private to root
    temp = "".join(
        f"    {name}_temp_path {prefix / name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 2;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'access.log'};\n{temp}    sendfile on;\n    include {site};\n}}\n"
    )


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Instance:
    """One console instance: the unit's uvicorn supervisor and its workers."""

    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restart(self) -> None:
        """Start the unit's command again once it has exited (as ``systemctl start`` would), and wait until it answers.

        Its metrics folder is made afresh, as systemd does with the unit's RuntimeDirectory.
        """
        assert self.process.poll() is not None, "stop the instance first"
        metrics = Path(self.env["PROMETHEUS_MULTIPROC_DIR"])
        for stale in metrics.glob("*"):
            stale.unlink()
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                unit_command(CONSOLE_UNIT, self.port), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(f"{self.url}/login/", process=self.process, timeout=120)

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self) -> None:
        terminate(self.process)


class Supervised:
    """A unit's process kept running as systemd keeps it under ``Restart=always``: started again ``RestartSec``
    after it exits (the task worker exits when the database goes away; systemd brings it back)."""

    def __init__(self, unit: Path, log_path: Path, **popen) -> None:
        self.unit, self.log_path, self.popen = unit, log_path, popen
        assert unit_setting(unit, "Restart") == "always", "the stack restarts the process as the unit says"
        self.restart_sec = float(unit_setting(unit, "RestartSec"))
        self.restarts = 0
        self._stopping = threading.Event()
        self.process = self._start()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def _start(self) -> subprocess.Popen:
        with self.log_path.open("a") as log:
            return subprocess.Popen(unit_command(self.unit), stdout=log, stderr=subprocess.STDOUT, **self.popen)

    def _watch(self) -> None:
        while not self._stopping.wait(0.1):
            if self.process.poll() is not None and not self._stopping.wait(self.restart_sec):
                self.restarts += 1
                self.process = self._start()

    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self._stopping.set()
        self._watcher.join()
        terminate(self.process)


@dataclass
class Stack:
    work: Path
    database: Cluster
    gateway: LocalGateway
    env: dict
    https_port: int = 0
    http_port: int = 0
    instances: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    worker: Supervised | None = None

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def client(self, base_url: str | None = None) -> httpx.Client:
        """An HTTPS client of the site (the certificate is the test's own), sending a same-site Referer."""
        return httpx.Client(
            base_url=base_url or self.url, verify=False, timeout=60, headers={"Referer": f"{self.url}/"}
        )

    def login(
        self, role: str = "admin", password: str | None = None, client: httpx.Client | None = None
    ) -> httpx.Response:
        client = client or self.client()
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {"username": role, "password": password or ROLE_PASSWORDS[role], "csrfmiddlewaretoken": token}
        return client.post("/login/", data=data)

    def logs(self) -> str:
        return "\n".join(instance.log_path.read_text(errors="replace") for instance in self.instances)

    def stop(self) -> None:
        if self.nginx is not None:
            terminate(self.nginx)
        if self.worker is not None:
            self.worker.stop()
        for instance in self.instances:
            instance.stop()
        self.database.destroy()


def start_stack(work: Path, gateway: LocalGateway, *, instances: int = 2) -> Stack:
    database = Cluster().start()
    https_port, http_port = free_port(), free_port()
    env = {
        **os.environ,
        **env_file(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://localhost:{https_port}",
        "DATABASE_URL": database.url,
        "IMBRACE_BASE_URL": gateway.base_url,
        "IMBRACE_API_KEY": gateway.api_key,
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "CONSOLE_TRUSTED_PROXIES": "127.0.0.1",
        "CONSOLE_METRICS_ALLOWED_IPS": "127.0.0.1",
        "CONSOLE_STATIC_ROOT": str(work / "static"),
        "CONSOLE_MEDIA_ROOT": str(work / "media"),
        "CONSOLE_UPLOAD_TEMP_DIR": str(work / "uploads"),
        # Open chat answers are cut off 2 s after SIGTERM (default 20 s): tests/production/test_shutdown.py.
        "CONSOLE_SHUTDOWN_GRACE": "2",
    }
    env.pop("DJANGO_DEBUG", None)
    (work / "uploads").mkdir()
    stack = Stack(work=work, database=database, gateway=gateway, env=env, https_port=https_port, http_port=http_port)
    try:
        stack.manage("migrate", "--no-input", "-v", "0")
        stack.manage("collectstatic", "--no-input", "-v", "0")
        script = (
            "from django.contrib.auth.models import Group, User\n"
            f"for role, password in {ROLE_PASSWORDS!r}.items():\n"
            "    User.objects.create_user(role, password=password).groups.add(Group.objects.get(name=role.title()))\n"
        )
        stack.manage("shell", "-c", script)
        for number in range(instances):
            port = free_port()
            log_path = work / f"console-{number}.log"
            instance_env = {**env, **unit_environment(CONSOLE_UNIT, port, work / "run")}
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    unit_command(CONSOLE_UNIT, port), cwd=ROOT, env=instance_env, stdout=log, stderr=subprocess.STDOUT
                )
            stack.instances.append(Instance(port=port, process=process, log_path=log_path, env=instance_env))
        for instance in stack.instances:
            wait_for(f"{instance.url}/login/", process=instance.process, timeout=120)
        stack.worker = Supervised(WORKER_UNIT, work / "worker.log", cwd=ROOT, env=env)
        prefix = work / "nginx"
        prefix.mkdir()
        cert, key = self_signed_certificate(prefix)
        site = prefix / "site.conf"
        site.write_text(
            site_config(
                upstreams=[f"127.0.0.1:{instance.port}" for instance in stack.instances],
                http_port=http_port,
                https_port=https_port,
                static_root=work / "static",
                cert=cert,
                key=key,
            )
        )
        (prefix / "nginx.conf").write_text(nginx_main(prefix, site))
        subprocess.run(["/usr/sbin/nginx", "-t", "-q", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], check=True)
        stack.nginx = subprocess.Popen(
            ["/usr/sbin/nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
        )
        deadline_wait(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def deadline_wait(stack: Stack) -> None:
    import time

    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{stack.url}/login/", verify=False, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or stack.nginx.poll() is not None:
            raise RuntimeError("nginx did not answer within 20 s")
        time.sleep(0.1)
