"""The board CSV export is safe to open in a spreadsheet; ``?raw=1`` gives the gateway's bytes exactly."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent

from .conftest import add_item, unique

EVIL = '=HYPERLINK("http://evil.example","x")'


async def _support_client(async_client):
    from django.contrib.auth.models import Group, User

    user = await User.objects.acreate(username=unique("support").replace(" ", "-"))
    group, _ = await Group.objects.aget_or_create(name="Support")
    await user.groups.aadd(group)
    await async_client.aforce_login(user)
    return async_client


async def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join([chunk async for chunk in response.streaming_content])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_formulas_are_made_text_and_raw_is_the_gateways_bytes(async_client, gw, board):
    # A value a public webhook can put on a board through a flow, and others a spreadsheet would run.
    add_item(gw, board, Name=EVIL, Amount=-5)
    add_item(gw, board, Name="@SUM(A1:A9)", Amount=12)
    add_item(gw, board, Name="+1 555 0100")
    client = await _support_client(async_client)
    url = reverse("boards-export", kwargs={"board_id": board["id"]})

    safe = (await _body(await client.get(url))).decode()
    raw = await _body(await client.get(url, {"raw": "1"}))
    gateway = gw.get(f"/data-board/boards/{board['id']}/export_csv", params={"all": "true"}).content

    rows = list(csv.reader(io.StringIO(safe)))
    assert sorted(row[0] for row in rows[1:]) == sorted(["'" + EVIL, "'@SUM(A1:A9)", "'+1 555 0100"])
    assert sorted(row[2] for row in rows[1:]) == ["", "-5", "12"]  # a negative number stays a number
    assert raw == gateway  # exact bytes, formulas included
    assert EVIL.replace('"', '""').encode() in raw
    # Nothing else changed: the defused file is the gateway's with three apostrophes added.
    expected = gateway.decode()
    for value in ("=HYPERLINK", "@SUM", "+1 555"):
        expected = expected.replace(f'"{value}', f"\"'{value}")
    assert safe == expected

    exports = [e.changes async for e in AuditEvent.objects.filter(action="board.export", target_id=board["id"])]
    assert sorted(exports, key=str) == [{"raw": False}, {"raw": True}]


def test_the_export_form_says_what_raw_means(console_client, board):
    page = console_client.as_role("Support").get(reverse("boards-detail", kwargs={"board_id": board["id"]}))
    html = page.content.decode()
    form = html[html.index('data-testid="export-form"') - 200 : html.index('data-testid="export-raw"') + 400]
    assert f'action="{reverse("boards-export", kwargs={"board_id": board["id"]})}"' in form
    assert 'name="raw" value="1"' in form
    assert "Exact values" in form and "formulas not made safe" in form
    viewer = console_client.as_role("Viewer").get(reverse("boards-detail", kwargs={"board_id": board["id"]}))
    assert 'data-testid="export-form"' not in viewer.content.decode()
