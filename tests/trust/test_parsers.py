"""Every parser the console runs on user or gateway input fails with a message (or reads the value as unknown),
never a 500. The typed JSON editors are in tests/console/flows/test_json_input.py, the CSV import in
tests/console/boards/, ids in URLs in tests/trust/test_hostile_ids.py.

| parser | input | test |
|---|---|---|
| ``DecimalField`` then ``int()`` (board Number and Currency) | ``1e999999999`` typed | the item form |
| ``int()`` of ``?page=`` / ``?size=`` (items table, audit log) | huge or junk query values | the two pages |
| Django's multipart parser (file upload, CSV import) | a body that is not multipart | the upload view |
| ``json.loads`` of the chat stream's events (gateway) | nested 100,000 deep, 5,000 digits | ``_sse_part`` |
| ``parse_datetime`` of knowledge timestamps (gateway) | ``2026-13-45T00:00:00`` | ``_when`` |
| ``int()`` of a run's duration (gateway JSON, where Python reads ``Infinity``) | ``Infinity``, ``NaN`` | ``run_from`` |
| the cell markup of a rating (gateway) | ``Infinity`` | tests/console/boards/test_cells.py |
"""

from __future__ import annotations

import os
import time

import pytest
from django.urls import reverse
from httpx_sse import ServerSentEvent

from apps.assistants.chat.services import _sse_part
from apps.boards.fieldtypes import Field
from apps.boards.forms import ItemForm
from apps.flows.selectors import run_from
from apps.knowledge.selectors import _when
from tests.chat_helpers import make_folder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["1e999999999", "-1e400", "1e308"])
def test_a_number_a_double_cannot_hold_is_refused_at_once(typed):
    form = ItemForm(
        {"f_n": typed, "f_c": "12.50"}, board_fields=[Field("n", "Amount", "Number"), Field("c", "Price", "Currency")]
    )
    started = time.monotonic()
    assert not form.is_valid()
    assert form.errors["f_n"] == ["That number is too large to store."]
    assert time.monotonic() - started < 1  # int(Decimal("1e999999999")) alone would take hours


def test_a_number_past_the_exact_integers_is_sent_as_a_double():
    form = ItemForm({"f_n": "12345678901234567890"}, board_fields=[Field("n", "Amount", "Number")])
    assert form.is_valid(), form.errors
    assert form.values() == {"n": 1.2345678901234567e19}
    small = ItemForm({"f_n": "1e-999999"}, board_fields=[Field("n", "Amount", "Number")])
    assert small.is_valid() and small.values() == {"n": 0.0}


def test_the_item_form_keeps_the_typed_number_beside_its_message(console_client, gw):
    fields = [{"name": "Name", "type": "ShortText", "isUniqueIdentifier": True}, {"name": "Amount", "type": "Number"}]
    board = gw.post("/data-board/boards", json={"name": f"Parsers {os.urandom(3).hex()}", "fields": fields}).json()
    board_id, amount = board["data"]["id"], board["data"]["fields"][1]["id"]
    url = reverse("board-items-create", kwargs={"board_id": board_id})
    response = console_client.as_role("Support").post(
        url, {"f_" + board["data"]["fields"][0]["id"]: "Big", f"f_{amount}": "1e999999999"}
    )
    assert response.status_code == 422
    assert "That number is too large to store." in response.content.decode()
    assert 'value="1e999999999"' in response.content.decode()
    assert gw.get(f"/data-board/boards/{board_id}/items").json()["count"] == 0


@pytest.mark.parametrize("query", ["page=" + "9" * 30, "page=x&size=-1", "page=" + "9" * 5000, "page=%00&size=1e3"])
def test_junk_page_numbers_read_as_the_first_page(console_client, gw, query):
    board = gw.post("/data-board/boards", json={"name": f"Pages {os.urandom(3).hex()}"}).json()["data"]
    admin = console_client.as_role("Admin")
    urls = (reverse("boards-detail", kwargs={"board_id": board["id"]}), reverse("audit-list"), reverse("boards-list"))
    for url in urls:
        response = admin.get(f"{url}?{query}&{query.replace('page=', 'skip=')}")
        assert response.status_code == 200, (url, query)


def test_a_body_that_is_not_multipart_is_a_400(console_client, gw):
    folder_id = make_folder(gw, {})
    url = reverse("knowledge-file-upload", kwargs={"folder_id": folder_id})
    body = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nno closing boundary'
    for content_type in ("multipart/form-data; boundary=x", "multipart/form-data"):
        response = console_client.as_role("Support").generic("POST", url, body, content_type=content_type)
        assert response.status_code == 400, content_type


@pytest.mark.parametrize(
    "data", [b"[" * 100_000, b"1" * 5000, b'{"unclosed": ', b'{"ok": 1}'], ids=["deep", "digits", "bad", "good"]
)
def test_a_chat_event_the_json_parser_cannot_read_is_skipped(data):
    events = [ServerSentEvent(data=data.decode()), ServerSentEvent(data="[DONE]")]
    parts = [part for part in map(_sse_part, events) if part is not None]
    assert parts == ([{"ok": 1}] if data == b'{"ok": 1}' else []) + ["[DONE]"]


def test_a_timestamp_that_is_not_a_date_reads_as_unknown():
    assert _when("2026-13-45T00:00:00") is None
    assert _when("2026-05-01T08:00:00Z").month == 5


@pytest.mark.parametrize("duration", [float("inf"), float("-inf"), float("nan")])
def test_a_run_duration_of_infinity_reads_as_unknown(duration):
    assert run_from({"id": "r", "status": "SUCCEEDED", "duration": duration}).duration_ms is None
    assert run_from({"id": "r", "duration": 1500.0}).duration_ms == 1500
