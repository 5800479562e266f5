"""``python -m bench.instructions``: the console's own work for one items page, counted in instructions.

On this machine a timing moves by a fifth or more from one run to the next,
so a change that saves a few percent of the console's work is lost in
``make bench``. Valgrind's callgrind counts the instructions a process runs,
which do not depend on what else the machine is doing.

The console is not served here. A child process imports its ASGI application
and calls it with the scope uvicorn would pass, each request in a task of its
own as uvicorn runs it, logged in through the login form. It talks over HTTP
to a real local gateway holding the bench's board (10,000 items, 8 fields).
The child runs twice under callgrind: once with ``WARM`` pages and once with
``WARM + PAGES``. The difference, divided by ``PAGES``, is one page's
instructions, start-up (imports, settings, the first requests) left out.

What it counts is the console's process only: the middleware, the session and
user reads, the gateway client, the rows and the template. The gateway and the
network are not in it. Callgrind counts a large copy (``rep movsb``) as one
instruction a byte, so copies weigh more here than in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

WARM = 5
PAGES = 40
PAGE_SIZE = 50
ROLE = "support"  # sees the whole table: selection, row actions, editable cells


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == b"set-cookie":
            pair = value.decode("latin-1").split(";", 1)[0]
            key, _, cookie = pair.partition("=")
            found[key.strip()] = cookie.strip()
    return found


class InProcess:
    """Requests straight into the console's ASGI application, keeping its cookies like a browser."""

    def __init__(self, application) -> None:
        self.application = application
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, *, query: str = "", form: dict | None = None) -> tuple[int, bytes]:
        body = urlencode(form).encode() if form is not None else b""
        headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
        if self.cookies:
            headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()))
        if form is not None:
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 80),
        }
        sent: list[dict] = []
        delivered = False
        never = asyncio.Event()

        async def receive() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await never.wait()  # the client stays connected
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        # uvicorn runs each request in a task of its own; so does this.
        await asyncio.create_task(self.application(scope, receive, send))
        start = next(message for message in sent if message["type"] == "http.response.start")
        self.cookies.update(_cookies(start.get("headers", [])))
        content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], content


async def _pages(board_id: str, password: str, count: int) -> None:
    from imbrace_console.asgi import application

    client = InProcess(application)
    await client.request("GET", "/login/")  # for the CSRF cookie
    form = {"username": ROLE, "password": password, "csrfmiddlewaretoken": client.cookies.get("csrftoken", "")}
    status, _ = await client.request("POST", "/login/", form=form)
    if status != 302:
        raise SystemExit(f"bench.instructions: the log-in answered {status}, not a redirect")
    path = f"/boards/{board_id}/"
    for index in range(count):
        page = 1 + (index % 20) * 10  # pages spread over the board, as the boards case visits them
        status, content = await client.request("GET", path, query=f"page={page}&size={PAGE_SIZE}")
        if status != 200 or b'class="item-row"' not in content:
            raise SystemExit(f"bench.instructions: page {page} answered {status} without rows")


def child(board_id: str, password: str, count: int) -> None:
    """Run ``count`` items pages in this process (under callgrind when the parent asks)."""
    import uvloop

    uvloop.run(_pages(board_id, password, count))


def _collected(log: Path) -> int:
    match = re.search(r"Collected : (\d+)", log.read_text())
    if match is None:
        raise SystemExit(f"bench.instructions: no instruction count in {log}")
    return int(match.group(1))


def _counted(work: Path, env: dict, board_id: str, password: str, count: int) -> int:
    log = work / f"callgrind-{count}.log"
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--log-file={log}",
        f"--callgrind-out-file={work / f'callgrind-{count}.out'}",
        sys.executable,
        "-m",
        "bench.instructions",
        "--child",
        board_id,
        "--pages",
        str(count),
    ]
    env = {**env, "BENCH_ROLE_PASSWORD": password}
    root = Path(__file__).resolve().parent.parent
    # The console's own log lines (one per gateway call) go nowhere; its last words are kept for a failure.
    completed = subprocess.run(command, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        last = "\n".join(completed.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"bench.instructions: the run of {count} pages failed:\n{last}")
    return _collected(log)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=PAGES, help=f"pages counted (default {PAGES})")
    parser.add_argument("--child", metavar="BOARD_ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, os.environ["BENCH_ROLE_PASSWORD"], args.pages)
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench.instructions: valgrind is needed (make bench-instructions installs Debian's package)")

    import httpx

    from . import seed
    from .servers import ROLE_PASSWORDS, Console, Gateway

    sys.stdout.reconfigure(line_buffering=True)
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp:
        work = Path(tmp)
        gateway = Gateway(data_dir=work / "gateway", log_path=work / "gateway.log")
        console = Console(work_dir=work / "console", gateway=gateway)
        gateway.data_dir.mkdir(parents=True)
        console.work_dir.mkdir(parents=True)
        gateway.start()
        try:
            print("bench.instructions: seeding a board of 10,000 items and setting up the console")
            with httpx.Client(base_url=gateway.url, headers={"x-api-key": gateway.api_key}, timeout=120) as client:
                board_id = seed.board_seed(client, items=10_000)["board_id"]
            console.set_up()
            # The same hash seed in both runs, so dict and set layouts do not differ between them.
            env = {**console.env(), "PYTHONHASHSEED": "0"}
            password = ROLE_PASSWORDS[ROLE]
            print(f"bench.instructions: {WARM} and {WARM + args.pages} pages under callgrind (a minute or two each)")
            base = _counted(work, env, board_id, password, WARM)
            total = _counted(work, env, board_id, password, WARM + args.pages)
        finally:
            gateway.stop()
    per_page = (total - base) / args.pages
    millions = round(per_page / 1e6, 2)
    print(json.dumps({"case": "board_items_page_instructions", "console": millions, "unit": "M", "n": args.pages}))
    print(f"bench.instructions: one items page (50 rows, 8 fields) runs {millions} M instructions in the console")


if __name__ == "__main__":
    main()
