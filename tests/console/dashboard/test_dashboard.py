"""Login, the dashboard, and gateway failures shown in place."""

from __future__ import annotations

import pytest

from tests.support import free_port


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.django_db
def test_login_page_is_reachable_anonymously(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_dashboard_shows_the_connected_gateway(console_client, localgateway):
    response = console_client.as_role("Viewer").get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="gateway-state">Connected' in html
    assert localgateway.base_url in html
    assert "org_imbrace_local" in html
    assert "API key" in html
    assert localgateway.api_key not in html


def test_each_card_is_a_fragment_that_polls_itself(console_client):
    response = console_client.get("/dashboard/cards/connection/?window=7d", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="dash-card connection is-ok" id="card-connection"')
    assert 'hx-trigger="dashboard:tick from:body"' in html
    assert 'hx-get="/dashboard/cards/connection/?window=7d"' in html  # the chosen window is kept
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    assert console_client.get("/dashboard/cards/nope/").status_code == 404


def test_dashboard_survives_an_unreachable_gateway(console_client, settings):
    settings.IMBRACE_BASE_URL = f"http://127.0.0.1:{free_port()}"
    settings.IMBRACE_RETRIES = 0
    response = console_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="gateway-state">Not reachable' in html
    assert html.count(">unavailable<") == 4
    assert "Traceback" not in html


def test_count_card_is_unavailable_alone_when_one_call_fails(console_client, gateway_faults):
    gateway_faults.add_fault(path="/data-board/boards", kind="status", status=500)
    html = console_client.get("/").content.decode()
    assert 'data-testid="gateway-state">Connected' in html
    boards_card = html.split('data-testid="count-boards-list"')[1].split("</article>")[0]
    assert "unavailable" in boards_card


@pytest.mark.django_db
def test_user_without_a_role_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("norole", password="pw"))
    response = client.get("/")
    assert response.status_code == 403
    assert b"Viewer role" in response.content


def test_responses_carry_a_strict_content_security_policy(console_client):
    policy = console_client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_logout_is_post_only(console_client):
    assert console_client.get("/logout/").status_code == 405
    response = console_client.post("/logout/")
    assert response.status_code == 302
    assert console_client.get("/").status_code == 302


def test_the_navigation_marks_the_section_the_page_is_in(console_client):
    admin = console_client.as_role("Admin")
    for path, label in [("/", "Dashboard"), ("/boards/", "Boards"), ("/audit/", "Audit log"), ("/users/", "Users")]:
        html = admin.get(path).content.decode()
        nav = html[html.index('<ul class="nav-links">') : html.index("</ul>", html.index('<ul class="nav-links">'))]
        assert nav.count('aria-current="page"') == 1, path
        assert f'aria-current="page">{label}</a>' in nav, path
