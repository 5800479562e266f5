"""Gateway paths: every id is one percent-encoded segment, and a path that would change on the way is refused."""

from __future__ import annotations

import pytest

from imbrace_console.gateway import GatewayBadPath, GatewayClient, GatewayNotFound, GatewaySettings, gateway_path
from imbrace_console.gateway.client import checked_path

REAL_IDS = [
    "9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d",  # data-board, assistants, files: crypto.randomUUID()
    "brd_9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d",  # boards migrated from Mongo
    "bi_9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d",  # items migrated from Mongo
    "6694aaa932801761f155b140",  # 24-hex ObjectId (migrated fields, folders)
    "Xk3aB9cD0eF1gH2iJ3kL4",  # activepieces: 21 characters of [0-9A-Za-z]
    "step_1",
]


@pytest.mark.parametrize("value", REAL_IDS)
def test_a_real_id_is_placed_as_it_is(value):
    assert gateway_path("/data-board/boards/{}/items", value) == f"/data-board/boards/{value}/items"


def test_several_values_fill_the_template_in_order():
    assert gateway_path("/data-board/boards/{}/items/{}", "b1", "i2") == "/data-board/boards/b1/items/i2"


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a b", "a%20b"),
        ("é", "%C3%A9"),
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("{}", "%7B%7D"),
        ("a;b=c", "a%3Bb%3Dc"),
    ],
)
def test_other_characters_are_percent_encoded_inside_the_segment(value, encoded):
    assert gateway_path("/x/{}/y", value) == f"/x/{encoded}/y"


@pytest.mark.parametrize(
    "value",
    [
        "..",  # the finding: /data-board/boards/<board>/items/.. is the board itself
        ".",
        "%2e%2e",  # a gateway that decodes before it routes would see ..
        "%2E.",
        "a/b",
        "../other",
        "a%2Fb",
        "50%",  # no id holds a percent sign; a gateway that decodes twice would read an escape
        "a\\b",
        "",
        "\x00",
        "a\nb",
        "\x1b[31m",
        "\x7f",
        "%00",
        "\ud800",  # a lone surrogate cannot be encoded as UTF-8
    ],
)
def test_a_value_that_could_change_the_path_is_refused(value):
    with pytest.raises(GatewayBadPath):
        gateway_path("/data-board/boards/b1/items/{}", value)


def test_the_refusal_is_a_not_found_so_views_answer_404():
    with pytest.raises(GatewayNotFound) as caught:
        gateway_path("/data-board/boards/{}", "..")
    assert caught.value.status is None  # nothing was sent
    assert "address" in caught.value.user_message


@pytest.mark.parametrize(
    "path",
    [
        "relative/path",
        "/a/b/..",
        "/a/./b",
        "/a/%2e%2e/b",
        "/a/%2F/b",
        "/a/%5C/b",
        "/a//b",
        "/a/b?x=1",
        "/a/b#x",
        "/a/b%",
        "/a/%zz",
        "/a/%ff",  # not UTF-8
        "/a/b\x00",
        "/a/b%0a",
        "/a/é",  # not encoded
    ],
)
def test_checked_path_refuses_what_httpx_or_the_gateway_would_rewrite(path):
    with pytest.raises(GatewayBadPath):
        checked_path(path)


async def test_the_client_itself_refuses_a_bad_path_before_sending(localgateway):
    client = GatewayClient(GatewaySettings(base_url=localgateway.base_url, api_key=localgateway.api_key))
    localgateway.clear_faults()  # also empties the request log
    for send in [
        lambda: client.request("DELETE", "/data-board/boards/b1/items/.."),
        lambda: client.json("GET", "/data-board/files/a%00"),
        lambda: client.request_in_thread("POST", "/data-board/boards/%2e%2e"),
    ]:
        with pytest.raises(GatewayBadPath):
            await send()
    with pytest.raises(GatewayBadPath):
        async with client.stream("GET", "/data-board/files/\x1b/download"):
            pass
    assert localgateway.requests_seen() == []
    await client.aclose()


def test_an_empty_id_is_refused_even_at_the_end_where_it_would_name_the_list():
    with pytest.raises(GatewayBadPath):
        gateway_path("/data-board/boards/{}", "")
    assert checked_path("/") == "/"
