"""Health, readiness, metrics, request ids and JSON log lines (apps/ops), in process over the local gateway."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from apps.ops.logs import JsonFormatter, RequestContextFilter
from apps.ops.metrics import route_template

pytestmark = pytest.mark.django_db


def metric(client: Client, name: str, **labels) -> float:
    """One sample's value from /metrics (0 when it is not there yet)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def test_healthz_answers_without_log_in_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_reports_each_check_with_its_time():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "gateway"}
    for check in body["checks"].values():
        assert check["ok"] is True and 0 <= check["seconds"] < 5


def test_readyz_is_503_when_the_gateway_fails(gateway_faults):
    gateway_faults.add_fault(path="/data-board/health", kind="status", status=500)
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["gateway"]["ok"] is False and body["checks"]["gateway"]["error"]


def test_readyz_is_503_when_the_database_fails(monkeypatch):
    def down() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("apps.ops.views._database_ping", down)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "seconds": response.json()["checks"]["database"]["seconds"],
        "error": "OperationalError: connection refused",
    }


def test_metrics_count_the_requests_made():
    client = Client()
    labels = {"view": "ops-healthz", "method": "GET", "status": "200"}
    before = metric(client, "console_http_requests_total", **labels)
    seen_before = metric(client, "console_http_request_duration_seconds_count", view="ops-healthz")
    for _ in range(3):
        client.get("/healthz")
    assert metric(client, "console_http_requests_total", **labels) == before + 3
    assert metric(client, "console_http_request_duration_seconds_count", view="ops-healthz") == seen_before + 3
    missing = metric(client, "console_http_requests_total", view="unmatched", method="GET", status="404")
    client.get("/no-such-page/")
    assert metric(client, "console_http_requests_total", view="unmatched", method="GET", status="404") >= missing + 1


@pytest.mark.django_db
def test_metrics_count_import_jobs_by_state_from_the_database(console_user):
    from apps.boards.models import ImportJob

    client = Client()
    user = console_user("Support")
    for status in ("queued", "running", "running", "done"):
        ImportJob.objects.create(board_id="b1", user=user, filename="x.csv", status=status)
    assert metric(client, "console_import_jobs", state="running") == 2
    assert metric(client, "console_import_jobs", state="queued") == 1
    assert metric(client, "console_import_jobs", state="failed") == 0


def test_metrics_count_gateway_calls_by_route_template(console_client):
    client = Client()
    labels = {"method": "GET", "route": "/data-board/boards", "status": "200"}
    before = metric(client, "console_gateway_requests_total", **labels)
    assert console_client.get("/boards/").status_code == 200
    assert metric(client, "console_gateway_requests_total", **labels) >= before + 1
    assert metric(client, "console_gateway_request_duration_seconds_count", method="GET", route="/data-board/boards")


def test_route_templates_keep_words_and_hide_ids():
    assert route_template("/data-board/boards/5f0e2c7d-9a1b/items/42") == "/data-board/boards/{id}/items/{id}"
    assert route_template("/ai-agent/v2/chat") == "/ai-agent/v2/chat"
    assert route_template("/v3/ai/assistants/as_9Xk?x=1") == "/v3/ai/assistants/{id}"


def test_login_lockouts_are_counted(settings):
    settings.CONSOLE_LOGIN_FAILURES_PER_USER = 1
    client = Client()
    before = metric(client, "console_login_lockouts_total", form="login")
    Client().post("/login/", {"username": "counted-lockout", "password": "x"})
    assert Client().post("/login/", {"username": "counted-lockout", "password": "x"}).status_code == 429
    assert metric(client, "console_login_lockouts_total", form="login") == before + 1


@pytest.mark.parametrize(
    ("address", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("203.0.113.5", {}, False),
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "127.0.0.1"}, False),  # through a proxy: only the token
        ("203.0.113.5", {"HTTP_AUTHORIZATION": "Bearer scrape-token-1"}, True),
        ("203.0.113.5", {"HTTP_AUTHORIZATION": "Bearer wrong"}, False),
        ("10.1.2.3", {}, True),
    ],
)
def test_metrics_answer_only_listed_addresses_or_the_token(settings, address, headers, allowed):
    settings.CONSOLE_METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", "10.0.0.0/8"]
    settings.CONSOLE_METRICS_TOKEN = "scrape-token-1"
    response = Client(REMOTE_ADDR=address, **headers).get("/metrics")
    assert response.status_code == (200 if allowed else 403)
    assert (b"console_http_requests_total" in response.content) is allowed


def test_without_a_token_setting_no_bearer_opens_metrics(settings):
    settings.CONSOLE_METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer ").get("/metrics").status_code == 403


def test_a_request_id_is_taken_from_the_header_or_made():
    client = Client()
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")["X-Request-ID"] == "lb-1234.abc"
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    junk = client.get("/healthz", HTTP_X_REQUEST_ID="x\ny" + "z" * 200)["X-Request-ID"]
    assert "\n" not in junk and len(junk) == 32


@pytest.fixture
def json_lines():
    """Every log line written during the test, as the JSON log writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_json_lines_carry_the_request_its_user_view_status_duration_and_the_gateway_id(
    settings, console_client, json_lines
):
    settings.CONSOLE_ACCESS_LOG = True
    client = Client()
    client.force_login(console_client.get("/boards/").wsgi_request.user)

    response = client.get("/boards/", HTTP_X_REQUEST_ID="trace-77")

    assert response.status_code == 200 and response["X-Request-ID"] == "trace-77"
    lines = [line for line in json_lines() if line.get("request_id") == "trace-77"]
    access = [line for line in lines if line["logger"] == "imbrace_console.requests"]
    assert len(access) == 1
    assert access[0]["user"] == response.wsgi_request.user.username
    assert access[0]["view"] == "boards-list" and access[0]["status"] == 200 and access[0]["method"] == "GET"
    assert access[0]["duration_ms"] >= 0 and access[0]["level"] == "INFO" and access[0]["time"].endswith("Z")
    gateway = [line for line in lines if line["logger"] == "imbrace_console.gateway"]
    assert gateway and all(len(line["gateway_request_id"]) == 32 for line in gateway)
    assert gateway[0]["gateway_request_id"] in gateway[0]["message"]


def test_a_json_line_is_one_line_whatever_the_message(json_lines):
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logging.getLogger("tests.ops").exception("first\nsecond\u2028third")
    (line,) = [line for line in json_lines() if line["logger"] == "tests.ops"]
    assert line["message"] == "first\nsecond\u2028third" and "ValueError: bad" in line["exception"]
    assert line["level"] == "ERROR"


def test_a_metrics_address_that_is_no_address_fails_the_checks(settings):
    from apps.ops.apps import check_metrics_addresses

    settings.CONSOLE_METRICS_ALLOWED_IPS = ["127.0.0.1", "prometheus.internal"]
    assert [error.id for error in check_metrics_addresses()] == ["ops.E001"]
    settings.CONSOLE_METRICS_ALLOWED_IPS = ["127.0.0.1", "10.0.0.0/8"]
    assert check_metrics_addresses() == []


def test_with_the_https_redirect_on_probes_and_metrics_still_answer_over_plain_http(settings):
    """Production redirects plain HTTP to HTTPS; probes and Prometheus call each instance directly."""
    production = _production_settings()
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = production.SECURE_REDIRECT_EXEMPT
    client = Client()
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/healthz/").status_code == 301


def _production_settings():
    import importlib
    import os
    import sys
    from unittest import mock

    env = {"DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "console.example.com"}
    with mock.patch.dict(os.environ, env), mock.patch.dict(sys.modules):
        return importlib.import_module("imbrace_console.settings.production")
