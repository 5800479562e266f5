"""Webhook URLs tell the truth: no credential is checked on them, so the console treats them as secrets."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent

from .conftest import AP, make_flow

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_gateway_checks_no_credential_on_webhooks(localgateway, gw):
    """As the real gateway does [GW src/server/middlewares/auth.ts]: no key, or a wrong one, gets through."""
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    url = f"{localgateway.base_url}{AP}/webhooks/{flow['id']}/sync"
    assert httpx.post(url, json={"a": 1}, timeout=30).json() == {"got": {"a": 1}}
    assert httpx.post(url, json={"a": 2}, headers={"x-api-key": "wrong"}, timeout=30).status_code == 200


def test_the_url_is_masked_until_revealed_and_each_reveal_is_audited(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True, publish=True)
    detail = reverse("flows-detail", kwargs={"flow_id": flow["id"]})
    page = console_client.get(detail).content.decode()
    assert "Whoever has this URL can trigger the flow." in page
    assert f"/webhooks/{flow['id']}" not in page and 'data-testid="webhook-url-masked"' in page
    assert "The URL leaked? How to replace it" in page and "answers 410 Gone" in page
    assert not AuditEvent.objects.filter(action="flow.webhook.reveal").exists()

    reveal = reverse("flows-webhook-reveal", kwargs={"flow_id": flow["id"]})
    partial = console_client.post(reveal, headers={**HTMX, "HX-Target": "webhook-urls"}).content.decode()
    assert partial.strip().startswith('<div id="webhook-urls">')
    assert f"{AP}/webhooks/{flow['id']}/sync</code>" in partial and 'data-copy="#webhook-url-sync"' in partial
    event = AuditEvent.objects.get(action="flow.webhook.reveal", target_id=flow["id"])
    assert event.actor_username.startswith("operator") and flow["id"] not in str(event.changes)

    full = console_client.post(reveal)  # without HTMX: the whole page, revealed
    assert full.status_code == 200 and f"{AP}/webhooks/{flow['id']}</code>" in full.content.decode()
    assert AuditEvent.objects.filter(action="flow.webhook.reveal", target_id=flow["id"]).count() == 2


def test_a_viewer_sees_the_warning_but_cannot_reveal(console_client, gw):
    flow = make_flow(gw, webhook=True)
    viewer = console_client.as_role("Viewer")
    page = viewer.get(reverse("flows-detail", kwargs={"flow_id": flow["id"]})).content.decode()
    assert "Whoever has this URL can trigger the flow." in page and "Operators can reveal it." in page
    assert viewer.post(reverse("flows-webhook-reveal", kwargs={"flow_id": flow["id"]})).status_code == 403
    assert not AuditEvent.objects.filter(action="flow.webhook.reveal", target_id=flow["id"]).exists()
