"""Every console URL, for every role: allowed, refused (403), or sent to log in.

The expected table is ``matrix.MATRIX`` (also in the README). A URL that is
not in the table fails the test, so a new page cannot skip its role check.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from apps.core.roles import Role

from .matrix import MATRIX, PUBLIC, console_url_patterns

pytestmark = pytest.mark.django_db

# Ids that do not exist on the gateway: an allowed role gets past the check and then a 404 or a form error.
MISSING_ID = "0a0a0a0a-0000-4000-8000-000000000000"
SAMPLE_KWARGS = {
    "conversation_id": uuid.UUID(MISSING_ID),
    "kind": "return_response",
    "step_name": "step_1",
    "card": "attention",
}

PATTERNS = console_url_patterns()
CELLS = [(name, method) for name, _ in PATTERNS if name not in PUBLIC for method in MATRIX.get(name, {"GET": None})]


def test_every_console_url_is_in_the_matrix():
    names = {name for name, _ in PATTERNS} - PUBLIC
    assert sorted(names - set(MATRIX)) == [], "add these URLs to tests/trust/matrix.py and the README table"
    assert sorted(set(MATRIX) - names) == [], "these URLs in the matrix no longer exist"


def _url(name: str, spare_user_id: int, known: dict | None = None) -> str:
    """The URL with ids from ``known`` where given, else ids that do not exist."""
    pattern = dict(PATTERNS)[name]
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "user_id":
            kwargs[key] = spare_user_id
        else:
            kwargs[key] = (known or {}).get(key) or SAMPLE_KWARGS.get(key, MISSING_ID)
    return reverse(name, kwargs=kwargs)


def _client_for(role: Role | None, *, no_role: bool = False) -> Client:
    client = Client()
    if role is None and not no_role:
        return client
    user = User.objects.create_user(f"matrix-{uuid.uuid4().hex[:8]}", password="pw")
    if role is not None:
        user.groups.add(Group.objects.get(name=role.group_name))
    client.force_login(user)
    return client


def _refused(response) -> bool:
    return response.status_code == 403


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), CELLS, ids=[f"{m} {n}" for n, m in CELLS])
def test_role_matrix_cell(name, method):
    least = MATRIX.get(name, {}).get(method)
    assert least is not None, f"{method} {name} is not in the matrix"
    spare = User.objects.create_user(f"spare-{uuid.uuid4().hex[:8]}", password="pw")
    url = _url(name, spare.pk)

    anonymous = Client().generic(method, url)
    assert _sent_to_login(anonymous), f"anonymous {method} {url} -> {anonymous.status_code}"
    roleless = _client_for(None, no_role=True).generic(method, url)
    assert _refused(roleless), f"user without a role {method} {url} -> {roleless.status_code}"

    wrong = {}
    for role in Role:
        response = _client_for(role).generic(method, url)
        allowed = not _refused(response) and not _sent_to_login(response)
        if allowed != (role >= least):
            wrong[role.group_name] = response.status_code
    assert wrong == {}, f"{method} {url} needs {least.group_name}; these roles got the wrong answer: {wrong}"
