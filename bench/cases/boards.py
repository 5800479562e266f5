"""Board items: a page of 50 rows of a 10,000-item board with 8 fields, and a search.

A set of pages spread over the board is loaded once through the console to
learn the gateway calls each makes (and to warm both paths); then each page
is timed through the console and directly, in turn, the order swapping every
time so neither path always goes first.
"""

from __future__ import annotations

import time

from ..client import console_login, gateway_client
from ..job import Job, Skip, record
from ..replay import Call, gateway_calls, replay
from ..stats import percentile, rounded

RECORDS = {
    "board_items_page_ms_p50": "ms",
    "board_items_page_ms_p95": "ms",
    "board_search_ms_p95": "ms",
}
PAGE_SIZE = 50
SPREAD = 20  # distinct pages visited


def params(ctx) -> dict:
    board_id = ctx.need("board_id")
    detail = ctx.url_for("boards-detail", board_id=board_id)
    if detail is None:
        raise Skip("the console has no board page (boards-detail) yet")
    items = 200 if ctx.quick else 10_000
    pages = max(1, items // PAGE_SIZE)
    chosen = sorted({1 + (pages - 1) * index // (SPREAD - 1) for index in range(SPREAD)})
    return {
        "page_urls": [f"{detail}?page={page}&size={PAGE_SIZE}" for page in chosen],
        "search_urls": [f"{detail}?q={ctx.need('search_word')}&size={PAGE_SIZE}"],
        "search_word": ctx.need("search_word"),
        "iterations": 20 if ctx.quick else 300,
        # Each measurement stops at its iteration count or its time budget, whichever comes first.
        "budget_s": 6 if ctx.quick else 60,
    }


async def _timed(send) -> tuple[float, bool]:
    started = time.perf_counter()
    ok = await send()
    return (time.perf_counter() - started) * 1000, ok


async def _compare(console, direct, urls: list[str], p: dict, bodies) -> dict:
    plans: list[tuple[str, list[Call]]] = []
    for url in urls:
        calls = await gateway_calls(direct, lambda url=url: console.get(url))
        plans.append((url, calls))
    times: dict[str, list[float]] = {"console": [], "direct": []}
    errors = {"console": 0, "direct": 0}
    deadline = time.perf_counter() + p["budget_s"]
    for iteration in range(p["iterations"]):
        if iteration >= 2 and time.perf_counter() > deadline:
            break
        url, calls = plans[iteration % len(plans)]

        async def via_console(url=url) -> bool:
            return (await console.get(url)).status_code == 200

        async def via_direct(calls=calls) -> bool:
            return await replay(direct, calls, bodies(calls)) == 0

        order = [("console", via_console), ("direct", via_direct)]
        for name, send in order if iteration % 2 == 0 else order[::-1]:
            elapsed, ok = await _timed(send)
            times[name].append(elapsed)
            errors[name] += not ok
    calls = sorted({f"{call.method} {call.path}" for _, plan in plans for call in plan})
    return {"times": times, "errors": errors, "n": len(times["console"]), "calls": calls}


async def run(job: Job) -> list[dict]:
    p = job.params
    console = await console_login(job.console_url, job.username, job.password, verify=job.console_tls_verify)
    direct = gateway_client(job.gateway_url, job.api_key)
    # The request log has no bodies: the search body is the one the console's selector sends.
    body = {"q": p["search_word"], "limit": PAGE_SIZE, "offset": 0}
    try:
        items = await _compare(console, direct, p["page_urls"], p, lambda calls: {})
        search = await _compare(
            console,
            direct,
            p["search_urls"],
            p,
            lambda calls: {call: body for call in calls if call.path.startswith("/data-board/search/")},
        )
    finally:
        await console.aclose()
        await direct.aclose()

    def stat(result: dict, name: str, pct: float) -> float | None:
        return rounded(percentile(result["times"][name], pct))

    def note(result: dict) -> str:
        text = f"direct: {', '.join(result['calls'])}"
        if any(result["errors"].values()):
            text += f"; errors: {result['errors']['console']} console, {result['errors']['direct']} direct"
        return text

    return [
        record(
            "board_items_page_ms_p50",
            stat(items, "console", 50),
            stat(items, "direct", 50),
            "ms",
            items["n"],
            note=note(items),
        ),
        record("board_items_page_ms_p95", stat(items, "console", 95), stat(items, "direct", 95), "ms", items["n"]),
        record(
            "board_search_ms_p95",
            stat(search, "console", 95),
            stat(search, "direct", 95),
            "ms",
            search["n"],
            note=note(search),
        ),
    ]
