"""The local gateway's ai-agent chat against the contract.

See docs/contract/assistants-chat.md#the-event-stream and docs/contract/flows.md#flows-as-chat-tools.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.chat_helpers import (
    chat,
    chat_body,
    make_assistant,
    make_board,
    make_flow,
    parse_parts,
    text_of,
)


@pytest.fixture(scope="module")
def helper(localgateway, docs_folder) -> dict:
    with localgateway.client() as client:
        return make_assistant(client, folder_ids=[docs_folder])


def types(parts: list) -> list[str]:
    return [part if isinstance(part, str) else part["type"] for part in parts]


def test_streaming_reply_has_the_ui_message_stream_headers_and_part_sequence(gw, helper):
    response = gw.post("/ai-agent/v2/chat", json=chat_body(helper["id"], "What is the refund policy?"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert response.headers["x-accel-buffering"] == "no"
    parts = parse_parts(response.text)
    kinds = types(parts)
    assert kinds[:3] == ["start", "start-step", "text-start"]
    assert kinds[-5:] == ["text-delta", "text-end", "finish-step", "finish", "[DONE]"]
    assert set(kinds[3:-4]) == {"text-delta"}
    uuid.UUID(parts[0]["messageId"])
    text_id = parts[2]["id"]
    assert all(part["id"] == text_id for part in parts[2:-3])
    assert len([kind for kind in kinds if kind == "text-delta"]) > 5, "the reply streams word by word"
    assert "30 days" in text_of(parts)
    assert "refund-policy.md" in text_of(parts)


def test_the_answer_comes_from_the_best_passage(gw, helper):
    _, text = chat(gw, helper["id"], "How long does express shipping to the EU take?")
    assert "one day" in text
    assert "shipping-guide.md" in text
    assert "refund" not in text.lower()


def test_a_question_nothing_covers_says_so(gw, helper):
    _, text = chat(gw, helper["id"], "Which vaccines do penguins need?")
    assert "could not find anything" in text
    assert "penguin" in text


def test_an_assistant_without_knowledge_says_it_has_nothing(gw):
    bare = make_assistant(gw)
    _, text = chat(gw, bare["id"], "What is the refund policy?")
    assert "nothing to answer from" in text


def test_a_follow_up_in_the_same_session_keeps_the_topic(gw, helper):
    session = str(uuid.uuid4())
    _, first = chat(gw, helper["id"], "Can I get a refund?", chat_id=session)
    _, second = chat(gw, helper["id"], "Tell me more", chat_id=session)
    assert "30 days" in first
    assert "prorated" in second, "the follow-up answers about refunds, from the passage not given yet"
    assert "original payment method" not in second
    _, fresh = chat(gw, helper["id"], "Tell me more")
    assert "prorated" not in fresh, "a new session has no previous topic"


def test_history_is_kept_by_session_id_and_listed(gw, helper):
    session = str(uuid.uuid4())
    chat(gw, helper["id"], "What is the refund policy?", chat_id=session)
    chat(gw, helper["id"], "And shipping?", chat_id=session)

    row = gw.get(f"/ai-agent/chat-client/chats/{session}").json()
    assert row["id"] == session
    assert row["assistantId"] == helper["id"]
    assert row["title"] == "What is the refund policy?"
    assert row["status"] == "idle"
    assert row["visibility"] == "private" and row["type"] == "chat"
    assert set(row) >= {"createdAt", "userId", "organizationId", "lastContext"}

    messages = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()
    assert [message["role"] for message in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[0]["parts"] == [{"type": "text", "text": "What is the refund policy?"}]
    assert "30 days" in messages[1]["parts"][-1]["text"]
    assert all(message["chatId"] == session and message["attachments"] == [] for message in messages)

    listed = gw.get("/ai-agent/chat-client/chats", params={"limit": 100}).json()
    assert set(listed) == {"chats", "hasMore"}
    assert session in [chat_row["id"] for chat_row in listed["chats"]]


def test_only_the_last_user_message_is_stored(gw, helper):
    session = str(uuid.uuid4())
    body = chat_body(helper["id"], "What is the refund policy?", session)
    body["messages"].insert(0, {"role": "user", "content": "An earlier message the server ignores"})
    assert gw.post("/ai-agent/v2/chat", json=body).status_code == 200
    messages = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()
    assert [message["parts"][0]["text"] for message in messages if message["role"] == "user"] == [
        "What is the refund policy?"
    ]


def test_simple_content_messages_are_accepted(gw, helper):
    body = {"id": str(uuid.uuid4()), "assistant_id": helper["id"], "messages": [{"role": "user", "content": "refund"}]}
    assert "30 days" in text_of(parse_parts(gw.post("/ai-agent/v2/chat", json=body).text))


def test_chat_list_pages_newest_first_with_cursors(gw, helper):
    sessions = [str(uuid.uuid4()) for _ in range(3)]
    for session in sessions:
        chat(gw, helper["id"], "refund", chat_id=session)
    first = gw.get("/ai-agent/chat-client/chats", params={"limit": 2}).json()
    assert [row["id"] for row in first["chats"]] == sessions[::-1][:2]
    assert first["hasMore"] is True
    after = gw.get("/ai-agent/chat-client/chats", params={"limit": 1, "starting_after": sessions[1]}).json()
    assert [row["id"] for row in after["chats"]] == [sessions[0]]
    before = gw.get("/ai-agent/chat-client/chats", params={"limit": 5, "ending_before": sessions[0]}).json()
    assert [row["id"] for row in before["chats"]] == sessions[::-1][:2]
    both = gw.get("/ai-agent/chat-client/chats", params={"starting_after": sessions[0], "ending_before": sessions[1]})
    assert both.status_code == 400
    assert both.json()["code"] == "bad_request:api"
    assert both.json()["cause"] == "Only one of starting_after or ending_before can be provided."


def test_chat_delete_and_patch(gw, helper):
    session = str(uuid.uuid4())
    chat(gw, helper["id"], "refund", chat_id=session)
    assert gw.patch(f"/ai-agent/chat-client/chats/{session}", json={"visibility": "public"}).json() == {"ok": True}
    assert gw.get(f"/ai-agent/chat-client/chats/{session}").json()["visibility"] == "public"
    deleted = gw.delete(f"/ai-agent/chat-client/chats/{session}")
    assert deleted.status_code == 200 and deleted.json()["id"] == session
    missing = gw.get(f"/ai-agent/chat-client/chats/{session}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found:chat"
    assert gw.get(f"/ai-agent/chat-client/chats/{session}/messages").status_code == 404


def test_non_streaming_assistant_answers_plain_text(gw, docs_folder):
    quiet = make_assistant(gw, streaming=False, folder_ids=[docs_folder])
    session = str(uuid.uuid4())
    response = gw.post("/ai-agent/v2/chat", json=chat_body(quiet["id"], "What is the refund policy?", session))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "30 days" in response.text
    assert "data:" not in response.text
    messages = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()
    assert [message["role"] for message in messages] == ["user"], "the non-streaming reply is not saved"


def test_invalid_model_fails_inside_the_stream(gw):
    broken = make_assistant(gw, model_id="invalid")
    session = str(uuid.uuid4())
    response = gw.post("/ai-agent/v2/chat", json=chat_body(broken["id"], "Hi", session))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    parts = parse_parts(response.text)
    assert types(parts) == ["start", "start-step", "error", "[DONE]"]
    assert "invalid" in parts[2]["errorText"]
    saved = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()[-1]
    assert saved["role"] == "assistant"
    assert saved["metadata"] == {"error": True, "errorText": parts[2]["errorText"]}


def test_model_override_applies_only_with_both_fields(gw, helper):
    only_model = chat_body(helper["id"], "refund", model_id="invalid")
    assert "error" not in types(parse_parts(gw.post("/ai-agent/v2/chat", json=only_model).text))
    both = chat_body(helper["id"], "refund", model_id="invalid", provider_id="system")
    assert "error" in types(parse_parts(gw.post("/ai-agent/v2/chat", json=both).text))


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"id": None}, 400, "Chat ID is required in request body"),
        ({"assistant_id": None}, 400, "Missing required field assistant_id"),
        ({"messages": None}, 500, "Cannot read properties of undefined (reading 'length')"),
    ],
)
def test_errors_before_the_stream_are_json(gw, helper, change, status, error):
    body = {key: value for key, value in {**chat_body(helper["id"], "Hi"), **change}.items() if value is not None}
    response = gw.post("/ai-agent/v2/chat", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": error}


def test_a_chat_id_that_is_not_a_uuid_is_a_500(gw, helper):
    response = gw.post("/ai-agent/v2/chat", json=chat_body(helper["id"], "Hi", chat_id="not-a-uuid"))
    assert response.status_code == 500
    assert "Invalid uuid" in response.json()["error"]


def test_unknown_assistant_is_a_500_and_the_chat_keeps_the_error(gw):
    session, missing = str(uuid.uuid4()), str(uuid.uuid4())
    response = gw.post("/ai-agent/v2/chat", json=chat_body(missing, "Hello?", session))
    assert response.status_code == 500
    assert response.json() == {"error": f"Assistant not found: {missing}"}
    messages = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()
    assert [message["role"] for message in messages] == ["user", "assistant"]
    assert messages[1]["metadata"]["error"] is True


def test_assistant_without_a_model_is_a_500(gw):
    body = {"name": "No model", "workflow_name": f"no_model_{uuid.uuid4().hex[:6]}", "streaming": True}
    assistant = gw.post("/v3/ai/assistant_apps", json=body).json()
    response = gw.post("/ai-agent/v2/chat", json=chat_body(assistant["id"], "Hi"))
    assert response.status_code == 500
    assert response.json() == {"error": "Assistant is missing model_id/provider_id configuration"}


def test_a_bound_flow_is_called_when_the_question_asks_for_it(gw, docs_folder):
    flow_id = make_flow(
        gw,
        name=f"Order Status {uuid.uuid4().hex[:6]}",
        description="Look up the shipping status of a customer order",
        response_body={"order": "A-1001", "status": "shipped", "asked": "{{trigger.body.query}}"},
    )
    assistant = make_assistant(gw, folder_ids=[docs_folder], flow_ids=[flow_id])
    session = str(uuid.uuid4())
    parts, text = chat(gw, assistant["id"], "What is the shipping status of order A-1001?", chat_id=session)
    kinds = types(parts)
    assert kinds[:6] == [
        "start",
        "start-step",
        "tool-input-start",
        "tool-input-delta",
        "tool-input-available",
        "tool-output-available",
    ]
    assert kinds[6:9] == ["finish-step", "start-step", "text-start"]
    start, _, available, output = parts[2:6]
    assert start["toolName"].startswith("Order_Status_")
    assert available["toolCallId"] == start["toolCallId"] == output["toolCallId"]
    assert available["input"]["chat_id"] == session
    assert available["input"]["board_ids"] == []
    assert output["output"]["status"] == "shipped"
    assert output["output"]["asked"] == "What is the shipping status of order A-1001?"
    assert "shipped" in text
    stored = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()[-1]["parts"]
    assert stored[0]["type"] == f"tool-{start['toolName']}"
    assert stored[0]["output"]["status"] == "shipped"

    _, unrelated = chat(gw, assistant["id"], "What is the refund policy?")
    assert "30 days" in unrelated, "a question the flow does not cover is answered from knowledge"


def test_auth_user_and_the_jwt_credential_rule(gw, localgateway):
    user = gw.post("/ai-agent/chat-client/auth/user").json()
    assert set(user) == {"id", "email"}
    uuid.UUID(user["id"])
    jwt = localgateway.jwt()
    headers = {"authorization": f"Bearer {jwt}", "x-organization-id": "org_imbrace_local"}
    refused = httpx.post(f"{localgateway.base_url}/ai-agent/chat-client/auth/user", headers=headers)
    assert refused.status_code == 401
    assert refused.json() == {"message": "Missing credential (x-access-token or x-api-key)"}
    repeated = httpx.post(
        f"{localgateway.base_url}/ai-agent/chat-client/auth/user", headers={**headers, "x-access-token": jwt}
    )
    assert repeated.json()["id"] == user["id"]


def test_the_v1_alias_serves_chat(gw, helper):
    response = gw.post("/v1/ai-agent/v2/chat", json=chat_body(helper["id"], "refund"))
    assert "30 days" in text_of(parse_parts(response.text))


def streams_for(gw, session: str) -> list[dict]:
    return gw.get("/_local/chat/streams", params={"chat_id": session}).json()["streams"]


def test_streams_are_recorded_as_completed(gw, helper):
    session = str(uuid.uuid4())
    chat(gw, helper["id"], "refund", chat_id=session)
    [record] = streams_for(gw, session)
    assert record["completed"] is True and record["cancelled"] is False
    assert record["opened_at"] <= record["closed_at"]


def test_a_client_disconnect_closes_the_stream(gw, localgateway, docs_folder):
    slow = make_assistant(gw, folder_ids=[docs_folder], metadata={"word_delay_ms": 300})
    session = str(uuid.uuid4())
    body = chat_body(slow["id"], "refund", session)
    with (
        httpx.Client(base_url=localgateway.base_url, headers=localgateway.headers, timeout=10) as client,
        client.stream("POST", "/ai-agent/v2/chat", json=body) as response,
    ):
        assert next(response.iter_lines()).startswith("data: ")
    deadline = time.monotonic() + 5
    while not (records := streams_for(gw, session)) or records[0]["closed_at"] is None:
        assert time.monotonic() < deadline, "the stream was never closed"
        time.sleep(0.02)
    assert records[0]["cancelled"] is True and records[0]["completed"] is False
    saved = gw.get(f"/ai-agent/chat-client/chats/{session}/messages").json()
    assert saved[-1]["metadata"] == {"stopped": True}
    assert gw.get(f"/ai-agent/chat-client/chats/{session}").json()["status"] == "idle"


def test_streams_listing_needs_the_api_key(localgateway):
    assert httpx.get(f"{localgateway.base_url}/_local/chat/streams").status_code == 401


def test_answers_come_from_board_items_too(gw):
    board_id = make_board(
        gw,
        name=f"Pipeline {uuid.uuid4().hex[:6]}",
        items=[
            {"Company": "Acme Corp", "Stage": "Qualified", "Owner": "Dana"},
            {"Company": "Globex", "Stage": "Negotiation", "Owner": "Lee"},
        ],
    )
    assistant = make_assistant(gw, board_ids=[board_id])
    _, text = chat(gw, assistant["id"], "Who owns the Globex deal?")
    assert "Globex" in text and "Lee" in text
    assert "Acme" not in text
