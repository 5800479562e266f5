"""The production stack of deploy/ (tests/production/stack.py): Debian's nginx with the site file, in front
of two console instances (each the systemd unit's ``uvicorn --workers 2``) and the task worker, on a
throw-away PostgreSQL, with the production settings, over the local gateway.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest

from tests.chat_helpers import make_assistant, make_folder
from tests.console.assistants.test_chat_relay import upstream_streams
from tests.production.conftest import direct
from tests.production.stack import CONSOLE_UNIT, ENV_EXAMPLE, PRUNE_UNIT, SITE, env_file, unit_commands, unit_setting
from tests.support import ROOT

# The stack takes a minute to start on a busy 2-core machine (migrations, collectstatic, four workers).
pytestmark = [pytest.mark.production, pytest.mark.timeout(300)]

MB = 1024 * 1024
STREAM = {"HX-Request": "true", "Accept": "text/event-stream"}  # as static/js/chat.js posts a message


def test_the_env_example_names_only_settings_the_console_or_uvicorn_reads():
    sources = "".join(path.read_text() for path in (ROOT / "imbrace_console" / "settings").glob("*.py"))
    for name in env_file(ENV_EXAMPLE):
        assert name in {"DJANGO_SETTINGS_MODULE", "FORWARDED_ALLOW_IPS"} or f'"{name}"' in sources, name


def test_the_site_and_unit_match_the_console_limits():
    from django.conf import settings

    site = SITE.read_text()
    body_limit = int(re.search(r"client_max_body_size (\d+)m;", site).group(1)) * MB
    assert settings.KNOWLEDGE_UPLOAD_MAX_BYTES < body_limit <= settings.KNOWLEDGE_UPLOAD_MAX_BYTES + 8 * MB
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", site).group(1))
    assert read_timeout > settings.CHAT_STALL_SECONDS
    assert read_timeout > settings.IMBRACE_READ_TIMEOUT * (1 + settings.IMBRACE_RETRIES)
    grace = int(re.search(r"--timeout-graceful-shutdown (\d+)", CONSOLE_UNIT.read_text()).group(1))
    assert int(unit_setting(CONSOLE_UNIT, "TimeoutStopSec")) > grace


def test_static_files_come_from_nginx(stack):
    name = next(path for path in (stack.work / "static").rglob("*.css") if not path.name.endswith(".gz"))
    response = httpx.get(f"{stack.url}/static/{name.relative_to(stack.work / 'static')}", verify=False)
    assert response.status_code == 200
    assert response.content == name.read_bytes()
    assert "content-security-policy" not in response.headers  # the console would have set one
    assert response.headers["server"].startswith("nginx")


def test_plain_http_is_sent_to_https_and_the_metrics_are_not_public(stack):
    plain = httpx.get(f"http://localhost:{stack.http_port}/assistants/?page=2")
    assert plain.status_code == 301
    assert plain.headers["location"] == "https://localhost/assistants/?page=2"
    assert httpx.get(f"{stack.url}/metrics", verify=False).status_code == 404


def test_a_session_made_on_one_instance_works_on_the_other(stack):
    first, second = stack.instances
    client = stack.client()
    with client:
        assert stack.login("operator", client=client).status_code == 302
        for instance in (first, second):
            with direct(stack, instance, client) as there:
                page = there.get("/")
                assert page.status_code == 200, (instance.port, page.status_code, page.headers.get("location"))
                assert "operator" in page.text
        for _ in range(6):  # through nginx, across both instances
            assert client.get("/assistants/").status_code == 200


def test_a_chat_answer_arrives_through_nginx_word_by_word(stack, admin, gw):
    folder = make_folder(gw, {"refunds.md": "Refunds are paid within 14 days of the return."})
    delay = 0.1
    assistant = make_assistant(gw, folder_ids=[folder], metadata={"word_delay_ms": int(delay * 1000)})
    arrivals = []
    with admin.stream(
        "POST", f"/assistants/{assistant['id']}/chat/send/", data={"message": "refund policy"}, headers=STREAM
    ) as relay:
        assert relay.status_code == 200
        for line in relay.iter_lines():
            if line.startswith("event: "):
                arrivals.append((line.removeprefix("event: "), time.monotonic()))
    kinds = [kind for kind, _ in arrivals]
    assert kinds[-1] == "done" and kinds.count("delta") >= 5, kinds
    first_word = next(at for kind, at in arrivals if kind == "delta")
    # Buffered, every event would arrive at once when the answer ends.
    assert arrivals[-1][1] - first_word > 3 * delay, kinds


def test_stop_through_nginx_closes_the_upstream_answer(stack, admin, gw, localgateway):
    """The browser's Stop drops its connection to nginx; nginx drops the console's, which ends the gateway's."""
    folder = make_folder(gw, {"refunds.md": "Refunds are paid within 14 days of the return."})
    assistant = make_assistant(gw, folder_ids=[folder], metadata={"word_delay_ms": 1000})
    with admin.stream(
        "POST", f"/assistants/{assistant['id']}/chat/send/", data={"message": "refund policy"}, headers=STREAM
    ) as relay:
        conversation_id = relay.headers["x-conversation-url"].rstrip("/").rsplit("/", 1)[-1]
        lines = relay.iter_lines()
        while next(lines) != "event: delta":
            pass
    admin.close()
    deadline = time.monotonic() + 10
    while not (records := upstream_streams(localgateway, conversation_id)) or not records[0]["closed_at"]:
        assert time.monotonic() < deadline, "the gateway's answer stayed open after Stop"
        time.sleep(0.05)
    assert records[0]["cancelled"] is True and records[0]["completed"] is False


def test_a_large_upload_passes_through_nginx_with_flat_memory(stack, admin, gw):
    size = 200 * MB
    org = gw.get("/platform/v1/account").json()["organization_id"]
    body = {"name": f"Big {uuid.uuid4().hex[:6]}", "organization_id": org, "parent_folder_id": "root"}
    folder = gw.post("/data-board/folders", json={**body, "source_type": "upload"}).json()["data"]
    workers = [worker for instance in stack.instances for worker in instance.workers()]
    baseline = {worker.pid: worker.memory_info().rss for worker in workers}
    peak = dict(baseline)
    done = threading.Event()

    def watch():
        while not done.wait(0.05):
            for worker in workers:
                peak[worker.pid] = max(peak[worker.pid], worker.memory_info().rss)

    def chunks():
        block = os.urandom(MB)
        for _ in range(size // MB):
            yield block

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        response = admin.post(
            f"/knowledge/folders/{folder['id']}/upload/",
            content=chunks(),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/octet-stream",
                "Content-Length": str(size),
                "X-File-Name": "big.pdf",
            },
            timeout=300,
        )
    finally:
        done.set()
        watcher.join()
    assert response.status_code == 201, response.text[:500]
    [result] = response.json()["results"]
    assert gw.get(f"/data-board/files/{result['file_id']}").json()["data"]["file_size"] == size
    growth = max(peak[pid] - baseline[pid] for pid in baseline)
    assert growth < 40 * MB, f"a worker grew by {growth / MB:.0f} MB for a {size // MB} MB upload"


def test_concurrent_wrong_passwords_lock_at_the_limit(stack):
    from django.conf import settings

    limit = settings.CONSOLE_LOGIN_FAILURES_PER_USER

    def attempt(_):
        with stack.client() as client:
            return stack.login("viewer", password="wrong-password", client=client).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(attempt, range(20)))
    checked = [status for status in statuses if status == 200]  # the form again: the password was checked
    assert len(checked) == limit, statuses
    assert statuses.count(429) == 20 - limit, statuses
    assert stack.login("viewer").status_code == 429  # locked: not even the right password is checked


def test_a_database_restart_under_load_answers_no_500(stack, admin):
    statuses: list[int] = []
    stop = threading.Event()
    cookies = dict(admin.cookies.items())

    def load():
        with stack.client() as client:
            client.cookies.update(cookies)
            while not stop.is_set():
                try:
                    statuses.append(client.get("/assistants/").status_code)
                except httpx.TransportError:
                    statuses.append(0)

    def wait_for_answers(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(statuses) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_for_answers(8)
        before = len(statuses)
        stack.database.restart()
        wait_for_answers(before + 40)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert before >= 8 and len(statuses) >= before + 40, (before, len(statuses))
    assert 500 not in statuses and 0 not in statuses, sorted(set(statuses))
    assert set(statuses[-8:]) == {200}, statuses[-8:]


def test_readyz_fails_while_the_database_is_down_and_recovers(stack):
    instance = stack.instances[0]

    def ready() -> httpx.Response:
        return httpx.get(f"{instance.url}/readyz", headers={"Host": "localhost"}, timeout=30)

    assert ready().status_code == 200
    stack.database.stop()
    try:
        down = ready()
    finally:
        stack.database.start()
    assert down.status_code == 503, down.text
    checks = down.json()["checks"]
    assert checks["database"]["ok"] is False and checks["gateway"]["ok"] is True
    deadline = time.monotonic() + 30
    while (again := ready()).status_code != 200:
        assert time.monotonic() < deadline, again.text
        time.sleep(0.2)


def test_metrics_of_an_instance_count_its_requests_across_its_workers(stack, admin):
    instance = stack.instances[1]
    for _ in range(6):
        with direct(stack, instance, admin) as there:
            assert there.get("/assistants/").status_code == 200
    answer = httpx.get(f"{instance.url}/metrics", headers={"Host": "localhost"})
    assert answer.status_code == 200
    counted = [
        float(line.rsplit(" ", 1)[1])
        for line in answer.text.splitlines()
        if not line.startswith("#") and "assistants" in line and 'status="200"' in line and "_total" in line
    ]
    assert counted and sum(counted) >= 6, answer.text[:3000]
    forwarded = httpx.get(f"{instance.url}/metrics", headers={"Host": "localhost", "X-Forwarded-For": "192.0.2.7"})
    assert forwarded.status_code == 403


def test_every_instance_runs_the_units_worker_count(stack):
    workers = int(re.search(r"--workers (\d+)", CONSOLE_UNIT.read_text()).group(1))
    for instance in stack.instances:
        assert len([p for p in instance.workers() if p.name().startswith("python")]) >= workers
    # The task worker exits when it loses the database (an earlier test restarts it); the unit's
    # Restart=always brings it back, as the stack's supervisor does here.
    deadline = time.monotonic() + stack.worker.restart_sec + 30
    while not stack.worker.running():
        assert time.monotonic() < deadline, stack.worker.log()[-2000:]
        time.sleep(0.2)
    assert psutil.pid_exists(stack.nginx.pid)


def test_the_prune_unit_deletes_only_what_is_past_retention(stack):
    old, fresh = "prune-test-old", "prune-test-fresh"
    stack.manage(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from apps.ops.models import Aggregate\n"
        "now = timezone.now()\n"
        f"Aggregate.objects.create(span=60, start=now - timedelta(days=400), kind='gateway', key={old!r})\n"
        f"Aggregate.objects.create(span=60, start=now, kind='gateway', key={fresh!r})\n",
    )
    commands = unit_commands(PRUNE_UNIT)
    assert [command[2] for command in commands] == ["prune_imports", "prune_db_task_results", "prune_metrics"]
    for command in commands:
        ran = subprocess.run(command, cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0, (command, ran.stderr[-2000:])
    left = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from apps.ops.models import Aggregate\n"
            "print(sorted(Aggregate.objects.filter(key__startswith='prune-test-').values_list('key', flat=True)))",
        ],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert left.strip().splitlines()[-1] == repr([fresh])  # after the shell's own start-up line
