"""Chat in Chromium across a restart: an answer cut off by SIGTERM shows "Interrupted by a restart" beside
the answer so far, and Retry gets a full answer from the worker that replaced it.

A console of its own on the live console's database and static files: uvicorn with two workers
(``WEB_CONCURRENCY``) and a 1 s grace period. Both workers get SIGTERM, as a restart sends it; uvicorn's
supervisor starts new ones, which serve Retry.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from tests.browser.test_chat import ask, wait_finished
from tests.chat_helpers import REFUND_POLICY, make_assistant, make_folder
from tests.support import ROOT, LiveConsole, free_port, login, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def restarting_console(live_console, tmp_path):
    port = free_port()
    env = {**live_console.env, "WEB_CONCURRENCY": "2", "CONSOLE_SHUTDOWN_GRACE": "1"}
    log_path = tmp_path / "console.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "imbrace_console.asgi:application",
                "--port",
                str(port),
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    console = LiveConsole(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path, env=env)
    try:
        wait_for(f"{console.url}/login/", process=process, timeout=60)
        yield console
    finally:
        console.stop()


def workers(console) -> list[psutil.Process]:
    """uvicorn's worker processes (not multiprocessing's resource tracker beside them)."""
    children = psutil.Process(console.process.pid).children()
    return [child for child in children if "spawn_main" in " ".join(child.cmdline())]


def serving_again(console, old: set[int]) -> None:
    """Until the old workers have exited and a new one answers."""
    deadline = time.monotonic() + 60
    while True:
        pids = {worker.pid for worker in workers(console)}
        if pids and not pids & old:
            try:
                if httpx.get(f"{console.url}/login/", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        assert time.monotonic() < deadline, f"no new workers: {pids}"
        time.sleep(0.2)


def test_an_answer_cut_off_by_a_restart_is_shown_and_retried(page, restarting_console, gw, tmp_path):
    folder_id = make_folder(gw, {"refund-policy.md": REFUND_POLICY})
    assistant = make_assistant(gw, folder_ids=[folder_id], metadata={"word_delay_ms": 150})
    login(page, restarting_console, "viewer")
    page.goto(f"{restarting_console.url}/assistants/{assistant['id']}/chat/")

    turn = ask(page, "Can I get a refund?")
    answer = turn.get_by_test_id("chat-answer")
    page.wait_for_function("el => el.innerText.trim().length > 0", arg=answer.element_handle())
    old = workers(restarting_console)
    assert len(old) == 2
    for worker in old:
        worker.send_signal(signal.SIGTERM)

    note = turn.get_by_test_id("chat-interrupted")
    note.wait_for()
    assert "Interrupted by a restart" in note.inner_text()
    so_far = answer.inner_text()
    assert so_far.strip() and "30 days" not in so_far, "the answer so far stays, cut off"
    assert turn.get_by_test_id("chat-stop").count() == 0
    assert turn.get_by_test_id("chat-failure").count() == 0
    assert page.get_by_test_id("chat-send").is_enabled()
    page.screenshot(path=str(tmp_path / "chat-interrupted-light.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(tmp_path / "chat-interrupted-dark.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    psutil.wait_procs(old, timeout=30)
    assert all(not worker.is_running() for worker in old), "the workers exited within the bound"

    serving_again(restarting_console, {worker.pid for worker in old})
    turn.get_by_test_id("chat-retry").click()
    page.get_by_test_id("chat-stopped").wait_for(state="detached")
    retried = page.get_by_test_id("chat-assistant").last
    wait_finished(page, retried)
    assert "30 days" in retried.get_by_test_id("chat-answer").inner_text(), "Retry got a full answer"
    assert retried.get_by_test_id("chat-failure").count() == 0
