"""An upload still running when a worker's graceful shutdown ends (uvicorn's ``--timeout-graceful-shutdown``):
uvicorn cancels its task. The gateway request is aborted midway and the gateway keeps no half-written file;
the browser's upload fails with Retry (static/js/knowledge.js), docs/operations.md "Restarts and graceful
shutdown".
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from apps.audit.models import AuditEvent
from apps.knowledge import services

ACTOR = SimpleNamespace(pk=None, username="shutdown-tester", email="shutdown@example.com")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_upload_cancelled_midway_leaves_no_file_on_the_gateway(make_folder, gw):
    folder = await asyncio.to_thread(make_folder)
    first_sent = asyncio.Event()

    async def chunks():
        yield b"a" * 500_000
        first_sent.set()  # httpx asks for the next chunk once the first is on its way
        await asyncio.sleep(3600)  # the rest of the file is still coming when the worker gives up
        yield b"a" * 500_000

    upload = asyncio.ensure_future(
        services.file_upload_stream(
            actor=ACTOR, folder_id=folder["id"], name="cut.csv", chunks=chunks(), size=1_000_000
        )
    )
    await asyncio.wait_for(first_sent.wait(), 30)
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload

    def listed() -> list:
        return gw.get("/data-board/files", params={"folder_id": folder["id"]}).json()["data"]

    await asyncio.sleep(0.5)  # time for the gateway to see the aborted request (and, if it kept files, to store it)
    assert await asyncio.to_thread(listed) == []
    assert not await AuditEvent.objects.filter(target_name="cut.csv", outcome=AuditEvent.Outcome.SUCCESS).aexists()
