"""``make bench``: start the servers, seed, run every case's load in its own process, report.

The harness owns the processes and the data; a case owns its load (see
``cases/``). Results go to the terminal as a table and to ``bench/results.json``
(``bench/results-production.json`` for ``--stack production``: bench/production.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import seed
from .cases import CASES, ORDER
from .job import Job, Skip, record
from .production import ProductionConsole
from .servers import ROLE_PASSWORDS, ROOT, Console, Gateway, raise_open_file_limit

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
RESULTS_PATHS = {"local": RESULTS_PATH, "production": RESULTS_PATH.with_name("results-production.json")}
PROFILE_DIR = ROOT / "var" / "bench-profiles"
LOG_DIR = ROOT / "var" / "bench-logs"
USERNAME = "admin"
LOAD_TIMEOUT = {"quick": 90, "full": 300}


@dataclass
class Context:
    """What ``params(ctx)`` of a case can read."""

    quick: bool
    gateway: Gateway
    console: Console | ProductionConsole
    url_for: Callable[..., str | None]
    work_dir: Path
    profile: bool = False
    data: dict = field(default_factory=dict)
    unavailable: dict = field(default_factory=dict)

    def need(self, key: str) -> object:
        """Seeded data, or Skip with the reason it could not be seeded."""
        if key not in self.data:
            raise Skip(self.unavailable.get(key, f"no {key} was seeded"))
        return self.data[key]


def _url_resolver() -> Callable[..., str | None]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbrace_console.settings.base")
    import django

    django.setup()
    from django.urls import NoReverseMatch, reverse

    def url_for(name: str, **kwargs: str) -> str | None:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None

    return url_for


def _seed(ctx: Context) -> None:
    items = 200 if ctx.quick else 10_000
    slow_ms = 300 if ctx.quick else 2500  # 17 words: replies that stay open for 5 s (quick) or 40 s
    steps = [
        (("board_id", "field_ids", "search_word"), lambda gw: seed.board_seed(gw, items=items)),
        (("assistant_id", "slow_assistant_id"), lambda gw: seed.assistant_seed(gw, slow_ms=slow_ms)),
        (("folder_id",), seed.folder_seed),
    ]
    with httpx.Client(base_url=ctx.gateway.url, headers={"x-api-key": ctx.gateway.api_key}, timeout=120) as gw:
        for keys, make in steps:
            started = time.perf_counter()
            try:
                ctx.data.update(make(gw))
            except Skip as exc:
                ctx.unavailable.update(dict.fromkeys(keys, str(exc)))
                print(f"  seed {keys[0]}: skipped ({exc})")
            else:
                print(f"  seed {keys[0]}: {time.perf_counter() - started:.1f}s")


def _run_load(ctx: Context, case: str, params: dict) -> list[dict]:
    job = Job(
        case=case,
        quick=ctx.quick,
        console_url=ctx.console.url,
        console_pid=ctx.console.pid,
        console_pids=ctx.console.pids,
        console_tls_verify=ctx.console.tls_verify,
        gateway_url=ctx.gateway.url,
        api_key=ctx.gateway.api_key,
        username=USERNAME,
        password=ROLE_PASSWORDS[USERNAME],
        params=params,
    )
    completed = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=ROOT,
        input=json.dumps(job.to_dict()),
        capture_output=True,
        text=True,
        timeout=LOAD_TIMEOUT["quick" if ctx.quick else "full"],
    )
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"load process failed: {tail[0][:300]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _skipped(module, reason: str, *, failed: bool = False) -> list[dict]:
    """The case's records without values; ``failed`` marks a broken run (as opposed to a missing feature)."""
    extra = {"failed": True} if failed else {}
    return [record(name, None, None, unit, 0, note=reason, **extra) for name, unit in module.RECORDS.items()]


@contextlib.contextmanager
def _profiled(ctx: Context, key: str):
    """Record the console with py-spy while the case runs: ``var/bench-profiles/<case>.folded`` (folded stacks)."""
    if not ctx.profile:
        yield
        return
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    output = PROFILE_DIR / f"{key}.folded"
    spy_command = [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(ctx.console.pid)]
    if len(ctx.console.pids) > 1:
        spy_command.append("--subprocesses")
    spy = subprocess.Popen(
        [*spy_command, "--rate", "100", "--format", "raw", "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
        print(f"  {key}: console profile in {output}")


def _run_case(ctx: Context, key: str) -> list[dict]:
    module = CASES[key]
    try:
        params = module.params(ctx)
    except Skip as exc:
        print(f"  {key}: skipped ({exc})")
        return _skipped(module, f"skipped: {exc}")
    started = time.perf_counter()
    try:
        with _profiled(ctx, key):
            records = _run_load(ctx, key, params)
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        print(f"  {key}: failed ({exc})")
        return _skipped(module, f"failed: {exc}", failed=True)
    print(f"  {key}: {time.perf_counter() - started:.1f}s")
    seen = {row["case"] for row in records}
    missing = {name: unit for name, unit in module.RECORDS.items() if name not in seen}
    return records + [record(name, None, None, unit, 0, note="not reported") for name, unit in missing.items()]


def run(*, quick: bool, cases: list[str] | None = None, profile: bool = False, stack: str = "local") -> list[dict]:
    raise_open_file_limit()
    url_for = _url_resolver()
    records: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="imbrace-bench-") as tmp:
        work = Path(tmp)
        gateway = Gateway(data_dir=work / "gateway", log_path=work / "gateway.log")
        server = {"local": Console, "production": ProductionConsole}[stack]
        console = server(work_dir=work / "console", gateway=gateway)
        ctx = Context(quick=quick, gateway=gateway, console=console, url_for=url_for, work_dir=work, profile=profile)
        try:
            print(f"bench: setting up the local gateway and the console ({stack} stack)")
            gateway.data_dir.mkdir(parents=True)
            console.work_dir.mkdir(parents=True)
            problem = gateway.seed_demo()
            if problem:
                print(f"  demo data: not loaded ({problem}); the list pages will be short")
            gateway.start()
            console.set_up()
            console.start()
            _seed(ctx)
            for key in cases or ORDER:
                records.extend(_run_case(ctx, key))
        finally:
            console.stop()
            gateway.stop()
            LOG_DIR.mkdir(parents=True, exist_ok=True)
            for log in (*console.log_paths, gateway.log_path):
                if log.exists():
                    shutil.copy(log, LOG_DIR / log.name)
            print(f"bench: server logs in {LOG_DIR}")
    return records
