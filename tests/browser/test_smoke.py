"""Log in through Debian's Chromium and see the dashboard connected, in both themes."""

from __future__ import annotations

import pytest

from tests.support import ROLE_PASSWORDS, login

pytestmark = pytest.mark.browser


def test_login_and_dashboard(page, live_console, tmp_path):
    page.goto(live_console.url + "/")
    assert "/login/" in page.url
    login(page, live_console, "viewer")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_test_id("gateway-state").inner_text() == "Connected"
    page.screenshot(path=str(tmp_path / "dashboard-light.png"), full_page=True)


def test_theme_toggle_cycles_and_persists(page, live_console):
    login(page, live_console, "viewer")
    html = page.locator("html")
    assert html.get_attribute("data-theme") is None
    page.click("#theme-toggle")
    assert html.get_attribute("data-theme") == "light"
    page.click("#theme-toggle")
    assert html.get_attribute("data-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"


def test_wrong_password_stays_on_login_with_a_message(page, live_console):
    page.goto(live_console.url + "/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", ROLE_PASSWORDS["viewer"] + "x")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").is_visible()
    assert page.input_value("#id_username") == "viewer"


def test_no_csp_violations_on_the_dashboard(page, live_console):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login(page, live_console, "admin")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert violations == []
