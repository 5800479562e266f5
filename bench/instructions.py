"""``python -m bench.instructions``: the console's own work for one page, counted in instructions.

A timing on a shared machine moves from one run to the next by more than a
change that saves a few percent of the console's work, so such a change is
lost in ``make bench``. Valgrind's callgrind counts the instructions a process runs,
which do not depend on what else the machine is doing.

The console is not served here. A child process imports its ASGI application
and calls it with the scope uvicorn would pass, each request in a task of its
own as uvicorn runs it, logged in through the login form. It talks over HTTP
to a real local gateway holding what the page shows. Two pages can be counted
(``--page``): ``items``, 50 rows of the bench's board (10,000 items, 8
fields) as Support sees it, and ``knowledge``, the folder list the upload
case fetches while files arrive, as the bench's Admin sees it. The child runs
twice under callgrind: once with ``WARM`` pages and once with ``WARM +
PAGES``. The difference, divided by ``PAGES``, is one page's instructions,
start-up (imports, settings, the first requests) left out.

What it counts is the console's process only: the middleware, the session and
user reads, the gateway client, the view and the template. The gateway and the
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from . import seed
from .asgi import body_then_wait, http_scope

WARM = 5
PAGES = 40
PAGE_SIZE = 50


@dataclass(frozen=True)
class Counted:
    """A page to count: who sees it, what the gateway is seeded with, and how the page is asked for."""

    record: str
    role: str
    seed: Callable  # (gateway client) -> the id the page is about
    path: str  # with ``{id}``
    marker: bytes  # in every answer counted, so an error page is never counted
    what: str
    paged: bool = False  # asked for page by page, spread over the board as the boards case visits it

    def query(self, index: int) -> str:
        return f"page={1 + (index % 20) * 10}&size={PAGE_SIZE}" if self.paged else ""


COUNTED = {
    # Support sees the whole table: selection, row actions, editable cells.
    "items": Counted(
        "board_items_page_instructions",
        "support",
        lambda gateway: seed.board_seed(gateway, items=10_000)["board_id"],
        "/boards/{id}/",
        b'class="item-row"',
        "one items page (50 rows, 8 fields)",
        paged=True,
    ),
    # The upload case's watched page, as its Admin sees it (with the new-folder form).
    "knowledge": Counted(
        "knowledge_page_instructions",
        "admin",
        lambda gateway: seed.folder_seed(gateway)["folder_id"],
        "/knowledge/",
        b'data-testid="folder-node"',
        "the knowledge page (one folder, the new-folder form)",
    ),
}


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
        sent: list[dict] = []
        never = asyncio.Event()  # the client stays connected

        async def send(message: dict) -> None:
            sent.append(message)

        # uvicorn runs each request in a task of its own; so does this.
        scope = http_scope(method, path, headers, query=query)
        await asyncio.create_task(self.application(scope, body_then_wait(body, never), send))
        start = next(message for message in sent if message["type"] == "http.response.start")
        self.cookies.update(_cookies(start.get("headers", [])))
        content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], content


async def _pages(counted: Counted, target_id: str, password: str, count: int) -> None:
    from imbrace_console.asgi import application

    client = InProcess(application)
    await client.request("GET", "/login/")  # for the CSRF cookie
    form = {"username": counted.role, "password": password, "csrfmiddlewaretoken": client.cookies.get("csrftoken", "")}
    status, _ = await client.request("POST", "/login/", form=form)
    if status != 302:
        raise SystemExit(f"bench.instructions: the log-in answered {status}, not a redirect")
    path = counted.path.format(id=target_id)
    for index in range(count):
        status, content = await client.request("GET", path, query=counted.query(index))
        if status != 200 or counted.marker not in content:
            raise SystemExit(f"bench.instructions: {path} ({index + 1}) answered {status} without what it shows")


def child(page: str, target_id: str, password: str, count: int) -> None:
    """Run ``count`` pages in this process (under callgrind when the parent asks)."""
    import uvloop

    uvloop.run(_pages(COUNTED[page], target_id, password, count))


def _collected(log: Path) -> int:
    match = re.search(r"Collected : (\d+)", log.read_text())
    if match is None:
        raise SystemExit(f"bench.instructions: no instruction count in {log}")
    return int(match.group(1))


def _counted(work: Path, env: dict, page: str, target_id: str, password: str, count: int) -> int:
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
        target_id,
        "--page",
        page,
        "--pages",
        str(count),
    ]
    # Under valgrind the console runs tens of times slower: the page's gateway time budget would end it.
    env = {**env, "BENCH_ROLE_PASSWORD": password, "IMBRACE_PAGE_DEADLINE": "600", "IMBRACE_READ_TIMEOUT": "600"}
    root = Path(__file__).resolve().parent.parent
    # The console's own log lines (one per gateway call) go nowhere; its last words are kept for a failure.
    completed = subprocess.run(command, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        last = "\n".join(completed.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"bench.instructions: the run of {count} pages failed:\n{last}")
    return _collected(log)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", choices=sorted(COUNTED), default="items", help="the page counted (default items)")
    parser.add_argument("--pages", type=int, default=PAGES, help=f"pages counted (default {PAGES})")
    parser.add_argument("--child", metavar="ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.page, args.child, os.environ["BENCH_ROLE_PASSWORD"], args.pages)
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench.instructions: valgrind is needed (make bench-instructions installs Debian's package)")

    import httpx

    from .servers import ROLE_PASSWORDS, Console, Gateway

    counted = COUNTED[args.page]
    sys.stdout.reconfigure(line_buffering=True)
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp:
        work = Path(tmp)
        gateway = Gateway(data_dir=work / "gateway", log_path=work / "gateway.log")
        console = Console(work_dir=work / "console", gateway=gateway)
        gateway.data_dir.mkdir(parents=True)
        console.work_dir.mkdir(parents=True)
        gateway.start()
        try:
            print(f"bench.instructions: seeding the gateway for {counted.what} and setting up the console")
            with httpx.Client(base_url=gateway.url, headers={"x-api-key": gateway.api_key}, timeout=120) as client:
                target_id = counted.seed(client)
            console.set_up()
            # The same hash seed in both runs, so dict and set layouts do not differ between them.
            env = {**console.env(), "PYTHONHASHSEED": "0"}
            password = ROLE_PASSWORDS[counted.role]
            print(f"bench.instructions: {WARM} and {WARM + args.pages} pages under callgrind (a minute or two each)")
            base = _counted(work, env, args.page, target_id, password, WARM)
            total = _counted(work, env, args.page, target_id, password, WARM + args.pages)
        finally:
            gateway.stop()
    per_page = (total - base) / args.pages
    millions = round(per_page / 1e6, 2)
    print(json.dumps({"case": counted.record, "console": millions, "unit": "M", "n": args.pages}))
    print(f"bench.instructions: {counted.what} runs {millions} M instructions in the console")


if __name__ == "__main__":
    main()
