"""The console as deployed (uvicorn, two worker processes, LOG_FORMAT=json, PROMETHEUS_MULTIPROC_DIR).

/metrics must give one view of both workers; the JSON log must be one object per line, with the
request ids, and hold no secret: the gateway credential and a typed password (the credential
sweep of tests/trust/test_browser_security.py, for the JSON format).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import ROLE_PASSWORDS, ROOT, start_live_console

TYPED_PASSWORD = "typed-secret-9f3c1e77"


@pytest.fixture(scope="module")
def json_console(localgateway, tmp_path_factory):
    work = tmp_path_factory.mktemp("ops-live")
    metrics_dir = work / "metrics"
    metrics_dir.mkdir()
    extra_env = {"LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    console = start_live_console(work, localgateway, extra_env=extra_env, workers=2)
    try:
        yield console.url, console.log_path
    finally:
        console.stop()


def _samples(url: str, name: str) -> dict[tuple, float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def test_metrics_show_both_workers_requests_as_one_count(json_console):
    url, _ = json_console
    key = (("method", "GET"), ("status", "200"), ("view", "ops-healthz"))
    before = _samples(url, "console_http_requests_total").get(key, 0)
    for _ in range(40):  # a new connection each, which either worker may accept
        with httpx.Client() as client:
            assert client.get(f"{url}/healthz").status_code == 200
    # Whichever worker answers /metrics counts all 40.
    for _ in range(4):
        assert _samples(url, "console_http_requests_total").get(key, 0) >= before + 40


def test_values_written_by_separate_processes_are_summed(tmp_path):
    """prometheus-client's multiprocess mode, as the console uses it: two processes count, a third reports."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from apps.ops.metrics import request_done; request_done('two-processes', 'GET', 200, 0.2)"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], cwd=ROOT, env=env, check=True)
    report = "from apps.ops.metrics import exposition; print(exposition().decode())"
    text = subprocess.run([sys.executable, "-c", report], cwd=ROOT, env=env, check=True, capture_output=True).stdout
    samples = {
        (sample.name, sample.labels.get("view")): sample.value
        for family in text_string_to_metric_families(text.decode() if isinstance(text, bytes) else text)
        for sample in family.samples
    }
    assert samples[("console_http_requests_total", "two-processes")] == 2
    assert samples[("console_http_request_duration_seconds_count", "two-processes")] == 2


def test_the_json_log_is_one_object_per_line_with_ids_and_no_secret(json_console, localgateway):
    url, log_path = json_console
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        wrong = {"username": "viewer", "password": TYPED_PASSWORD, "csrfmiddlewaretoken": token}
        assert client.post("/login/", data=wrong).status_code == 200
        right = {**wrong, "password": ROLE_PASSWORDS["viewer"]}
        assert client.post("/login/", data=right).status_code == 302
        localgateway.add_fault(path="/", kind="status", status=500, times=10)
        try:
            for path in ("/", "/assistants/", "/boards/"):
                client.get(path, headers={"X-Request-ID": f"sweep-{path.strip('/') or 'home'}"})
        finally:
            localgateway.clear_faults()
        assert client.get("/boards/", headers={"X-Request-ID": "sweep-ok"}).status_code == 200
    time.sleep(0.5)  # the log thread writes behind the requests

    text = log_path.read_text()
    assert localgateway.api_key not in text
    assert TYPED_PASSWORD not in text and ROLE_PASSWORDS["viewer"] not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert lines, text[-2000:]
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line)
    access = [line for line in lines if line["logger"] == "imbrace_console.requests"]
    ok = [line for line in access if line["request_id"] == "sweep-ok"]
    assert len(ok) == 1 and ok[0]["user"] == "viewer" and ok[0]["view"] == "boards-list" and ok[0]["status"] == 200
    gateway = [line for line in lines if line["logger"] == "imbrace_console.gateway"]
    assert any(line["request_id"] == "sweep-ok" and line.get("gateway_request_id") for line in gateway)
    failed = [line for line in access if line["request_id"].startswith("sweep-") and line["status"] >= 500]
    assert failed or any(line["level"] in {"WARNING", "ERROR"} for line in gateway)
    # Only uvicorn's supervisor, which never loads the console, writes plain lines (its start and stop).
    not_json = [line for line in text.splitlines() if line.strip() and not line.startswith("{")]
    assert all(re.search(r"parent process|child process|Uvicorn running", line) for line in not_json), not_json
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # a worker's own start, as JSON
