"""No state change on GET, and CSRF on every state-changing request (HTMX included)."""

from __future__ import annotations

import httpx
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from .hostile import create_hostile_data, gateway_writes
from .matrix import MATRIX, PUBLIC, console_url_patterns
from .test_role_matrix import _url

pytestmark = pytest.mark.django_db

NAMES = sorted({name for name, _ in console_url_patterns()} - PUBLIC)
# Reads that are recorded in the audit log on purpose: a whole board's data leaving the console.
AUDITED_READS = {"boards-export"}
GET_URLS = [name for name in NAMES if "GET" in MATRIX.get(name, {})]
POST_URLS = [name for name in NAMES if "POST" in MATRIX.get(name, {})]


@pytest.fixture(scope="module")
def real_ids(localgateway) -> dict[str, str]:
    """Ids of objects that exist, so a GET reaches as far into each view as it can."""
    with localgateway.client() as gw:
        return create_hostile_data(gw).ids()


@pytest.fixture
def admin_user():
    user = User.objects.create_user("safety-admin", password="pw")
    user.groups.add(Group.objects.get(name="Admin"))
    return user


@pytest.mark.parametrize("name", GET_URLS)
def test_get_changes_nothing_on_the_gateway_or_in_the_console(name, admin_user, localgateway, real_ids):
    from apps.audit.models import AuditEvent

    client = Client()
    client.force_login(admin_user)
    httpx.delete(f"{localgateway.base_url}/_local/requests")
    events, users = AuditEvent.objects.count(), list(User.objects.values_list("pk", "is_active", "password"))

    for url in {_url(name, admin_user.pk), _url(name, admin_user.pk, real_ids)}:
        client.get(url)
        client.get(url, headers={"HX-Request": "true"})

    assert gateway_writes(localgateway) == []
    if name not in AUDITED_READS:
        assert AuditEvent.objects.count() == events
    assert list(User.objects.values_list("pk", "is_active", "password")) == users


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("name", POST_URLS)
def test_post_without_a_csrf_token_is_refused_before_anything_happens(name, htmx, admin_user, localgateway):
    from apps.audit.models import AuditEvent

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    httpx.delete(f"{localgateway.base_url}/_local/requests")
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(_url(name, admin_user.pk), {"name": "csrf-probe"}, headers=headers)

    assert response.status_code == 403
    assert "CSRF" in response.text or "Forbidden" in response.text
    assert gateway_writes(localgateway) == []
    assert AuditEvent.objects.count() == 0


def test_the_csrf_token_travels_in_the_htmx_headers(admin_user):
    """htmx sends the token from ``hx-headers`` on <body>; a page without it would break every HTMX write."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = client.get("/audit/")
    token = page.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page.text
    ok = client.post("/account/password/", {"old_password": "wrong"}, headers={"X-CSRFToken": str(token)})
    assert ok.status_code == 400  # past CSRF: the form answered
