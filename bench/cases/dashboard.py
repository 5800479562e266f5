"""The dashboard with 30 days of minute aggregates for 50 route templates (2 days with --quick).

The console's database is seeded with ``manage.py seed_metrics`` (hour rows and minute rows for the
whole period), then the page (7-day window) is timed through the console and its gateway calls
directly, in turn; and the gateway health card alone, which reads only the console's database, so
its time is all console time.
"""

from __future__ import annotations

import subprocess
import sys
import time

from ..client import console_login, gateway_client
from ..job import Job, Skip, record
from ..replay import gateway_calls, replay
from ..servers import ROOT
from ..stats import percentile, rounded

RECORDS = {"dashboard_ms_p50": "ms", "dashboard_health_7d_ms_p50": "ms"}
ROUTES = 50


def params(ctx) -> dict:
    card = ctx.url_for("dashboard-card", card="health")
    if card is None:
        raise Skip("the console has no dashboard cards yet")
    env = getattr(ctx.console, "env", None)
    if not callable(env):
        raise Skip("the console's settings cannot be read to seed its database")
    days = 2 if ctx.quick else 30
    started = time.perf_counter()
    command = ["manage.py", "seed_metrics", "--days", str(days), "--routes", str(ROUTES), "--minute-days", str(days)]
    subprocess.run([sys.executable, *command], cwd=ROOT, env=env(), check=True, stdout=subprocess.DEVNULL)
    print(f"  seed dashboard aggregates ({days} days, {ROUTES} routes): {time.perf_counter() - started:.1f}s")
    return {
        "page": "/?window=7d",
        "card": f"{card}?window=7d",
        "days": days,
        "iterations": 10 if ctx.quick else 60,
        "budget_s": 6 if ctx.quick else 60,
    }


async def _time(send) -> float:
    started = time.perf_counter()
    await send()
    return (time.perf_counter() - started) * 1000


async def run(job: Job) -> list[dict]:
    p = job.params
    console = await console_login(job.console_url, job.username, job.password, verify=job.console_tls_verify)
    direct = gateway_client(job.gateway_url, job.api_key)
    times: dict[str, list[float]] = {"page": [], "direct": [], "card": []}
    errors = 0
    try:
        calls = await gateway_calls(direct, lambda: console.get(p["page"]))

        async def page() -> None:
            nonlocal errors
            errors += (await console.get(p["page"])).status_code != 200

        async def card() -> None:
            nonlocal errors
            errors += (await console.get(p["card"], headers={"HX-Request": "true"})).status_code != 200

        async def gateway() -> None:
            await replay(direct, calls)

        deadline = time.perf_counter() + p["budget_s"]
        for iteration in range(p["iterations"]):
            if iteration >= 2 and time.perf_counter() > deadline:
                break
            times["page"].append(await _time(page))
            times["direct"].append(await _time(gateway))
            times["card"].append(await _time(card))
    finally:
        await console.aclose()
        await direct.aclose()
    note = f"{p['days']} days of minute and hour rows, {ROUTES} routes; direct: the page's {len(calls)} gateway calls"
    if errors:
        note += f"; {errors} errors"
    return [
        record(
            "dashboard_ms_p50",
            rounded(percentile(times["page"], 50)),
            rounded(percentile(times["direct"], 50)),
            "ms",
            len(times["page"]),
            note=note,
        ),
        record(
            "dashboard_health_7d_ms_p50",
            rounded(percentile(times["card"], 50)),
            None,
            "ms",
            len(times["card"]),
            note="the gateway health card alone (7-day window): console database only",
        ),
    ]
