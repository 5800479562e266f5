"""Data the cases need, made through the gateway's HTTP API (as a user of the API would).

Every function returns what the cases need, or raises ``Skip`` when the local
gateway does not serve that area yet.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx

from .job import Skip

STAGES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
WORDS = [
    *("renewal", "onboarding", "pricing", "integration", "migration", "outage", "invoice", "training"),
    *("rollout", "audit", "contract", "escalation", "upgrade", "pilot", "workshop", "security"),
    *("compliance", "analytics", "dashboard", "warehouse"),
]
SEARCH_WORD = "escalation"
BULK_SIZE = 500


def _check(response: httpx.Response, what: str) -> dict:
    if response.status_code in (404, 405) and "Cannot" in response.text:
        raise Skip(f"the local gateway does not serve {what} yet")
    if response.status_code >= 400:
        raise Skip(f"{what} failed with {response.status_code}: {response.text[:200]}")
    return response.json()


def board_fields() -> list[dict]:
    return [
        # Not a unique identifier: the local gateway checks uniqueness by scanning the board, so
        # seeding 10,000 unique items would take minutes; reading them costs the same either way.
        {"name": "Company", "type": "ShortText"},
        {"name": "Stage", "type": "SingleSelection", "data": [{"value": stage} for stage in STAGES]},
        {"name": "Amount", "type": "Number"},
        {"name": "Email", "type": "Email"},
        {"name": "Phone", "type": "Phone"},
        {"name": "Close date", "type": "Date"},
        {"name": "Owner", "type": "ShortText"},
        {"name": "Notes", "type": "LongText"},
    ]


def _item(index: int, ids: dict[str, str], rng: random.Random) -> dict:
    notes = " ".join(rng.choice(WORDS) for _ in range(12))
    return {
        "fields": {
            ids["Company"]: f"Company {index:05d}",
            ids["Stage"]: rng.choice(STAGES),
            ids["Amount"]: rng.randrange(1_000, 500_000),
            ids["Email"]: f"contact{index}@example.com",
            ids["Phone"]: f"+852{rng.randrange(10_000_000, 99_999_999)}",
            ids["Close date"]: f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            ids["Owner"]: rng.choice(["Ana", "Ben", "Chloe", "Dev", "Eli"]),
            ids["Notes"]: notes,
        }
    }


def board_seed(gateway: httpx.Client, *, items: int) -> dict:
    """A board with 8 fields and ``items`` items; bulk create where the gateway has it."""
    board = _check(
        gateway.post("/data-board/boards", json={"name": f"Bench board ({items} items)", "fields": board_fields()}),
        "boards",
    )["data"]
    ids = {field["name"]: field["id"] for field in board["fields"]}
    rng = random.Random(8)  # the same items every run
    bodies = [_item(index, ids, rng) for index in range(items)]
    path = f"/data-board/boards/{board['id']}/items"
    first = gateway.post(f"{path}/bulk", json={"items": bodies[:BULK_SIZE]})
    if first.status_code in (404, 405):
        with ThreadPoolExecutor(8) as pool:
            for response in pool.map(lambda body: gateway.post(path, json=body), bodies):
                _check(response, "board items")
    else:
        _check(first, "bulk board items")
        for start in range(BULK_SIZE, items, BULK_SIZE):
            _check(gateway.post(f"{path}/bulk", json={"items": bodies[start : start + BULK_SIZE]}), "bulk board items")
    return {"board_id": board["id"], "field_ids": ids, "search_word": SEARCH_WORD}


CHAT_TEXT = "hello"  # a greeting: the same short reply every time, whatever is bound


def assistant_seed(gateway: httpx.Client, *, slow_ms: int) -> dict:
    """Streaming assistants with no knowledge bound, so replies cost the same every time.

    The local gateway paces a reply by the assistant's ``metadata.word_delay_ms``:
    a quick one for latency, a slow one whose replies stay open while others are measured.
    """
    made = {}
    for key, pace in (("assistant_id", 20), ("slow_assistant_id", slow_ms)):
        body = {
            "name": f"Bench assistant {pace} ms",
            "workflow_name": f"bench_assistant_{pace}ms_v1",
            "description": "Replies for make bench",
            "provider_id": "system",
            "model_id": "Default",
            "streaming": True,
            "core_task": "Answer briefly.",
            "metadata": {"word_delay_ms": pace},
        }
        made[key] = _check(gateway.post("/v3/ai/assistant_apps", json=body), "assistants")["id"]
    return made


def folder_seed(gateway: httpx.Client) -> dict:
    """A knowledge folder for the uploads."""
    account = gateway.get("/platform/v1/account").json()
    body = {
        "name": "Bench uploads",
        "organization_id": account["organization_id"],
        "parent_folder_id": "root",
        "source_type": "upload",
    }
    folder = _check(gateway.post("/data-board/folders", json=body), "knowledge folders")["data"]
    return {"folder_id": folder["id"]}
