"""The streamed request body (``imbrace_console.fastpath.asgi``) and the raw-upload helpers, in process.

The body channel sits between the ASGI server's ``receive``, Django's handler
(which reads the body first, then listens for a disconnect) and the view.
A scripted ``receive`` plays the server here; the live tests in
``test_upload_streaming_live.py`` run the same path under uvicorn.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.knowledge import services
from apps.knowledge.services import _MultipartBody
from apps.knowledge.uploads import UploadLimits, UploadTooLarge, limited, raw_upload_read
from imbrace_console.fastpath.asgi import BODY_SCOPE_KEY, BodyChannel, BodyDisconnected, ConsoleASGIHandler


class ScriptedServer:
    """An ASGI ``receive`` that hands out the given messages in order, then waits for ever."""

    def __init__(self, *messages: dict) -> None:
        self.messages = list(messages)
        self.calls = 0

    async def receive(self) -> dict:
        self.calls += 1
        if self.messages:
            return self.messages.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def body(data: bytes, more: bool = True) -> dict:
    return {"type": "http.request", "body": data, "more_body": more}


async def test_django_gets_an_empty_body_at_once_and_the_view_gets_the_chunks_in_order():
    server = ScriptedServer(body(b"one "), body(b"two "), body(b""), body(b"three", more=False))
    channel = BodyChannel(server.receive)
    assert await channel.receive() == {"type": "http.request", "body": b"", "more_body": False}
    assert server.calls == 0, "Django's body read must not take anything from the server"
    assert [chunk async for chunk in channel.chunks()] == [b"one ", b"two ", b"three"]
    assert channel.ended


async def test_the_disconnect_listener_waits_until_the_body_is_read_then_sees_the_server():
    disconnect = {"type": "http.disconnect"}
    server = ScriptedServer(body(b"a"), body(b"b", more=False), disconnect)
    channel = BodyChannel(server.receive)
    await channel.receive()  # Django's read_body
    listener = asyncio.ensure_future(channel.receive())  # Django's listen_for_disconnect
    await asyncio.sleep(0)
    assert not listener.done() and server.calls == 0
    chunks = channel.chunks()
    assert await anext(chunks) == b"a"
    await asyncio.sleep(0)
    assert not listener.done(), "the listener must not take body messages from the view"
    assert await anext(chunks) == b"b"
    assert await asyncio.wait_for(listener, 1) == disconnect
    with pytest.raises(StopAsyncIteration):
        await anext(chunks)


async def test_a_disconnect_mid_body_raises_and_keeps_the_listener_waiting():
    server = ScriptedServer(body(b"part"), {"type": "http.disconnect"})
    channel = BodyChannel(server.receive)
    await channel.receive()
    listener = asyncio.ensure_future(channel.receive())
    received = []
    with pytest.raises(BodyDisconnected):
        async for chunk in channel.chunks():
            received.append(chunk)
    assert received == [b"part"]
    await asyncio.sleep(0)
    # Held until Django cancels it after the response; it never sees a body message.
    assert not listener.done() and not channel.ended
    listener.cancel()


async def test_the_body_can_be_read_only_once():
    channel = BodyChannel(ScriptedServer(body(b"x", more=False)).receive)
    await channel.receive()
    assert [chunk async for chunk in channel.chunks()] == [b"x"]
    with pytest.raises(RuntimeError):
        await anext(channel.chunks())


def scope(path: str, *, method: str = "POST", headers: dict[str, str] | None = None, root_path: str = "") -> dict:
    encoded = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    return {"type": "http", "method": method, "path": path, "root_path": root_path, "headers": encoded}


RAW = {"Content-Type": "application/octet-stream", "X-File-Name": "a.txt"}


@pytest.fixture(scope="module")
def handler():
    return ConsoleASGIHandler()


def test_only_raw_uploads_to_a_streaming_view_are_streamed(handler):
    upload = reverse("knowledge-file-upload", kwargs={"folder_id": "f1"})
    assert handler.streams_body(scope(upload, headers=RAW))
    assert handler.streams_body(scope(upload, headers={"X-File-Name": "a.txt"}))  # no content type at all
    assert handler.streams_body(scope(upload, headers={**RAW, "Content-Type": "text/plain; charset=utf-8"}))
    assert handler.streams_body(scope("/console" + upload, headers=RAW, root_path="/console"))
    # forms are parsed by Django, as before
    form = {**RAW, "Content-Type": "multipart/form-data; boundary=x"}
    assert not handler.streams_body(scope(upload, headers=form))
    assert not handler.streams_body(scope(upload, headers={**RAW, "Content-Type": "application/x-www-form-urlencoded"}))
    assert not handler.streams_body(scope(upload, headers={"Content-Type": "application/octet-stream"}))
    assert not handler.streams_body(scope(upload, method="PUT", headers=RAW))
    # other views read their bodies the usual way, whatever the headers say
    assert not handler.streams_body(scope(reverse("knowledge-folder-create"), headers=RAW))
    assert not handler.streams_body(scope("/no/such/page/", headers=RAW))


async def test_the_handler_puts_the_channel_in_the_scope_for_streamed_requests_only(handler, monkeypatch):
    seen = []

    async def serve(self, scope, receive, send):
        seen.append((scope.get(BODY_SCOPE_KEY), await receive()))

    monkeypatch.setattr(ConsoleASGIHandler, "serve", serve)
    upload = reverse("knowledge-file-upload", kwargs={"folder_id": "f1"})
    server = ScriptedServer(body(b"file bytes", more=False))
    await handler.handle(scope(upload, headers=RAW), server.receive, None)
    channel, first = seen.pop()
    assert isinstance(channel, BodyChannel) and first["body"] == b"" and server.calls == 0
    assert [chunk async for chunk in channel.chunks()] == [b"file bytes"]
    other = ScriptedServer(body(b"name=x", more=False))
    await handler.handle(scope(reverse("knowledge-folder-create")), other.receive, None)
    assert seen.pop() == (None, body(b"name=x", more=False))


def test_raw_upload_read_names_and_checks_the_file_before_reading(settings):
    settings.KNOWLEDGE_UPLOAD_MAX_BYTES = 100
    settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = ["txt", "pdf"]
    limits = UploadLimits.from_settings()
    factory = RequestFactory()

    def request(name: str, size: int, **headers):
        return factory.post(
            "/", data=b"x" * size, content_type="application/octet-stream", headers={"X-File-Name": name, **headers}
        )

    upload, refused = raw_upload_read(request("..%2F..%2Fnotes%0D%0A.txt", 10, X_File_Type="text/plain"), limits)
    assert (upload.name, upload.content_type, upload.size, refused) == ("notes.txt", "text/plain", 10, None)
    # a type header that could break the part header becomes a plain byte stream
    upload, _ = raw_upload_read(request("a.pdf", 1, X_File_Type="text/plain\r\nX-Evil: 1"), limits)
    assert upload.content_type == "application/octet-stream"
    _, refused = raw_upload_read(request("big.txt", 101), limits)
    assert (refused.status, refused.reason) == (413, "Larger than the 100\xa0bytes limit.")
    _, refused = raw_upload_read(request("run.exe", 1), limits)
    assert refused.status == 415


async def test_limited_stops_before_passing_on_a_byte_over_the_limit():
    async def chunks():
        for _ in range(5):
            yield b"x" * 40

    limits = UploadLimits(max_bytes=100, max_files=1, extensions=frozenset({"*"}))
    passed = []
    with pytest.raises(UploadTooLarge):
        async for chunk in limited(chunks(), limits):
            passed.append(chunk)
    assert sum(map(len, passed)) == 80


async def test_the_multipart_body_has_the_length_it_announces_and_escapes_the_file_name():
    async def chunks():
        yield b"hello "
        yield b"world"

    form = _MultipartBody(
        fields={"folder_id": "f1"}, name='say "hi"\r\n.txt', content_type="text/plain", size=len(b"hello world")
    )
    sent = b"".join([part async for part in form.stream(chunks())])
    assert int(form.headers["content-length"]) == len(sent)
    assert form.headers["content-type"] == f"multipart/form-data; boundary={form.boundary}"
    assert b'filename="say %22hi%22%0D%0A.txt"' in sent
    assert b"\r\n\r\nhello world\r\n--" + form.boundary.encode() + b"--\r\n" in sent
    assert b'name="folder_id"\r\n\r\nf1\r\n' in sent


async_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ACTOR = SimpleNamespace(pk=None, username="stream-tester", email="stream@example.com")


@async_db
async def test_file_upload_stream_sends_each_chunk_on_and_is_audited(make_folder, gw):
    folder = make_folder()
    pieces = [bytes([n]) * 300_000 for n in range(7)]

    async def chunks():
        for piece in pieces:
            yield piece

    record = await services.file_upload_stream(
        actor=ACTOR,
        folder_id=folder["id"],
        name="table.csv",
        chunks=chunks(),
        size=sum(map(len, pieces)),
        content_type="text/csv",
    )
    assert record["file_size"] == sum(map(len, pieces)) and record["file_type"] == "text/csv"
    assert record["last_updated_by_email"] == "stream@example.com"
    assert gw.get(f"/data-board/files/{record['id']}/download").content == b"".join(pieces)
    event = await AuditEvent.objects.aget(action="file.upload", target_id=record["id"])
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.changes["new"]["size"] == record["file_size"]


@async_db
async def test_a_failing_chunk_source_aborts_the_gateway_request(make_folder, gw):
    folder = make_folder()

    async def chunks():
        yield b"a" * 500_000
        raise BodyDisconnected("gone")

    with pytest.raises(BodyDisconnected):
        await services.file_upload_stream(
            actor=ACTOR, folder_id=folder["id"], name="cut.csv", chunks=chunks(), size=None
        )
    assert gw.get("/data-board/files", params={"folder_id": folder["id"]}).json()["data"] == []
    assert not await AuditEvent.objects.filter(target_name="cut.csv", outcome=AuditEvent.Outcome.SUCCESS).aexists()
