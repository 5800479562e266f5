"""A streamed multipart parser: python-multipart on the loop, file bytes written to disk from a worker thread."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from .schema import MAX_FIELD_BYTES, MAX_PARTS, WRITE_BATCH


class _Part:
    __slots__ = ("content_type", "data", "field_name", "filename", "handle", "headers", "path", "size")

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.field_name = ""
        self.filename: str | None = None
        self.content_type = ""
        self.data = bytearray()
        self.handle: io.BufferedWriter | None = None
        self.path: Path | None = None
        self.size = 0


class UploadTooLarge(Exception):
    pass


class StreamedForm:
    """Parse a multipart body as it arrives, writing file parts straight to disk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fields: dict[str, str] = {}
        self.files: list[_Part] = []
        self._part: _Part | None = None
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._events: list[tuple[str, Any]] = []

    async def parse(self, request: Request) -> None:
        _, params = parse_options_header(request.headers.get("content-type", ""))
        boundary = params.get(b"boundary")
        if not boundary:
            raise ValueError("Missing boundary in multipart.")
        events = self._events

        def on_part_begin() -> None:
            events.append(("begin", None))

        def on_part_data(data: bytes, start: int, end: int) -> None:
            events.append(("data", data[start:end]))

        def on_part_end() -> None:
            events.append(("end", None))

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._header_field += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._header_value += data[start:end]

        def on_header_end() -> None:
            events.append(("header", (bytes(self._header_field).lower(), bytes(self._header_value))))
            self._header_field.clear()
            self._header_value.clear()

        def on_headers_finished() -> None:
            events.append(("headers_done", None))

        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": on_part_begin,
                "on_part_data": on_part_data,
                "on_part_end": on_part_end,
                "on_header_field": on_header_field,
                "on_header_value": on_header_value,
                "on_header_end": on_header_end,
                "on_headers_finished": on_headers_finished,
            },
        )
        try:
            async for chunk in request.stream():
                parser.write(chunk)
                await self._drain()
            parser.finalize()
            await self._drain()
        except BaseException:
            await asyncio.to_thread(self.discard)
            raise

    async def _drain(self) -> None:
        events = self._events[:]
        self._events.clear()
        for kind, value in events:
            if kind == "begin":
                if len(self.files) + len(self.fields) >= MAX_PARTS:
                    raise ValueError("Too many parts")
                self._part = _Part()
            elif kind == "header" and self._part is not None:
                self._part.headers.append(value)
            elif kind == "headers_done" and self._part is not None:
                await self._start_part(self._part)
            elif kind == "data" and self._part is not None:
                await self._part_data(self._part, value)
            elif kind == "end" and self._part is not None:
                await self._end_part(self._part)
                self._part = None

    async def _start_part(self, part: _Part) -> None:
        for name, value in part.headers:
            if name == b"content-disposition":
                _, options = parse_options_header(value)
                part.field_name = options.get(b"name", b"").decode("utf-8", errors="replace")
                if b"filename" in options:
                    part.filename = options[b"filename"].decode("utf-8", errors="replace")
            elif name == b"content-type":
                part.content_type = value.decode("latin-1").strip()
        if part.filename is not None:
            part.path = self.directory / f".upload-{uuid.uuid4().hex}"
            part.handle = await asyncio.to_thread(part.path.open, "wb")
            self.files.append(part)

    async def _part_data(self, part: _Part, data: bytes) -> None:
        part.data += data
        part.size += len(data)
        if part.handle is None and len(part.data) > MAX_FIELD_BYTES:
            raise UploadTooLarge(part.field_name)
        if part.handle is not None and len(part.data) >= WRITE_BATCH:
            await self._flush(part)

    async def _flush(self, part: _Part) -> None:
        chunk, part.data = bytes(part.data), bytearray()
        if chunk:
            await asyncio.to_thread(part.handle.write, chunk)

    async def _end_part(self, part: _Part) -> None:
        if part.handle is not None:
            await self._flush(part)
            await asyncio.to_thread(part.handle.close)
            part.handle = None
        else:
            self.fields[part.field_name] = part.data.decode("utf-8", errors="replace")

    def discard(self) -> None:
        for part in self.files:
            if part.handle is not None:
                part.handle.close()
            if part.path is not None:
                part.path.unlink(missing_ok=True)
