"""What htmx reads from the console's answers to its requests (headers set through django-htmx)."""

from __future__ import annotations

from django.urls import reverse

from .conftest import AP, make_flow

HTMX = {"HX-Request": "true"}


def test_a_step_removed_from_the_dialog_loads_the_flow_page_without_a_swap(console_client, gw):
    flow = make_flow(gw, webhook=True, respond=True)
    url = reverse("flow-steps-delete", kwargs={"flow_id": flow["id"], "step_name": "step_1"})
    response = console_client.post(url, headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("flows-detail", kwargs={"flow_id": flow["id"]}) + "#flow-steps"


def test_a_failed_htmx_write_shows_the_gateway_error_in_the_alert_region(console_client, gw, gateway_faults):
    flow = make_flow(gw)
    gateway_faults.add_fault(path=f"{AP}/flows/{flow['id']}", method="DELETE", kind="status", status=500)
    response = console_client.post(reverse("flows-delete", kwargs={"flow_id": flow["id"]}), headers=HTMX)
    assert response.status_code == 502
    assert response["HX-Retarget"] == "#alerts" and response["HX-Reswap"] == "innerHTML"
    assert 'class="gateway-error"' in response.content.decode() and "<html" not in response.content.decode()
    assert gw.get(f"{AP}/flows/{flow['id']}").status_code == 200
