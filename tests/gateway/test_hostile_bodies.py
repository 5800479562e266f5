"""Gateway bodies that Python's json module cannot read: nested past the recursion limit, or holding an
integer longer than Python converts. The local gateway never sends such bodies, so respx plays them."""

from __future__ import annotations

import httpx
import pytest
import respx

from imbrace_console.gateway import GatewayClient, GatewayError, GatewaySettings

BASE = "http://gateway.test"
DEEP = b"[" * 100_000 + b"]" * 100_000
LONG_NUMBER = b'{"count": ' + b"9" * 5_000 + b"}"


def client() -> GatewayClient:
    return GatewayClient(GatewaySettings(base_url=BASE, api_key="k", retries=0))


@pytest.mark.parametrize("body", [DEEP, LONG_NUMBER], ids=["deep", "long-number"])
@respx.mock
async def test_an_unreadable_success_body_is_a_gateway_error(body):
    respx.get(f"{BASE}/data-board/boards").mock(return_value=httpx.Response(200, content=body))
    gateway = client()
    with pytest.raises(GatewayError) as raised:
        await gateway.json("GET", "/data-board/boards")
    assert "could not read" in str(raised.value)
    await gateway.aclose()


@pytest.mark.parametrize("body", [DEEP, LONG_NUMBER], ids=["deep", "long-number"])
@respx.mock
async def test_an_unreadable_error_body_still_maps_to_its_status(body):
    respx.get(f"{BASE}/data-board/boards").mock(return_value=httpx.Response(500, content=body))
    gateway = client()
    with pytest.raises(GatewayError) as raised:
        await gateway.json("GET", "/data-board/boards")
    assert raised.value.status == 500
    await gateway.aclose()
