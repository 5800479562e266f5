"""Fixtures of the production-stack tests: one stack (tests/production/stack.py) for the whole session, started
when a test first asks for it (it takes a minute on a busy 2-core machine), a logged-in admin, and a client of
one instance behind nginx's back."""

from __future__ import annotations

import httpx
import pytest

from tests.production.stack import start_stack


@pytest.fixture(scope="session")
def stack(localgateway, tmp_path_factory):
    running = start_stack(tmp_path_factory.mktemp("production"), localgateway)
    yield running
    running.stop()
    logs = running.logs()
    assert "Internal Server Error" not in logs, logs[-4000:]  # a lost database may log a 503, never a 500


@pytest.fixture
def admin(stack):
    client = stack.client()
    assert stack.login("admin", client=client).status_code == 302
    client.headers["X-CSRFToken"] = client.cookies["__Host-csrftoken"]
    yield client
    client.close()


def direct(stack, instance, client: httpx.Client) -> httpx.Client:
    """A client of one instance, bypassing nginx, with ``client``'s cookies (as nginx would pass them on).

    Its cookies are Secure, so they are sent by hand over this plain-HTTP hop, with the header nginx sets.
    """
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "localhost", "Referer": f"{stack.url}/"}
    if "X-CSRFToken" in client.headers:
        headers["X-CSRFToken"] = client.headers["X-CSRFToken"]
    return httpx.Client(base_url=instance.url, headers=headers, timeout=30)
