"""The gateway's own idle timeout (504, 60 s on data-board, 30 s on flows) is explained as such.

The local gateway's ``gateway_timeout`` fault cannot cut a fast item create reliably (a 1 ms idle
limit races the service's answer), so these tests put a transport in front of the real local
gateway process: the request reaches the service and is carried out, and the first matching reply
is replaced by the gateway's 504 (http-proxy-middleware's text), as the real gateway does after 60 s
(docs/contract/platform/auth.md#timeouts-retries-and-rate-limits).
"""

from __future__ import annotations

import httpx
import pytest
from django.contrib.auth.models import User

from apps.boards import selectors, services
from imbrace_console.gateway import GatewayClient, GatewaySettings
from imbrace_console.gateway.errors import GatewayGaveUp

from .conftest import ids, unique

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class CutOnce(httpx.AsyncBaseTransport):
    """Forward to the local gateway; the first reply to ``method path`` becomes a 504 after the work is done."""

    def __init__(self, method: str, path: str) -> None:
        self.inner, self.method, self.path, self.cut = httpx.AsyncHTTPTransport(), method, path, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not self.cut and request.method == self.method and request.url.path == self.path:
            self.cut = True
            await response.aread()
            text = f"Error occurred while trying to proxy: data-board:3000{self.path}"
            return httpx.Response(504, text=text, headers={"content-type": "text/plain"})
        return response


@pytest.fixture
def cut_once(monkeypatch):
    """``cut_once(method, path)``: the console's gateway client, with that reply cut by the gateway."""

    def make(method: str, path: str) -> GatewayClient:
        client = GatewayClient(GatewaySettings.from_django(), transport=CutOnce(method, path))
        monkeypatch.setattr(services, "get_client", lambda: client)
        return client

    return make


async def test_a_504_says_the_gateway_gave_up_and_the_work_may_go_on(cut_once, board):
    client = cut_once("POST", f"/data-board/boards/{board['id']}/items")
    with pytest.raises(GatewayGaveUp) as caught:
        await client.request(
            "POST", f"/data-board/boards/{board['id']}/items", json={"fields": {ids(board)["Name"]: unique("Slow")}}
        )
    message = caught.value.user_message
    assert "gave up" in message and "60 seconds" in message
    assert "may still be going on server-side" in message
    assert "proxy" not in caught.value.user_message_with_detail, "the proxy's text (an internal host) is not shown"


def test_a_504_on_flows_names_the_30_second_limit_and_a_read_asks_to_retry():
    # A unit test: the local gateway answers a flows list before a 1 ms idle limit can cut it.
    error = GatewayGaveUp(
        "Error occurred while trying to proxy: flows:3000/v1/flows",
        status=504,
        method="GET",
        path="/activepieces/v1/flows",
    )
    assert "(30 seconds)" in error.user_message and "Try again" in error.user_message
    assert error.detail == ""


async def test_an_import_row_cut_off_by_the_gateway_is_reported_on_its_row_and_the_import_goes_on(cut_once, board):
    actor = await User.objects.acreate(username=f"imp-{unique('u').split()[1]}")
    name_id = ids(board)["Name"]
    cut_once("POST", f"/data-board/boards/{board['id']}/items")
    outcome = await services.board_items_import(
        actor=actor, board_id=board["id"], rows=[(2, {name_id: "First"}), (3, {name_id: "Second"})]
    )
    assert outcome.stopped is None, "not a lost or paused job"
    assert outcome.processed == 2 and outcome.created == 1
    [(row, reason)] = outcome.failures
    assert row == 2 and "gave up" in reason
    assert await selectors.board_item_count(board_id=board["id"]) == 2, "the service carried out the cut row"
    names = [item.get("fields") for item in (await selectors.board_item_page(board_id=board["id"])).items]
    assert any("Second" in str(fields) for fields in names), "the next row was sent and created"
