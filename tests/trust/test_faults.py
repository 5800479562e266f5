"""The fault matrix: each gateway fault on each page kind (list, detail, form submit, upload; chat is
in ``test_chat_faults.py``), through the console's real views against the local gateway.

Each cell checks: a clear message where the user is, what the user typed is kept, a write is sent
once, a read is retried only when that is safe, and the page works again once the gateway does.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.chat_helpers import ORGANIZATION_ID, make_assistant

from .faults import FAULTS, READ_TIMEOUT, RETRIED, SAYS, FaultSwitch, count

pytestmark = pytest.mark.django_db

ALL = list(FAULTS)


@pytest.fixture
def switch(gateway_faults, settings) -> FaultSwitch:
    settings.IMBRACE_READ_TIMEOUT = READ_TIMEOUT
    settings.IMBRACE_RETRIES = 2
    yield FaultSwitch(gateway_faults, settings)
    gateway_faults.clear_faults()


@pytest.fixture
def operator(console_user) -> Client:
    client = Client()
    client.force_login(console_user("Operator", f"fault-op-{uuid.uuid4().hex[:6]}"))
    return client


@pytest.fixture(scope="module")
def assistant(localgateway) -> dict:
    with localgateway.client() as gw:
        return make_assistant(gw, name=f"Fault target {uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="module")
def folder_id(localgateway) -> str:
    with localgateway.client() as gw:
        response = gw.post(
            "/data-board/folders",
            json={
                "name": f"Fault uploads {uuid.uuid4().hex[:6]}",
                "organization_id": ORGANIZATION_ID,
                "parent_folder_id": "root",
                "source_type": "upload",
            },
        )
        response.raise_for_status()
        return response.json()["data"]["_id"]


def assert_clear_message(response, fault: str) -> None:
    text = response.text
    assert response.status_code >= 400, response.status_code
    assert SAYS[fault] in text, text[:2000]
    assert "Traceback" not in text and "api_test_" not in text


# --- list and detail (reads) ---------------------------------------------------------------------


@pytest.mark.parametrize("fault", ALL)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_list_page(fault, htmx, switch, operator, assistant):
    url, gateway_path = reverse("assistants-list"), "/v3/ai/accounts/assistants"
    headers = {"HX-Request": "true", "HX-Target": "main"} if htmx else {}
    switch.on(fault, path=gateway_path, method="GET")

    failed = operator.get(url, headers=headers)

    seen = switch.off()
    assert_clear_message(failed, fault)
    assert 'class="gateway-error"' in failed.text
    assert ("<html" in failed.text) is not htmx  # HTMX gets the message in place, not a whole page
    assert f'href="{url}"' in failed.text  # Retry
    if fault in RETRIED:
        assert count(seen, "GET", gateway_path) == 3
    elif fault == "malformed":
        assert count(seen, "GET", gateway_path) == 1
    recovered = operator.get(url, headers=headers)
    assert recovered.status_code == 200 and assistant["name"] in recovered.text


@pytest.mark.parametrize("fault", ALL)
def test_detail_page(fault, switch, operator, assistant):
    url = reverse("assistants-detail", kwargs={"assistant_id": assistant["id"]})
    gateway_path = f"/v3/ai/assistants/{assistant['id']}"
    switch.on(fault, path=gateway_path, method="GET")

    failed = operator.get(url)

    seen = switch.off()
    assert_clear_message(failed, fault)
    assert 'class="gateway-error"' in failed.text and f'href="{url}"' in failed.text
    if fault in RETRIED:
        assert count(seen, "GET", gateway_path) == 3
    recovered = operator.get(url)
    assert recovered.status_code == 200 and assistant["name"] in recovered.text


# --- form submit (a write) -----------------------------------------------------------------------


def assistant_form(name: str) -> dict:
    return {
        "name": name,
        "workflow_name": f"wf_{uuid.uuid4().hex[:10]}",
        "description": "Answers questions about invoices",
        "core_task": "Explain invoices line by line; never guess amounts.",
        "personality_role": "A patient billing clerk",
        "tone_and_style": "Plain",
        "response_length": "Short",
        "banned_words": "",
        "model": "system:Default",
        "temperature": "0.3",
    }


@pytest.mark.parametrize("fault", ALL)
def test_form_submit(fault, switch, operator, localgateway):
    name = f"Typed by hand {uuid.uuid4().hex[:6]}"
    typed = assistant_form(name)
    page = operator.get(reverse("assistants-create"))
    typed["model"] = re.search(r'<option value="([^"]+)" selected>', page.text).group(1)  # the default model
    switch.on(fault, path="/v3/ai/assistant_apps", method="POST")

    failed = operator.post(reverse("assistants-create"), typed)

    seen = switch.off()
    assert_clear_message(failed, fault)
    # Everything typed is still in the form.
    assert f'value="{name}"' in failed.text
    assert "Explain invoices line by line; never guess amounts." in failed.text
    assert 'value="A patient billing clerk"' in failed.text
    if fault in ("latency", "reset"):
        # Sent but not answered, so the console cannot know: it must not claim that nothing was saved
        # (after "latency" the gateway did save it, late).
        assert "Nothing was saved" not in failed.text and "may have been made anyway" in failed.text
    if fault == "refused":  # the connection was refused: nothing reached the gateway
        assert "Nothing was saved" in failed.text
    if fault != "refused":
        assert count(seen, "POST", "/v3/ai/assistant_apps") == 1  # never sent twice
    # Once the gateway is back, sending the same form works (a fresh workflow name: after
    # "latency" the slow create went through late, and the console rightly refuses a duplicate).
    recovered = operator.post(reverse("assistants-create"), {**typed, "workflow_name": f"wf_{uuid.uuid4().hex[:10]}"})
    assert recovered.status_code == 302, recovered.text[:2000]
    with localgateway.client() as gw:
        body = gw.get("/v3/ai/accounts/assistants").json()
        names = [row["name"] for row in (body if isinstance(body, list) else body["data"])]
    assert name in names


# --- upload (a write with a file body) -------------------------------------------------------------


@pytest.mark.parametrize("fault", ALL)
def test_upload(fault, switch, console_user, folder_id, localgateway):
    support = Client()
    support.force_login(console_user("Support", f"fault-support-{uuid.uuid4().hex[:6]}"))
    url = reverse("knowledge-file-upload", kwargs={"folder_id": folder_id})
    file_name = f"fault-{fault}-{uuid.uuid4().hex[:6]}.txt"
    switch.on(fault, path="/data-board/files/upload", method="POST")

    failed = support.post(url, {"file": _file(file_name)}, headers={"Accept": "application/json"})

    seen = switch.off()
    if fault == "latency":
        # Uploads have their own, longer timeout: a slow gateway is waited for, and the file arrives once.
        assert failed.status_code == 201 and count(seen, "POST", "/data-board/files/upload") == 1
        return
    assert failed.status_code >= 400
    results = json.loads(failed.text)["results"]
    assert [(r["name"], r["ok"]) for r in results] == [(file_name, False)]
    assert SAYS[fault] in results[0]["message"] or SAYS[fault] in results[0].get("reason", "")
    if fault != "refused":
        assert count(seen, "POST", "/data-board/files/upload") == 1
    recovered = support.post(url, {"file": _file(file_name)}, headers={"Accept": "application/json"})
    assert recovered.status_code == 201
    with localgateway.client() as gw:
        files = gw.get("/data-board/files", params={"folder_id": folder_id}).json()["data"]
    assert [f["name"] for f in files].count(file_name) == 1


def _file(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"fault matrix upload\n", content_type="text/plain")
