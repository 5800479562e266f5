"""The gateway client against the real local gateway: auth modes, retries and error mapping."""

from __future__ import annotations

import logging

import pytest

from imbrace_console.gateway import (
    GatewayAuthError,
    GatewayClient,
    GatewayError,
    GatewayNotFound,
    GatewaySettings,
    GatewayTimeout,
    GatewayUnavailable,
    get_client,
)
from tests.support import free_port


def make_client(localgateway, **overrides) -> GatewayClient:
    config = {"base_url": localgateway.base_url, "api_key": localgateway.api_key, "retry_backoff": 0.01, **overrides}
    return GatewayClient(GatewaySettings(**config))


def account_requests(localgateway) -> list[dict]:
    return [r for r in localgateway.requests_seen() if r["path"] == "/platform/v1/account"]


async def test_api_key_mode(localgateway):
    client = make_client(localgateway)
    assert client.config.auth_mode == "api_key"
    account = await client.json("GET", "/platform/v1/account")
    assert account["organization_id"] == "org_imbrace_local"
    await client.aclose()


async def test_jwt_mode_sends_bearer_and_organization(localgateway):
    client = make_client(localgateway, api_key="", access_token=localgateway.jwt(), organization_id="org_imbrace_local")
    assert client.config.auth_mode == "jwt"
    assert (await client.json("GET", "/platform/v1/account"))["organization_id"] == "org_imbrace_local"
    await client.aclose()


async def test_jwt_is_repeated_as_access_token_only_for_ai_agent():
    config = GatewaySettings(base_url="http://gw", access_token="eyJa.b.c", organization_id="org_a")
    assert "x-access-token" not in config.auth_headers("/data-board/boards")
    assert config.auth_headers("/ai-agent/v2/chat")["x-access-token"] == "eyJa.b.c"


async def test_opaque_access_token_mode(localgateway):
    client = make_client(localgateway, api_key="", access_token=localgateway.access_token())
    assert client.config.auth_mode == "access_token"
    assert (await client.json("GET", "/platform/v1/account"))["id"]
    await client.aclose()


async def test_rejected_credential_is_an_auth_error_with_the_gateway_message(localgateway):
    client = make_client(localgateway, api_key="api_not_valid")
    with pytest.raises(GatewayAuthError) as caught:
        await client.json("GET", "/platform/v1/account")
    assert caught.value.status == 401
    assert caught.value.message == "Invalid API key"
    await client.aclose()


async def test_unknown_path_is_not_found(localgateway):
    client = make_client(localgateway)
    with pytest.raises(GatewayNotFound):
        await client.json("GET", "/no/such/path")
    await client.aclose()


async def test_get_is_retried_after_503_and_succeeds(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="status", status=503, times=2)
    client = make_client(gateway_faults, retries=2)
    account = await client.json("GET", "/platform/v1/account")
    assert account["organization_id"]
    assert len(account_requests(gateway_faults)) == 3
    await client.aclose()


async def test_get_gives_up_after_its_retries_as_unavailable(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="status", status=502)
    client = make_client(gateway_faults, retries=1)
    with pytest.raises(GatewayUnavailable) as caught:
        await client.json("GET", "/platform/v1/account")
    assert caught.value.status == 502
    assert len(account_requests(gateway_faults)) == 2
    await client.aclose()


async def test_429_is_retried_honouring_retry_after(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="rate_limit", retry_after=0, times=1)
    client = make_client(gateway_faults)
    assert (await client.json("GET", "/platform/v1/account"))["id"]
    assert len(account_requests(gateway_faults)) == 2
    await client.aclose()


async def test_post_is_never_retried(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="status", status=503)
    client = make_client(gateway_faults, retries=3)
    with pytest.raises(GatewayUnavailable):
        await client.request("POST", "/platform/v1/account", json={})
    assert [r["method"] for r in account_requests(gateway_faults)] == ["POST"]
    await client.aclose()


async def test_patch_is_not_retried_after_a_reset(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="reset")
    client = make_client(gateway_faults, retries=3)
    with pytest.raises(GatewayUnavailable):
        await client.request("PATCH", "/platform/v1/account", json={})
    assert len(account_requests(gateway_faults)) == 1
    await client.aclose()


async def test_reset_on_get_is_retried(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="reset", times=1)
    client = make_client(gateway_faults)
    assert (await client.json("GET", "/platform/v1/account"))["id"]
    await client.aclose()


async def test_slow_answer_is_a_timeout(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="latency", delay_ms=1500)
    client = make_client(gateway_faults, read_timeout=0.2, retries=0)
    with pytest.raises(GatewayTimeout):
        await client.json("GET", "/platform/v1/account")
    await client.aclose()


async def test_malformed_json_is_a_readable_gateway_error(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="malformed", times=1)
    client = make_client(gateway_faults)
    with pytest.raises(GatewayError) as caught:
        await client.json("GET", "/platform/v1/account")
    assert type(caught.value) is GatewayError
    assert "could not read" in caught.value.message
    await client.aclose()


async def test_connection_refused_is_unavailable(localgateway):
    client = GatewayClient(GatewaySettings(base_url=f"http://127.0.0.1:{free_port()}", api_key="k", retries=1))
    with pytest.raises(GatewayUnavailable) as caught:
        await client.json("GET", "/platform/v1/account")
    assert caught.value.retryable
    await client.aclose()


async def test_stream_opens_and_closing_it_releases_the_connection(localgateway):
    client = make_client(localgateway)
    async with client.stream("GET", "/platform/v1/account") as response:
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert b"organization_id" in body
    with pytest.raises(GatewayAuthError):
        async with make_client(localgateway, api_key="bad").stream("GET", "/") as response:
            pass
    await client.aclose()


async def test_calls_are_logged_without_the_credential(localgateway, caplog):
    client = make_client(localgateway)
    with caplog.at_level(logging.INFO, logger="imbrace_console.gateway"):
        await client.json("GET", "/platform/v1/account", params={"q": "x"})
    line = caplog.records[-1].getMessage()
    assert "GET /platform/v1/account -> 200" in line
    assert "request_id=" in line
    assert localgateway.api_key not in caplog.text
    await client.aclose()


async def test_get_client_is_one_per_event_loop(localgateway):
    assert get_client() is get_client()
    assert get_client().config.base_url == localgateway.base_url


async def test_an_unanswered_write_warns_it_may_have_been_applied(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="reset")
    client = make_client(gateway_faults)
    with pytest.raises(GatewayUnavailable) as caught:
        await client.request("POST", "/platform/v1/account", json={})
    assert caught.value.maybe_applied
    assert "may have been made anyway" in caught.value.user_message
    await client.aclose()


async def test_a_refused_connection_says_nothing_was_sent(localgateway):
    client = GatewayClient(GatewaySettings(base_url=f"http://127.0.0.1:{free_port()}", api_key="k", retries=0))
    with pytest.raises(GatewayUnavailable) as caught:
        await client.request("POST", "/data-board/folders", json={})
    assert not caught.value.maybe_applied
    assert "Nothing was lost" in caught.value.user_message
    await client.aclose()


async def test_a_write_that_times_out_may_have_been_applied(gateway_faults):
    gateway_faults.add_fault(path="/platform/v1/account", kind="latency", delay_ms=1500)
    client = make_client(gateway_faults, read_timeout=0.2)
    with pytest.raises(GatewayTimeout) as caught:
        await client.request("PATCH", "/platform/v1/account", json={})
    assert "may have been made anyway" in caught.value.user_message
    await client.aclose()
