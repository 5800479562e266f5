"""``make run``: the local gateway (unless IMBRACE_BASE_URL is set), the console and its task worker, until Ctrl-C.

The task worker (django-tasks-db's ``db_worker``) runs background tasks such as board CSV imports.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

HOST = "127.0.0.1"


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url} exited before it answered (code {process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own loopback address)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer within {timeout:.0f}s")


def main() -> None:
    port = os.environ.get("PORT", "8000")
    gateway_port = os.environ.get("LOCALGATEWAY_PORT", "8100")
    processes: list[subprocess.Popen] = []

    def stop(*_args) -> None:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                # The task worker first finishes the import slice in hand (BOARD_IMPORT_SLICE_SECONDS).
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    if os.environ.get("IMBRACE_BASE_URL"):
        print(f"Using the gateway at {os.environ['IMBRACE_BASE_URL']}; no local gateway started.")
    else:
        subprocess.run([sys.executable, "-m", "localgateway", "seed", "--if-empty"], check=True)
        # Sample dashboard numbers (a week of calls and chats) on a fresh demo database only.
        subprocess.run([sys.executable, "manage.py", "seed_metrics", "--if-empty"], check=True)
        gateway = subprocess.Popen(
            [sys.executable, "-m", "localgateway", "serve", "--host", HOST, "--port", gateway_port]
        )
        processes.append(gateway)
        wait_until_up(f"http://{HOST}:{gateway_port}/_local/health", gateway)
        print(f"Local gateway on http://{HOST}:{gateway_port}")

    console = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "imbrace_console.asgi:application",
            "--host",
            HOST,
            "--port",
            port,
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    processes.append(console)
    # Background tasks (board CSV imports) run here, beside the console: one worker, polling every second.
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "1", "--no-reload", "--no-startup-delay"]
    )
    processes.append(worker)
    wait_until_up(f"http://{HOST}:{port}/login/", console)
    print(f"Imbrace Console on http://{HOST}:{port}, with a task worker  (Ctrl-C stops them all)")
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
