"""The in-process caller that ``make bench-instructions`` runs under callgrind, run here without it."""

from __future__ import annotations

import subprocess
import sys

from bench import seed
from tests.support import ROLE_PASSWORDS, ROOT


def _child(live_console, page: str, target_id: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--child", target_id, "--page", page, "--pages", "1"],
        env={**live_console.env, "BENCH_ROLE_PASSWORD": password},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_counted_pages_log_in_and_get_the_items_table(live_console, localgateway):
    with localgateway.client() as client:
        board_id = seed.board_seed(client, items=60)["board_id"]
    counted = _child(live_console, "items", board_id, ROLE_PASSWORDS["support"])
    assert counted.returncode == 0, counted.stderr[-2000:]
    # A page without the table stops the run instead of counting an error page's instructions.
    missing = _child(live_console, "items", "00000000-0000-4000-8000-000000000000", ROLE_PASSWORDS["support"])
    assert missing.returncode != 0
    assert "(1) answered 404 without what it shows" in missing.stderr


def test_the_counted_knowledge_pages_show_the_folders(live_console, localgateway):
    with localgateway.client() as client:
        folder_id = seed.folder_seed(client)["folder_id"]
    counted = _child(live_console, "knowledge", folder_id, ROLE_PASSWORDS["admin"])
    assert counted.returncode == 0, counted.stderr[-2000:]
    # Logged in with a role's wrong password, the run stops at the log-in.
    refused = _child(live_console, "knowledge", folder_id, ROLE_PASSWORDS["viewer"])
    assert refused.returncode != 0
    assert "the log-in answered 200, not a redirect" in refused.stderr
