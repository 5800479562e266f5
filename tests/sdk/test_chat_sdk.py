"""The official imbrace SDK's chat calls (the guide's stream chat, history) against the local gateway."""

from __future__ import annotations

import uuid

import pytest
from imbrace import ImbraceClient
from imbrace.exceptions import ImbraceError

from tests.chat_helpers import REFUND_POLICY, SHIPPING_GUIDE, make_folder

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="module")
def sdk(localgateway) -> ImbraceClient:
    return ImbraceClient(api_key=localgateway.api_key, base_url=localgateway.base_url)


@pytest.fixture(scope="module")
def agent(sdk, localgateway) -> dict:
    with localgateway.client() as client:
        folder_id = make_folder(client, {"refund-policy.md": REFUND_POLICY, "shipping-guide.md": SHIPPING_GUIDE})
    name = f"SDK helper {uuid.uuid4().hex[:6]}"
    return sdk.chat_ai.create_ai_agent(
        {"name": name, "workflow_name": name.lower().replace(" ", "_"), "streaming": True, "folder_ids": [folder_id]}
    )


def ask(sdk, agent: dict, text: str, session: str) -> str:
    message = {"role": "user", "parts": [{"type": "text", "text": text}]}
    return "".join(sdk.ai_agent.stream_chat_text({"assistant_id": agent["id"], "id": session, "messages": [message]}))


def test_stream_chat_text_yields_the_answer(sdk, agent):
    answer = ask(sdk, agent, "What is the refund policy?", str(uuid.uuid4()))
    assert "30 days" in answer


def test_the_same_session_id_twice_keeps_the_context(sdk, agent):
    session = str(uuid.uuid4())
    first = ask(sdk, agent, "Can I get a refund?", session)
    second = ask(sdk, agent, "Tell me more", session)
    assert "30 days" in first
    assert "prorated" in second
    messages = sdk.ai_agent.list_client_messages(session)
    assert [message["role"] for message in messages] == ["user", "assistant", "user", "assistant"]


def test_stream_chat_returns_the_raw_ui_message_stream(sdk, agent):
    message = {"role": "user", "content": "How fast is express shipping?"}
    response = sdk.ai_agent.stream_chat({"assistant_id": agent["id"], "messages": [message]})
    assert response.headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert response.text.rstrip().endswith("data: [DONE]")
    assert '"delta":"one "' in response.text and '"delta":"day ' in response.text


def test_chats_made_through_the_sdk_are_listed(sdk, agent):
    session = str(uuid.uuid4())
    ask(sdk, agent, "refund", session)
    listed = sdk.ai_agent.list_client_chats(limit=100)
    assert session in [chat["id"] for chat in listed["chats"]]
    assert sdk.ai_agent.get_client_chat(session)["assistantId"] == agent["id"]
    sdk.ai_agent.delete_client_chat(session)
    assert session not in [chat["id"] for chat in sdk.ai_agent.list_client_chats(limit=100)["chats"]]


def test_an_invalid_model_raises_from_the_stream(sdk, agent):
    message = {"role": "user", "content": "Hi"}
    body = {"assistant_id": agent["id"], "messages": [message], "model_id": "invalid", "provider_id": "system"}
    with pytest.raises(ImbraceError, match="invalid"):
        "".join(sdk.ai_agent.stream_chat_text(body))
