"""``manage.py gateway_check`` and the Admins' "Check the gateway" page, against the local gateway process."""

from __future__ import annotations

import io

import httpx
import pytest
from django.core.management import CommandError, call_command

from tests.chat_helpers import make_assistant
from tests.support import API_KEY

pytestmark = pytest.mark.django_db

READ_PROBES = ["account", "boards", "folders", "assistants", "providers", "flows", "data-board piece"]


def run(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("gateway_check", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_every_read_probe_passes_and_nothing_is_written(gateway_faults):
    httpx.delete(f"{gateway_faults.base_url}/_local/requests").raise_for_status()
    out, failed = run()
    assert failed is None, out
    for name in READ_PROBES:
        assert f"ok   {name}:" in out
    assert "auto_data_board" in out
    seen = gateway_faults.requests_seen()
    assert seen and all(row["method"] == "GET" for row in seen), seen
    assert API_KEY not in out


def test_one_failing_service_shows_as_failed_and_the_others_still_pass(gateway_faults):
    gateway_faults.add_fault(path="/v3/ai/providers", kind="status", status=500)
    out, failed = run()
    assert failed is not None and "providers" in str(failed)
    assert "FAIL providers:" in out
    assert "response: 500 GET /v3/ai/providers" in out
    for name in set(READ_PROBES) - {"providers"}:
        assert f"ok   {name}:" in out


def test_a_surprising_shape_is_shown_with_the_response(gateway_faults):
    gateway_faults.add_fault(path="/data-board/boards", kind="malformed")
    out, failed = run()
    assert "FAIL boards:" in out and failed is not None


def test_chat_and_write_only_when_asked(gw, docs_folder, gateway_faults):
    assistant = make_assistant(gw, folder_ids=[docs_folder])
    boards_before = gw.get("/data-board/boards", params={"limit": 0}).json().get("count")
    out, failed = run("--chat", "--assistant", assistant["id"], "--write")
    assert failed is None, out
    assert "ok   chat:" in out and "ok   write: board:" in out and "ok   write: folder:" in out
    assert gw.get("/data-board/boards", params={"limit": 0}).json().get("count") == boards_before, "deleted again"
    assert "gateway-check" not in str(gw.get("/data-board/folders").json())


def test_the_page_is_for_admins_and_shows_each_probe(console_client, gateway_faults):
    from django.urls import reverse

    url = reverse("ops-gateway-check")
    assert console_client.as_role("Operator").get(url).status_code == 403
    admin = console_client.as_role("Admin")
    page = admin.get(url).content.decode()
    assert "Run the checks" in page and 'href="/gateway-check/"' in page  # linked in the nav for Admins
    assert 'href="/gateway-check/"' not in console_client.as_role("Operator").get("/").content.decode()
    gateway_faults.add_fault(path="/activepieces/v1/flows", kind="status", status=503)
    admin = console_client.as_role("Admin")  # as_role logs the one test client in again
    response = admin.post(url)
    page = response.content.decode()
    assert response.status_code == 200, page[:2000]
    assert "1 of 7 checks failed." in page
    assert page.count("badge-ok") == 6 and page.count("badge-error") == 1
    assert API_KEY not in page
