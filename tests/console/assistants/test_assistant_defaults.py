"""A new assistant's provider and model come from the organization's ``GET /v3/ai/providers``.

Unit tests of the rule on provider lists the local gateway cannot hold at once (none, hidden,
marked ``is_default``); then the create form and the service against the local gateway process,
with a custom provider in the organization (made if the session has none yet).
"""

from __future__ import annotations

import re
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from apps.assistants import selectors, services
from apps.assistants.selectors import organization_default

pytestmark = pytest.mark.django_db


def provider(pid: str, *models, **extra) -> dict:
    return {"provider_id": pid, "name": pid, "models": list(models), **extra}


def model(name: str, shown: bool = True, **extra) -> dict:
    return {"name": name, "is_shown": shown, **extra}


def test_no_provider_means_the_deployment_default():
    assert organization_default([]) == ("system", "Default")


def test_the_first_provider_with_a_shown_model_is_the_default():
    providers = [provider("a", model("hidden", shown=False)), provider("b", model("b-1"), model("b-2"))]
    assert organization_default(providers) == ("b", "b-1")


def test_a_hidden_provider_is_passed_over():
    assert organization_default([provider("a", model("a-1"), is_shown=False)]) == ("system", "Default")


def test_a_provider_and_model_marked_default_win():
    providers = [
        provider("a", model("a-1")),
        provider("b", model("b-1"), model("b-2", is_default=True), is_default=True),
    ]
    assert organization_default(providers) == ("b", "b-2")


def seeded_default(gw) -> tuple[str, str]:
    """The default the organization's providers give now, after making sure it has a custom one."""
    rows = gw.get("/v3/ai/providers").json()
    if not any(m.get("is_shown") for row in rows for m in row.get("models") or []):
        body = {"name": f"Org {uuid.uuid4().hex[:6]}", "type": "openai", "config": {}, "models": [model("org-1")]}
        gw.post("/v3/ai/providers", json=body).raise_for_status()
        rows = gw.get("/v3/ai/providers").json()
    return organization_default(rows)


def test_an_organization_with_its_own_provider_defaults_to_it(gw):
    expected = seeded_default(gw)
    provider_id, model_id = async_to_sync(selectors.default_model)()
    assert (provider_id, model_id) == expected
    assert provider_id != "system", "the organization has a custom provider"


def test_the_create_form_preselects_the_organization_default(console_client, gw):
    provider_id, model_id = seeded_default(gw)
    html = console_client.get(reverse("assistants-create")).content.decode()
    selected = re.findall(r'<option value="([^"]*)" selected>', html)
    assert selected == [f"{provider_id}::{model_id}"]


def test_the_service_fills_a_missing_model_from_the_organization(gw):
    expected = seeded_default(gw)  # first: it makes the organization's provider if this process has none yet
    name = f"Defaults {uuid.uuid4().hex[:8]}"
    fields = {"name": name, "workflow_name": "", "core_task": "Help", "description": ""}
    created = async_to_sync(services.assistant_create)(actor=None, fields=fields)
    stored = gw.get(f"/v3/ai/assistants/{created['id']}").json()
    assert (stored["provider_id"], stored["model_id"]) == expected
