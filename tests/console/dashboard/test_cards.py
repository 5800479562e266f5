"""The dashboard's cards with real numbers, and each card failing on its own, in place."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from apps.ops import aggregates, metrics
from tests.console.dashboard.helpers import failing_flow
from tests.flow_helpers import AP

HTMX = {"HX-Request": "true"}


def card(html: str, name: str) -> str:
    start = html.index(f'id="card-{name}"')
    return html[start : html.index("</section>", start)]


def seed_measurements() -> None:
    now = time.time()
    for index in range(20):
        metrics.gateway_call("GET", "/data-board/boards", 200, time.perf_counter() - 0.04 - index / 1000, "r")
    aggregates.record("gateway", "flows", "POST /activepieces/v1/flows/{id}", ms=2400, error="5xx", at=now)
    aggregates.record("chat", "chat", "asst_0123456789", label="Helpdesk", ms=800, error="timeout", at=now)
    aggregates.record("chat", "chat", "asst_0123456789", label="Helpdesk", ms=600, at=now)
    metrics.uploads_done(1000, [(False, 503)])
    metrics.login_lockout()
    aggregates.flush()


def test_the_page_shows_what_failed_and_the_numbers(console_client, gw):
    flow = failing_flow(gw)
    seed_measurements()
    html = console_client.as_role("Viewer").get("/?window=1h").content.decode()
    attention = card(html, "attention")
    assert flow["name"] in attention
    assert f"/flows/runs/{flow['run_id']}/" in attention  # the run's page, where it can be re-run
    assert "Helpdesk" in attention and "1 of 2 chats failed (timeout 1)" in attention
    assert "Gateway <strong>flows</strong>: 1 of 1 calls failed (5xx 1)" in attention
    assert 'data-testid="attention-uploads"' in attention and 'data-testid="attention-lockouts"' in attention
    assert "All is well" not in attention
    health = card(html, "health")
    assert '<th scope="row">boards</th><td>20</td>' in health
    assert "POST /activepieces/v1/flows/{id}" in health  # the slowest route
    assert 'data-testid="plot-latency"' in health and 'data-chart="{&quot;title&quot;:&quot;Latency p95' in health
    assert "Latency p95 per area as a table" in health
    assistants = card(html, "assistants")
    assert "Helpdesk" in assistants and "<td>2</td>" in assistants
    flows = card(html, "flows")
    assert flow["name"] in flows
    assert 'aria-current="page" data-testid="window-1h"' in html


def test_all_is_well_when_nothing_failed(console_client, monkeypatch):
    from apps.dashboard import views
    from apps.dashboard.selectors import RunSummary

    # Other tests leave failed runs on the shared local gateway, so its runs read is replaced here.
    async def no_failed_runs(*, since, failed_only=False):
        return RunSummary(flows=[], truncated=False)

    monkeypatch.setattr(views, "flow_run_summary_get", no_failed_runs)
    aggregates.record("gateway", "boards", "GET /data-board/boards", ms=30)
    aggregates.flush()
    html = console_client.get("/dashboard/cards/attention/", headers=HTMX).content.decode()
    assert 'data-testid="all-well"' in html
    aggregates.record("login", "login")
    aggregates.flush()
    html = console_client.get("/dashboard/cards/attention/", headers=HTMX).content.decode()
    assert 'data-testid="all-well"' not in html and 'data-testid="attention-lockouts"' in html


def test_runs_failing_shows_in_place_on_the_flows_and_attention_cards(console_client, gateway_faults):
    gateway_faults.add_fault(path=f"{AP}/flow-runs", kind="status", status=500)
    response = console_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    flows = card(html, "flows")
    assert 'data-testid="card-error"' in flows and "Status 500" in flows, flows
    assert 'hx-get="/dashboard/cards/flows/?window=24h"' in flows  # Retry, and polling, go on
    attention = card(html, "attention")
    assert "Failed flow runs could not be read" in attention and "All is well" not in attention
    assert 'data-testid="card-error"' not in card(html, "health")
    assert 'data-testid="gateway-state">Connected' in card(html, "connection")
    assert "Traceback" not in html


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("health", "gateway_health_get"),
        ("assistants", "assistant_stat_list"),
        ("changes", "audit_event_list"),
        ("attention", "attention_get"),
    ],
)
def test_a_card_whose_database_read_fails_shows_it_in_place(console_client, monkeypatch, name, reader):
    from django.db import DatabaseError

    from apps.dashboard import views

    async def broken(**kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(views, reader, broken)
    html = console_client.get("/").content.decode()
    assert "could not be read from the console" in card(html, name)
    others = [other for other in ("health", "assistants", "changes", "attention") if other != name]
    assert all("could not be read from the console" not in card(html, other) for other in others)
    fragment = console_client.get(f"/dashboard/cards/{name}/", headers=HTMX)
    assert fragment.status_code == 200 and "could not be read from the console" in fragment.content.decode()


def test_recent_changes_mark_failed_writes(client, console_user, gateway_faults):
    from asgiref.sync import async_to_sync

    from apps.flows.services import flow_create
    from imbrace_console.gateway.errors import GatewayError

    admin = console_user("Admin", username=f"admin-{os.urandom(3).hex()}")
    client.force_login(admin)
    gateway_faults.add_fault(path=f"{AP}/flows", method="POST", kind="status", status=500)
    with pytest.raises(GatewayError):  # the write the audit log records as failed
        async_to_sync(flow_create)(actor=admin, display_name=f"Never made {os.urandom(3).hex()}")
    changes = card(client.get("/dashboard/cards/changes/", headers=HTMX).content.decode(), "changes")
    assert "flows.flow.create" in changes
    line = changes.split("flows.flow.create")[1].split("</li>")[0]
    assert 'class="badge badge-error"' in line and "failed" in line


def test_window_defaults_and_unknown_windows(console_client):
    html = console_client.get("/?window=forever").content.decode()
    assert 'aria-current="page" data-testid="window-24h"' in html


def test_aggregates_older_than_the_window_are_not_counted(console_client, db):
    old = (datetime.now(UTC) - timedelta(hours=3)).timestamp()
    aggregates.record("gateway", "platform", "GET /platform/v1/old-route", ms=5, at=old)
    aggregates.flush()
    assert "GET /platform/v1/old-route" not in card(console_client.get("/?window=1h").content.decode(), "health")
    assert "GET /platform/v1/old-route" in card(console_client.get("/?window=24h").content.decode(), "health")


def test_an_assistant_slower_than_usual_is_under_needs_attention(console_client):
    now, earlier = time.time(), time.time() - 3 * 86400
    for at, ms in ((earlier, 100), (now, 400)):
        for _ in range(5):
            aggregates.record("chat", "chat", "asst_slow0123456789", label="Slow desk", ms=ms, at=at)
    aggregates.flush()
    attention = card(console_client.as_role("Viewer").get("/").content.decode(), "attention")
    assert "Slow desk" in attention and "first word after 400 ms on average, usually 100 ms" in attention


def test_the_flow_runs_card_lists_the_ten_that_matter_and_says_how_many_more():
    from django.template.loader import render_to_string

    from apps.dashboard.selectors import FlowRuns, RunSummary

    flows = [
        FlowRuns(f"flow{index:018d}abc", f"Flow {index}", {"SUCCEEDED": 20 - index, "FAILED": int(index == 11)}, [])
        for index in range(12)
    ]
    summary = RunSummary(flows=sorted(flows, key=lambda flow: (-flow.failed_count, -flow.total)), truncated=False)
    html = render_to_string("dashboard/home.html#card_flows", {"runs": summary, "window_label": "Last hour"})
    rows = card(html, "flows").split("<tbody>")[1].count("<tr>")
    assert rows == 10
    assert "Flow 11" in html  # the failing one first, though the least busy
    assert "Flow 10" not in html  # the least busy of the rest
    assert "The failing and busiest 10 of 12 flows" in html
