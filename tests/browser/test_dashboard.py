"""The dashboard in the browser: a failed run under Needs attention, charts in light and dark, polling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.console.dashboard.helpers import failing_flow
from tests.support import ROOT, login

pytestmark = pytest.mark.browser
SHOTS = Path(ROOT, "test-artifacts")


def test_dashboard_charts_in_both_themes_and_polling(page, live_console, localgateway):
    csp_violations: list[str] = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    flow = failing_flow(localgateway.client())
    manage = [sys.executable, "manage.py", "seed_metrics", "--days", "7"]
    seeded = subprocess.run(manage, cwd=ROOT, env=live_console.env, capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    login(page, live_console, "viewer")
    SHOTS.mkdir(exist_ok=True)

    page.emulate_media(color_scheme="light")
    page.goto(f"{live_console.url}/?window=7d")
    attention = page.get_by_test_id("card-attention")
    expect(attention).to_contain_text(flow["name"])
    # Other tests' failed runs may be listed too: this flow's line links its run.
    line = attention.locator("li", has_text=flow["name"])
    expect(line.get_by_role("link", name="failed", exact=False)).to_have_attribute(
        "href", f"/flows/runs/{flow['run_id']}/"
    )
    expect(page.locator("#card-health canvas")).to_have_count(2)  # both charts drawn by uPlot
    expect(page.get_by_test_id("card-assistants")).to_contain_text("Helpdesk (sample numbers)")
    page.screenshot(path=str(SHOTS / "dashboard-light.png"), full_page=True)

    page.emulate_media(color_scheme="dark")
    page.evaluate("window.scrollTo(0, 400)")
    with page.expect_response(lambda r: "/dashboard/cards/health/?window=7d" in r.url):
        page.evaluate("htmx.trigger(document.body, 'dashboard:tick')")  # what the 30 s timer does
    expect(page.locator("#card-health canvas")).to_have_count(2)  # drawn again after the swap
    assert page.evaluate("window.scrollY") == 400  # the refresh kept the place
    assert "window=7d" in page.url
    page.screenshot(path=str(SHOTS / "dashboard-dark.png"), full_page=True)
    assert csp_violations == []
