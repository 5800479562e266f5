"""The UI hides what a role cannot do: no page offers a link, form or HTMX action the viewer's role
would be refused (the matrix in ``matrix.py`` says which). The views' own checks are in
``test_role_matrix.py``; this is the other half of "a hidden button is not a check".
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from apps.core.roles import Role

from .hostile import HostileData, create_hostile_data, pages_showing
from .matrix import MATRIX

pytestmark = pytest.mark.django_db

ACTION = re.compile(r"""\s(href|hx-get|hx-post|hx-put|hx-delete|data-stop-url|data-retry-url)=["']([^"']+)["']""")
FORM = re.compile(r"<form\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r"""\b(method|action|hx-post|hx-get)=["']([^"']*)["']""", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile(localgateway) -> HostileData:
    with localgateway.client() as gw:
        return create_hostile_data(gw)


def offered_actions(html: str) -> set[tuple[str, str]]:
    """(method, path) of every link, HTMX action and form on the page."""
    found: set[tuple[str, str]] = set()
    for attr, url in ACTION.findall(html):
        # data-stop-url and data-retry-url: the chat's Stop and Retry, which static/js/chat.js posts.
        method = {"hx-get": "GET", "href": "GET", "hx-put": "PUT", "hx-delete": "DELETE"}.get(attr, "POST")
        found.add((method, url))
    for attrs in FORM.findall(html):
        values = {name.lower(): value for name, value in ATTR.findall(attrs)}
        if values.get("action"):
            found.add((values.get("method", "get").upper(), values["action"]))
    return found


def least_role(method: str, url: str) -> tuple[str, Role | None]:
    path = urlsplit(url).path
    if not path.startswith("/") or path.startswith("/static/"):
        return "", None
    try:
        match = resolve(path)
    except Resolver404:
        return path, None
    return match.url_name, MATRIX.get(match.url_name, {}).get(method)


@pytest.mark.parametrize("role", list(Role), ids=[r.group_name for r in Role])
def test_no_page_offers_what_the_role_would_be_refused(role, hostile):
    user = User.objects.create_user(f"ui-{role.name.lower()}-{uuid.uuid4().hex[:6]}", password="pw")
    user.groups.add(Group.objects.get(name=role.group_name))
    client = Client()
    client.force_login(user)
    pages = [*pages_showing(hostile), reverse("audit-list"), reverse("password-change"), reverse("users-list")]

    offending: dict[str, list[str]] = {}
    checked = 0
    for page in pages:
        response = client.get(page)
        if response.status_code == 403:
            continue  # the page itself is refused; test_role_matrix checks that
        if response.status_code == 302 and not response.url.startswith(reverse("login")):
            continue  # a fragment's address, opened as a page, leads to its page
        assert response.status_code == 200, f"{page} as {role.group_name}: {response.status_code}"
        checked += 1
        for method, url in offered_actions(response.text):
            name, least = least_role(method, url)
            if least is not None and role < least:
                offending.setdefault(page, []).append(f"{method} {url} ({name} needs {least.group_name})")
    assert checked >= 10
    assert offending == {}
