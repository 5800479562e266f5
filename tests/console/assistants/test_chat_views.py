"""Chat pages through Django's test client, against the local gateway: send, stream, resume, privacy, delete."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import DatabaseError
from django.urls import reverse

from apps.assistants.models import ChatTurn, Conversation
from apps.audit.models import AuditEvent
from tests.chat_helpers import make_assistant, make_flow, make_folder
from tests.support import free_port

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
STREAM = {**HTMX, "Accept": "text/event-stream"}  # as static/js/chat.js posts a message


@pytest.fixture(scope="module")
def helper(localgateway, docs_folder) -> dict:
    with localgateway.client() as client:
        return make_assistant(client, name=f"Helpdesk {uuid.uuid4().hex[:6]}", folder_ids=[docs_folder])


def sse_events(body: str) -> list[tuple[str, str]]:
    """(event, data) of every event in a relay body; comments come out as ("comment", text)."""
    events = []
    for block in body.split("\n\n"):
        if not block:
            continue
        if block.startswith(":"):
            events.append(("comment", block[1:].strip()))
            continue
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: ") or line == "data:":
                data.append(line[len("data: ") :])
        events.append((name, "\n".join(data)))
    return events


def send(client, assistant_id: str, message: str, conversation_id: str = "") -> tuple:
    """Send a message as the page's script does and read the answer to its end: (response, turn markup, events)."""
    response = client.post(
        reverse("assistants-chat-send", kwargs={"assistant_id": assistant_id}),
        {"message": message, "conversation_id": conversation_id},
        headers=STREAM,
    )
    assert response.status_code == 200, response.content
    return (response, *first_and_rest(response))


async def _read_all(content) -> bytes:
    return b"".join([chunk async for chunk in content])


def first_and_rest(response) -> tuple[str, list[tuple[str, str]]]:
    """Read a streamed answer: the markup of its first event (the turn or answer), and the events after it."""
    events = sse_events(async_to_sync(_read_all)(response.streaming_content).decode())
    (name, html), *rest = events
    assert name in ("turn", "answer"), events[:2]
    return html, rest


def answer_html(events: list[tuple[str, str]]) -> str:
    """The answer as the page shows it at the end: the finished blocks, in order, then an emptied open block."""
    return "".join(data for name, data in events if name == "block")


def conversation_of(response) -> str:
    return response["X-Conversation-Url"].rstrip("/").rsplit("/", 1)[-1]


def test_chat_page_renders_for_a_viewer(console_client, helper):
    response = console_client.as_role("Viewer").get(reverse("assistants-chat", kwargs={"assistant_id": helper["id"]}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Chat with {helper['name']}" in html
    assert 'id="chat-form"' in html and 'name="message"' in html
    assert "js/chat.js" in html
    assert "<script>" not in html, "no inline scripts (CSP)"


def test_sending_a_message_streams_the_turn_then_its_answer(console_client, helper):
    client = console_client.as_role("Viewer")
    response, html, events = send(client, helper["id"], "What is the <b>refund</b> policy?")
    assert 'data-testid="chat-user"' in html
    assert "What is the &lt;b&gt;refund&lt;/b&gt; policy?" in html, "the question is escaped"
    turn = ChatTurn.objects.get()
    assert response["X-Chat-Turn"] == turn.token
    assert f'<div class="chat-stream" data-token="{turn.token}"' in html
    assert f'id="chat-blocks-{turn.token}"' in html and f'id="chat-tail-{turn.token}"' in html
    assert [name for name, _ in events][-1] == "done"
    conversation = Conversation.objects.get()
    assert conversation.title == "What is the <b>refund</b> policy?"
    assert conversation.assistant_name == helper["name"]
    assert response["X-Conversation-Url"].endswith(f"/chat/{conversation.pk}/")
    assert f'id="chat-conversation-id" value="{conversation.pk}" hx-swap-oob="true"' in html
    assert '<div class="page-head chat-head" id="chat-head" hx-swap-oob="true">' in html
    assert "Delete conversation" in html
    assert '<ul hx-swap-oob="afterbegin:#chat-conversations">' in html, "the new conversation goes on top of the list"
    assert 'aria-current="page">What is the &lt;b&gt;refund&lt;/b&gt; policy?</a>' in html


def test_the_stream_relays_the_answer_as_escaped_html_events(console_client, helper):
    client = console_client.as_role("Viewer")
    response, _, events = send(client, helper["id"], "What is the refund policy?")
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    assert "Content-Encoding" not in response
    names = [name for name, _ in events]
    assert names[-1] == "done"
    assert "failure" not in names
    assert names.count("delta") > 3, "the answer streams in pieces"
    final = answer_html(events)
    assert "<strong>refund-policy.md</strong>" in final, "Markdown is rendered"
    assert "30 days" in final
    assert [data for name, data in events if name == "delta"][-1] == "", "the tail is folded into the blocks at the end"


def test_html_in_an_answer_is_neutralised(console_client, gw):
    folder = make_folder(
        gw, {"tricky.md": "Voucher codes: <script>alert('voucher')</script> <img src=x onerror=alert(1)>"}
    )
    assistant = make_assistant(gw, folder_ids=[folder])
    client = console_client.as_role("Viewer")
    _, _, events = send(client, assistant["id"], "Tell me about voucher codes")
    everything = "\n".join(data for _, data in events)
    assert "voucher" in everything
    assert "<script" not in everything and "<img" not in everything
    assert "&lt;script&gt;" in answer_html(events)


def test_a_follow_up_in_the_same_conversation_keeps_the_context(console_client, helper):
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, helper["id"], "Can I get a refund?")
    conversation_id = conversation_of(response)
    second, html, events = send(client, helper["id"], "Tell me more", conversation_id)
    assert "X-Conversation-Url" not in second and "hx-swap-oob" not in html
    assert "prorated" in answer_html(events)
    assert Conversation.objects.count() == 1


def test_a_conversation_resumes_with_its_history_from_the_gateway(console_client, helper):
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, helper["id"], "How fast is express shipping?")
    page = client.get(response["X-Conversation-Url"])
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="chat-user"') == 1 and html.count('data-testid="chat-assistant"') == 1
    assert "How fast is express shipping?" in html
    assert "one day" in html and "<strong>shipping-guide.md</strong>" in html
    assert f'value="{conversation_of(response)}"' in html, "a follow-up goes to the same conversation"
    assert 'aria-current="page">How fast is express shipping?</a>' in html


def test_conversations_are_private_to_their_user(console_client, helper):
    owner = console_client.as_role("Viewer")
    response, _, _ = send(owner, helper["id"], "refund")
    conversation_url = response["X-Conversation-Url"]
    conversation_id = conversation_of(response)

    other = console_client.as_role("Admin")
    assert other.get(conversation_url).status_code == 404
    token = ChatTurn.objects.get().token
    for action in ("assistants-chat-stop", "assistants-chat-retry"):
        assert other.post(reverse(action, kwargs={"token": token}), headers=STREAM).status_code == 404
    assert (
        other.post(
            reverse("assistants-chat-send", kwargs={"assistant_id": helper["id"]}),
            {"message": "hi", "conversation_id": conversation_id},
            headers=STREAM,
        ).status_code
        == 404
    )
    delete_url = reverse(
        "assistants-chat-delete", kwargs={"assistant_id": helper["id"], "conversation_id": conversation_id}
    )
    assert other.post(delete_url).status_code == 404
    listing = other.get(reverse("assistants-chat", kwargs={"assistant_id": helper["id"]})).content.decode()
    assert conversation_id not in listing
    assert conversation_id not in other.get(reverse("assistants-chat-list")).content.decode()


def test_an_empty_message_is_refused_where_the_user_typed(console_client, helper):
    client = console_client.as_role("Viewer")
    response = client.post(
        reverse("assistants-chat-send", kwargs={"assistant_id": helper["id"]}), {"message": "   "}, headers=STREAM
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#chat-form-errors"
    assert "Type a message first." in response.content.decode()
    assert not Conversation.objects.exists()


def test_without_javascript_sending_leads_to_the_conversation(console_client, helper):
    client = console_client.as_role("Viewer")
    response = client.post(reverse("assistants-chat-send", kwargs={"assistant_id": helper["id"]}), {"message": "hi"})
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"/chat/{conversation.pk}/")


def test_an_error_inside_the_stream_is_shown(console_client, gw):
    broken = make_assistant(gw, model_id="invalid")
    client = console_client.as_role("Viewer")
    _, _, events = send(client, broken["id"], "Hello")
    assert [name for name, _ in events][-2:] == ["failure", "done"]
    assert "Model &#x27;invalid&#x27; is not available" in events[-2][1]


def test_an_error_before_the_stream_is_shown(console_client, gw):
    doomed = make_assistant(gw)
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, doomed["id"], "Hello")
    gw.delete(f"/v3/ai/assistant_apps/{doomed['id']}").raise_for_status()
    _, _, events = send(client, doomed["id"], "Still there?", conversation_of(response))
    assert [name for name, _ in events] == ["failure", "done"]
    assert f"Assistant not found: {doomed['id']}" in events[0][1]


def test_an_unreachable_gateway_is_shown_in_the_stream(console_client, helper, settings):
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, helper["id"], "refund")
    settings.IMBRACE_BASE_URL = f"http://127.0.0.1:{free_port()}"
    _, _, events = send(client, helper["id"], "and exchanges?", conversation_of(response))
    assert [name for name, _ in events] == ["failure", "done"]
    assert "unavailable" in events[0][1]


def test_a_non_streaming_assistant_answers_at_once(console_client, gw, docs_folder):
    quiet = make_assistant(gw, streaming=False, folder_ids=[docs_folder])
    client = console_client.as_role("Viewer")
    page = client.get(reverse("assistants-chat", kwargs={"assistant_id": quiet["id"]})).content.decode()
    assert "answers without streaming" in page
    _, _, events = send(client, quiet["id"], "What is the refund policy?")
    assert [name for name, _ in events][-1] == "done" and "failure" not in [name for name, _ in events]
    assert "30 days" in answer_html(events)


def test_a_flow_call_is_shown_with_its_result(console_client, gw, docs_folder):
    flow_id = make_flow(
        gw,
        name=f"Order Status {uuid.uuid4().hex[:6]}",
        description="Look up the shipping status of a customer order",
        response_body={"order": "A-1001", "status": "shipped"},
    )
    assistant = make_assistant(gw, folder_ids=[docs_folder], flow_ids=[flow_id])
    client = console_client.as_role("Viewer")
    _, _, events = send(client, assistant["id"], "What is the shipping status of order A-1001?")
    tools = [data for name, data in events if name == "tool"]
    assert len(tools) >= 2, "the call shows while it runs and again with its result"
    assert "running" in tools[0]
    assert "Order_Status_" in tools[-1] and "badge-ok" in tools[-1]
    assert "&quot;status&quot;: &quot;shipped&quot;" in tools[-1]
    assert "shipped" in answer_html(events)
    page = client.get(reverse("assistants-chat-list")).content.decode()
    assert "What is the shipping status of order A-1001?" in page


def test_retry_streams_a_new_answer_to_the_same_question(console_client, helper):
    client = console_client.as_role("Viewer")
    send(client, helper["id"], "What is the refund policy?")
    old_token = ChatTurn.objects.get().token
    response = client.post(reverse("assistants-chat-retry", kwargs={"token": old_token}), headers=STREAM)
    assert response.status_code == 200
    html, events = first_and_rest(response)
    new_token = response["X-Chat-Turn"]
    assert new_token != old_token and f'data-token="{new_token}"' in html
    assert 'data-testid="chat-assistant"' in html and 'data-testid="chat-user"' not in html
    assert "30 days" in answer_html(events)
    assert (
        console_client.as_role("Admin")
        .post(reverse("assistants-chat-retry", kwargs={"token": old_token}), headers=STREAM)
        .status_code
        == 404
    )


def test_deleting_a_conversation_removes_it_here_and_on_the_gateway(console_client, helper, gw):
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, helper["id"], "refund")
    conversation_id = conversation_of(response)
    url = reverse("assistants-chat-delete", kwargs={"assistant_id": helper["id"], "conversation_id": conversation_id})
    assert "Delete “refund”?" in client.get(url).content.decode()
    deleted = client.post(url, headers=HTMX)
    assert deleted.status_code == 204
    assert json.loads(deleted["HX-Location"])["path"] == reverse(
        "assistants-chat", kwargs={"assistant_id": helper["id"]}
    )
    assert not Conversation.objects.filter(pk=conversation_id).exists()
    assert gw.get(f"/ai-agent/chat-client/chats/{conversation_id}").status_code == 404
    event = AuditEvent.objects.get(action="chat.delete")
    assert event.outcome == "success" and event.changes["conversation"] == conversation_id


def test_the_start_of_each_conversation_is_audited_once(console_client, helper):
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, helper["id"], "refund")
    _, _, _ = send(client, helper["id"], "more", conversation_of(response))
    [event] = AuditEvent.objects.filter(action="chat.start")
    assert event.outcome == "success"
    assert event.target_id == helper["id"]
    assert event.changes["conversation"] == conversation_of(response)


def test_stop_replaces_the_stream_with_a_note_and_retry(console_client, helper):
    client = console_client.as_role("Viewer")
    _, html, _ = send(client, helper["id"], "refund")
    token = ChatTurn.objects.get().token
    stop_url = reverse("assistants-chat-stop", kwargs={"token": token})
    assert f'data-stop-url="{stop_url}"' in html
    stopped = client.post(stop_url, headers=HTMX).content.decode()
    assert "Stopped." in stopped
    assert reverse("assistants-chat-retry", kwargs={"token": token}) in stopped
    dropped = client.post(stop_url, {"reason": "dropped"}, headers=HTMX).content.decode()
    assert "connection to the console was lost" in dropped
    assert console_client.as_role("Admin").post(stop_url, headers=HTMX).status_code == 404


def test_a_conversation_with_a_deleted_assistant_can_still_be_read(console_client, gw, docs_folder):
    gone = make_assistant(gw, name=f"Retired {uuid.uuid4().hex[:6]}", folder_ids=[docs_folder])
    client = console_client.as_role("Viewer")
    response, _, _ = send(client, gone["id"], "What is the refund policy?")
    gw.delete(f"/v3/ai/assistant_apps/{gone['id']}").raise_for_status()
    page = client.get(response["X-Conversation-Url"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "no longer exists" in html and gone["name"] in html
    assert "30 days" in html
    assert 'id="chat-form"' not in html


def test_a_message_too_long_is_refused_and_kept(console_client, helper):
    client = console_client.as_role("Viewer")
    response = client.post(
        reverse("assistants-chat-send", kwargs={"assistant_id": helper["id"]}), {"message": "x" * 8001}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Keep a message under 8,000 characters." in html
    assert "x" * 8001 in html, "what the user typed is kept"
    assert not Conversation.objects.exists()


def test_starting_a_conversation_reuses_the_assistant_the_page_just_read(console_client, helper, gw):
    client = console_client.as_role("Viewer")
    assert client.get(reverse("assistants-chat", kwargs={"assistant_id": helper["id"]})).status_code == 200
    gw.delete("/_local/requests")
    send(client, helper["id"], "refund")
    reads = [r for r in gw.get("/_local/requests").json()["requests"] if r["path"].endswith(helper["id"])]
    assert reads == [], "the name read a moment ago is reused: no gateway call before the answer starts"
    assert Conversation.objects.get().assistant_name == helper["name"]


def test_starting_a_conversation_with_an_unknown_assistant_is_refused(console_client):
    client = console_client.as_role("Viewer")
    missing = "0a0a0a0a-0000-4000-8000-000000000000"
    response = client.post(
        reverse("assistants-chat-send", kwargs={"assistant_id": missing}), {"message": "hi"}, headers=STREAM
    )
    assert response.status_code == 404
    assert not Conversation.objects.exists()


def test_a_message_the_console_cannot_save_says_so_without_a_retry(console_client, helper, monkeypatch):
    """The database refusing the write (not something the local gateway can cause): patched here."""

    def refuse(turn):
        raise DatabaseError("database is locked")

    monkeypatch.setattr("apps.assistants.chat.services.chat_turn_save", sync_to_async(refuse))
    _, _, events = send(console_client.as_role("Viewer"), helper["id"], "refund")
    names = [name for name, _ in events]
    assert names[-2:] == ["failure", "done"]
    assert names.count("failure") == 1
    # The save runs while the gateway answers: the answer stops at its first part, which came meanwhile.
    assert set(names[:-2]) <= {"block", "delta", "tool"}
    failure = events[-2][1]
    assert "could not save this message" in failure
    assert 'data-testid="chat-retry"' not in failure, "there is nothing saved to retry"
    assert not Conversation.objects.exists()
    assert not AuditEvent.objects.filter(action="chat.start").exists()
