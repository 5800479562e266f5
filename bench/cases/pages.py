"""``pages_rps@50``: list pages under 50 concurrent users, console versus direct.

Each user loops over the mix of list pages (starting at a different page).
The direct path of a page is the set of gateway calls that page makes,
discovered from the gateway's request log and made concurrently. The two
paths take turns in time slices, so a noisy neighbour hits both.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from ..client import console_login, gateway_client
from ..job import Job, Skip, record
from ..replay import Call, gateway_calls, replay
from ..stats import percentile, rounded

RECORDS = {"pages_rps@50": "req/s"}
PAGE_NAMES = ["dashboard", "assistants-list", "flows-list", "flow-runs-list", "knowledge-list", "boards-list"]
USERS = 50


def params(ctx) -> dict:
    pages = [url for url in (ctx.url_for(name) for name in PAGE_NAMES) if url]
    if not pages:
        raise Skip("no list page is routed")
    return {"pages": pages, "users": USERS, "slice_s": 1.0 if ctx.quick else 4.0, "slices": 1 if ctx.quick else 3}


async def _slice(send, mix: list, users: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def user(index: int) -> None:
        nonlocal errors
        turn = index
        while time.perf_counter() < deadline:
            page = mix[turn % len(mix)]
            turn += 1
            begun = time.perf_counter()
            try:
                errors += await send(page)
            except httpx.TransportError:
                # An idle connection reused just as the server closed it (both keep one 5 s) fails
                # with ReadError: counted in the note's errors, as an error status is, not a crash.
                errors += 1
                continue
            latencies.append((time.perf_counter() - begun) * 1000)

    await asyncio.gather(*(user(index) for index in range(users)))
    return latencies, errors, time.perf_counter() - started


async def run(job: Job) -> list[dict]:
    users = job.params["users"]
    console = await console_login(
        job.console_url, job.username, job.password, connections=users, verify=job.console_tls_verify
    )
    direct = gateway_client(job.gateway_url, job.api_key, connections=users * 8)
    try:
        mix: list[tuple[str, list[Call]]] = []
        left_out: list[str] = []
        for url in job.params["pages"]:
            calls = await gateway_calls(direct, lambda url=url: console.get(url))
            if calls and all(call.method == "GET" for call in calls):
                mix.append((url, calls))
            else:
                left_out.append(url)
        if not mix:
            return [record("pages_rps@50", None, None, "req/s", 0, note="no list page makes gateway calls")]

        async def via_console(page) -> int:
            response = await console.get(page[0])
            return int(response.status_code != 200)

        async def via_direct(page) -> int:
            return int(await replay(direct, page[1]) > 0)

        for page in mix:  # warm both paths (connection pools, template caches)
            await via_console(page)
            await via_direct(page)
        results = {"console": ([], 0, 0.0), "direct": ([], 0, 0.0)}
        for _ in range(job.params["slices"]):
            for name, send in (("console", via_console), ("direct", via_direct)):
                latencies, errors, seconds = await _slice(send, mix, users, job.params["slice_s"])
                total = results[name]
                results[name] = (total[0] + latencies, total[1] + errors, total[2] + seconds)
    finally:
        await console.aclose()
        await direct.aclose()

    def rps(name: str) -> float:
        latencies, _, seconds = results[name]
        return round(len(latencies) / seconds, 1)

    p95 = {name: rounded(percentile(results[name][0], 95)) for name in results}
    note = f"p95 {p95['console']} ms console, {p95['direct']} ms direct; pages: {', '.join(url for url, _ in mix)}"
    if left_out:
        note += f"; left out (no direct equivalent): {', '.join(left_out)}"
    errors = results["console"][1] + results["direct"][1]
    if errors:
        note += f"; {results['console'][1]} console and {results['direct'][1]} direct errors"
    return [
        record(
            "pages_rps@50",
            rps("console"),
            rps("direct"),
            "req/s",
            len(results["console"][0]),
            p95_ms=p95,
            note=note,
        )
    ]
