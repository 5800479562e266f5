"""The fault matrix's chat column: the answer stream under each gateway fault, through the console's
send, stream and retry views (an async client reading the event stream as the browser would).

Each cell checks: the turn ends with a clear failure event (or, for latency, a full answer),
the question stays on the page with Retry, the chat POST reached the gateway once, and Retry
answers once the gateway is back.
"""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django.urls import reverse

from apps.assistants.chat import selectors as chat_selectors
from tests.chat_helpers import REFUND_POLICY, make_assistant, make_folder

from .faults import FAULTS, FaultSwitch, count

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHAT_PATH = "/ai-agent/v2/chat"
STREAM = {"HX-Request": "true", "Accept": "text/event-stream"}  # as static/js/chat.js posts a message
CHAT_FAULTS = {
    **FAULTS,
    "stall": {"kind": "stall", "after_chunks": 3},
    "drop": {"kind": "drop", "after_chunks": 3},
}
# How each fault's failure reads in the chat (any one of these).
CHAT_SAYS = {
    "5xx": ("unavailable right now",),
    "429": ("unavailable right now",),
    "refused": ("unavailable right now",),
    "reset": ("unavailable right now", "was lost", "cannot show"),
    "malformed": ("cannot show",),
    "drop": ("was lost", "ended the answer early"),
}


@pytest.fixture(scope="module")
def chat_assistant(localgateway) -> dict:
    with localgateway.client() as gw:
        folder = make_folder(gw, {"refund-policy.md": REFUND_POLICY})
        return make_assistant(gw, name=f"Fault chat {uuid.uuid4().hex[:6]}", folder_ids=[folder])


@pytest.fixture
def switch(gateway_faults, settings) -> FaultSwitch:
    settings.CHAT_HEARTBEAT_SECONDS = 0.2
    yield FaultSwitch(gateway_faults, settings)
    gateway_faults.clear_faults()


async def _client(console_user) -> AsyncClient:
    client = AsyncClient()
    await client.aforce_login(await sync_to_async(console_user)("Viewer", f"chat-fault-{uuid.uuid4().hex[:6]}"))
    return client


async def _read(response, *, stop_after_keepalives: int | None = None) -> str:
    """A streamed answer's body, as the page's script receives it; optionally leave while it idles."""
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    body, idle = "", 0
    iterator = response.streaming_content
    async for chunk in iterator:
        body += chunk.decode()
        if chunk.startswith(b": keepalive"):
            idle += 1
            if stop_after_keepalives is not None and idle >= stop_after_keepalives:
                await iterator.aclose()  # the user pressed Stop: the page's script ends the request
                break
        if "event: done" in body:
            break
    return body


@pytest.mark.parametrize("fault", list(CHAT_FAULTS))
async def test_chat(fault, switch, console_user, chat_assistant):
    client = await _client(console_user)
    question = f"What is the refund policy? ({fault} {uuid.uuid4().hex[:4]})"
    spec = CHAT_FAULTS[fault]
    # The user has the chat page open, which read the assistant: sending reuses that read (a while), so the
    # fault meets the message itself whatever ran before this test and however long it took.
    await chat_selectors.chat_assistant(assistant_id=chat_assistant["id"], fresh=True)
    if spec is None or fault in FAULTS:
        await sync_to_async(switch.on)(fault, path=CHAT_PATH, method="POST")
    else:
        await sync_to_async(switch.gateway.add_fault)(path=CHAT_PATH, method="POST", **spec)
    sent = await client.post(
        reverse("assistants-chat-send", kwargs={"assistant_id": chat_assistant["id"]}),
        {"message": question},
        headers=STREAM,
    )
    retry_url = reverse("assistants-chat-retry", kwargs={"token": sent["X-Chat-Turn"]})
    body = await _read(sent, stop_after_keepalives=3 if fault == "stall" else None)
    assert question.replace("?", "") in body.split("event: turn", 1)[1].replace("?", "")  # the question is shown

    seen = await sync_to_async(switch.off)()
    if fault != "refused":
        assert count(seen, "POST", CHAT_PATH) == 1  # never sent twice, not even on a retryable status
    if fault == "latency":
        assert "event: failure" not in body and "30 days" in body  # slow, but answered
    elif fault == "stall":
        assert "event: failure" not in body and ": keepalive" in body  # waiting, visibly alive, until Stop
    else:
        failure = body.split("event: failure", 1)[1]
        assert 'data-testid="chat-failure"' in failure
        assert any(words in failure for words in CHAT_SAYS[fault]), failure
        assert "event: done" in body

    answer = await _read(await client.post(retry_url, headers=STREAM))
    assert "event: failure" not in answer and "30 days" in answer
