"""Fixtures shared by every test layer.

One local gateway process serves the whole session over real HTTP; tests
make their own entities (unique names) instead of resetting it, and any
fault a test injects is cleared after that test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.chat_helpers import REFUND_POLICY, SHIPPING_GUIDE, make_folder
from tests.support import (
    CHROMIUM_ARGS,
    ROOT,
    LiveConsole,
    LocalGateway,
    start_live_console,
    start_localgateway,
)


@pytest.fixture(scope="session")
def localgateway(tmp_path_factory) -> LocalGateway:
    gateway = start_localgateway(tmp_path_factory.mktemp("localgateway"))
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def docs_folder(localgateway) -> str:
    """A knowledge folder with a refund policy and a shipping guide, for the chat tests (one per module)."""
    with localgateway.client() as client:
        return make_folder(client, {"refund-policy.md": REFUND_POLICY, "shipping-guide.md": SHIPPING_GUIDE})


@pytest.fixture(autouse=True)
def _console_uses_localgateway(localgateway, settings):
    """The console under test talks to the session's local gateway with its API key."""
    settings.IMBRACE_BASE_URL = localgateway.base_url
    settings.IMBRACE_API_KEY = localgateway.api_key
    settings.IMBRACE_ACCESS_TOKEN = ""
    settings.IMBRACE_ORGANIZATION_ID = ""


@pytest.fixture
def gateway_faults(localgateway):
    """The local gateway, with every injected fault cleared after the test."""
    localgateway.clear_faults()
    yield localgateway
    localgateway.clear_faults()


@pytest.fixture
def gw(localgateway):
    """An httpx client straight to the local gateway, authenticated with the API key."""
    with localgateway.client() as client:
        yield client


@pytest.fixture
def console_user(db, django_user_model):
    """Make a console user holding one role: ``console_user("Support")``."""
    from django.contrib.auth.models import Group

    def make(role: str = "Admin", username: str | None = None):
        user = django_user_model.objects.create_user(username or f"{role.lower()}-user", password="pw")
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def console_client(client, console_user):
    """Django's test client logged in as an Operator; ``console_client.as_role("Viewer")`` switches."""

    def as_role(role: str):
        client.force_login(console_user(role, username=f"{role.lower()}-{os.urandom(3).hex()}"))
        return client

    as_role("Operator")
    client.as_role = as_role
    return client


@pytest.fixture(scope="session")
def live_console(localgateway, tmp_path_factory) -> LiveConsole:
    console = start_live_console(tmp_path_factory.mktemp("console"), localgateway)
    yield console
    console.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module: Playwright's sync API runs an event loop in the main thread while it is
    open, which the async tests that follow in the same test process cannot share."""
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: on a loaded 2-core machine a page can take seconds.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; a screenshot lands in test-artifacts/ when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        artifacts = Path(ROOT, "test-artifacts")
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(items):
    """Browser tests last in each module (see ``browser``). Under pytest-xdist (`make test` runs
    ``-n 2 --dist loadgroup``) a module's tests stay in one process, so its module fixtures start once,
    and the production-stack tests share one process and its one stack."""
    items.sort(key=lambda item: "browser" in item.fixturenames)
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        group = "production" if module.startswith("tests/production/") else module
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
