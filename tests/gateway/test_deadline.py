"""A page's gateway reads share one time budget (IMBRACE_PAGE_DEADLINE), retries included.

Issue 20, finding 7: three tries of a 30 s read timeout held a user 91 s. The slow gateway is the
local gateway's latency fault; the tests assert what was sent and what the user gets, not timings.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from imbrace_console.gateway import GatewayError, GatewayTimeout, GatewayUnavailable, page_deadline

from .test_client import account_requests, make_client

ACCOUNT = "/platform/v1/account"


async def test_a_read_slower_than_the_deadline_is_a_timeout_without_a_retry(gateway_faults):
    """Without the deadline this read answers after 2 s (read timeout 30 s): the test fails before the fix."""
    gateway_faults.add_fault(path=ACCOUNT, kind="latency", delay_ms=2000)
    client = make_client(gateway_faults, retries=2, page_deadline=0.5)
    with pytest.raises(GatewayTimeout):
        await client.json("GET", ACCOUNT)
    assert len(account_requests(gateway_faults)) == 1  # no time was left for a second try
    await client.aclose()


async def test_a_retry_that_would_end_after_the_deadline_is_not_made(gateway_faults):
    """A 429 asking for 5 s: the pause would outlast the budget, so the page gets the error at once."""
    gateway_faults.add_fault(path=ACCOUNT, kind="rate_limit", retry_after=5)
    client = make_client(gateway_faults, retries=2, page_deadline=1.0)
    with pytest.raises(GatewayUnavailable) as caught:
        await client.json("GET", ACCOUNT)
    assert caught.value.status == 429
    assert len(account_requests(gateway_faults)) == 1
    await client.aclose()


async def test_retries_still_happen_inside_the_deadline(gateway_faults):
    gateway_faults.add_fault(path=ACCOUNT, kind="status", status=503, times=2)
    client = make_client(gateway_faults, retries=2, page_deadline=10.0)
    assert (await client.json("GET", ACCOUNT))["id"]
    assert len(account_requests(gateway_faults)) == 3
    await client.aclose()


async def test_reads_of_one_page_share_the_budget(gateway_faults):
    # Wide margins: the first read must fit even on a loaded machine, the second cannot.
    gateway_faults.add_fault(path=ACCOUNT, kind="latency", delay_ms=3000)
    client = make_client(gateway_faults, retries=0)
    with page_deadline(5.0):
        assert (await client.json("GET", ACCOUNT))["id"]  # about 3 s of the 5 s
        with pytest.raises(GatewayTimeout):
            await client.json("GET", ACCOUNT)  # needs 3 s, 2 s at most left
    await client.aclose()


async def test_a_write_is_not_cut_short_and_the_page_after_it_gets_a_whole_budget(gateway_faults):
    gateway_faults.add_fault(path=ACCOUNT, kind="latency", delay_ms=1200, method="POST")
    gateway_faults.add_fault(path=ACCOUNT, kind="latency", delay_ms=600, method="GET")
    client = make_client(gateway_faults, retries=0)
    with page_deadline(1.0):
        with pytest.raises(GatewayError) as refused:  # longer than the budget: a write keeps its read timeout
            await client.request("POST", ACCOUNT, json={})
        assert refused.value.status == 405  # answered, not cut short
        assert (await client.json("GET", ACCOUNT))["id"]
    assert [r["method"] for r in account_requests(gateway_faults)] == ["POST", "GET"]
    await client.aclose()


async def test_requests_with_their_own_limit_keep_it(gateway_faults):
    """Uploads and the sync webhook pass ``timeout``; downloads, exports and chat are streams."""
    gateway_faults.add_fault(path=ACCOUNT, kind="latency", delay_ms=1000)
    client = make_client(gateway_faults, retries=0, page_deadline=0.3)
    assert (await client.request("GET", ACCOUNT, timeout=10.0)).json()["id"]
    async with client.stream("GET", ACCOUNT, read_timeout=10.0) as response:
        assert b"organization_id" in await response.aread()
    await client.aclose()


@pytest.mark.django_db
def test_a_slow_gateway_gives_the_page_its_error_with_retry_by_the_deadline(gateway_faults, settings):
    user = User.objects.create_user("deadline-viewer", password="pw")
    user.groups.add(Group.objects.get(name="Viewer"))
    client = Client()
    client.force_login(user)
    assert client.get("/boards/").status_code == 200  # warm: importing and compiling are not the gateway's time
    settings.IMBRACE_PAGE_DEADLINE = 2.0  # the test client builds a gateway client per request: part of it
    gateway_faults.clear_faults()
    gateway_faults.add_fault(path="/data-board/boards", kind="latency", delay_ms=6000)

    response = client.get("/boards/")

    assert response.status_code == 504
    assert "took too long" in response.text
    assert 'href="/boards/"' in response.text and ">Retry</a>" in response.text
    boards_reads = [r for r in gateway_faults.requests_seen() if r["path"] == "/data-board/boards"]
    assert len(boards_reads) == 1, boards_reads  # the list, not tried again
