"""Reading an upload request: limits enforced before or while the body is read.

Three shapes are accepted on the same URL, cheapest first:

- the raw file as the request body, named by an ``X-File-Name`` header (the
  browser's script sends each file this way). Under ASGI the body is not read
  by Django at all: ``imbrace_console.fastpath.asgi`` hands it to the view as it
  arrives, and the service wraps it into a multipart body for the gateway on
  the fly (``raw_upload_read`` names it and checks it against the limits,
  ``limited`` stops it at the size limit);
- a multipart form whose CSRF token is in the ``X-CSRFToken`` header: the token
  is checked first, then each file part is passed on to the gateway while the
  body is parsed (``GatewayForwardHandler``), through a small bounded pipe, so
  no second copy of the file is written and parsing overlaps sending;
- a plain multipart form (the page without JavaScript, token in the body): each
  file is parsed into its own temporary file (``KnowledgeUploadHandler``), the
  CSRF token is checked, then the files are sent.

For the two form shapes Django has already spooled the body to a temporary
file before the view runs; ``upload_parse`` is blocking work and runs in a
worker thread, so neither the event loop nor Django's shared sync thread waits
for it. A file is refused as soon as it crosses the size limit (or by its
name, before any of its bytes are handled), with the reason kept so the page
can say which file and why.

The view that uses this is ``csrf_exempt`` and checks the token itself
(``csrf_failure``): otherwise ``CsrfViewMiddleware`` would parse a form body
first, with Django's default handlers and in the shared sync thread.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO
from urllib.parse import unquote

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.template.defaultfilters import filesizeformat

from imbrace_console.fastpath.asgi import FILE_NAME_HEADER, is_raw_body_upload

# Larger reads than Django's 64 KiB: fewer Python-level steps per gigabyte.
CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_files: int
    extensions: frozenset[str]

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_bytes=settings.KNOWLEDGE_UPLOAD_MAX_BYTES,
            max_files=settings.KNOWLEDGE_UPLOAD_MAX_FILES,
            extensions=frozenset(ext.lower().lstrip(".") for ext in settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS),
        )

    @property
    def any_type(self) -> bool:
        return "*" in self.extensions or not self.extensions

    @property
    def accept(self) -> str:
        """The ``accept`` attribute of the file input."""
        return "" if self.any_type else ",".join(f".{ext}" for ext in sorted(self.extensions))

    @property
    def extensions_label(self) -> str:
        return "any type" if self.any_type else ", ".join(sorted(self.extensions))

    def type_allowed(self, name: str) -> bool:
        return self.any_type or PurePath(name).suffix.lower().lstrip(".") in self.extensions

    def too_large_message(self) -> str:
        return f"Larger than the {filesizeformat(self.max_bytes)} limit."

    def type_message(self, name: str) -> str:
        suffix = PurePath(name).suffix.lower() or "(no extension)"
        return f"{suffix} files are not accepted. Allowed: {self.extensions_label}."


@dataclass(frozen=True)
class RefusedFile:
    name: str
    reason: str
    status: int  # 413 too large or too many, 415 type not accepted, 400 unreadable


UNREADABLE = RefusedFile("", "The upload could not be read: the form data was malformed or cut short.", 400)


class _PartLimits:
    """What both upload handlers check of each file part: how many, which type, and its declared size.

    A refused part is skipped (``SkipFile``) and its reason kept in ``refused``.
    """

    limits: UploadLimits
    refused: list[RefusedFile]
    seen: int

    def _refuse(self, name: str, reason: str, status: int) -> None:
        self.refused.append(RefusedFile(name, reason, status))
        raise SkipFile(reason)

    def _check_part(self, file_name: str, content_length: int | None) -> None:
        self.seen += 1
        if self.seen > self.limits.max_files:
            self._refuse(file_name, f"More than {self.limits.max_files} files in one upload.", 413)
        if not self.limits.type_allowed(file_name):
            self._refuse(file_name, self.limits.type_message(file_name), 415)
        if content_length is not None and content_length > self.limits.max_bytes:
            self._refuse(file_name, self.limits.too_large_message(), 413)


class KnowledgeUploadHandler(_PartLimits, TemporaryFileUploadHandler):
    """Every file to its own temporary file on disk; refused files are skipped, with the reason kept."""

    chunk_size = CHUNK_SIZE

    def __init__(self, request: HttpRequest | None = None, *, limits: UploadLimits) -> None:
        super().__init__(request)
        self.limits = limits
        self.refused: list[RefusedFile] = []
        self.seen = 0

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        # The previous file is already in request.FILES: a SkipFile below must not close it.
        self.__dict__.pop("file", None)
        self._check_part(file_name, content_length)
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if start + len(raw_data) > self.limits.max_bytes:
            self._refuse(self.file_name, self.limits.too_large_message(), 413)
        self.file.write(raw_data)


class UploadAborted(Exception):
    """The file was refused part way; the gateway request is abandoned."""


# The sender gives up if the parser hands nothing over for this long.
PIPE_TIMEOUT = 60.0
_END = object()
_ABORT = object()


class Pipe:
    """A bounded hand-over of chunks from the parsing thread to the thread sending to the gateway."""

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._ended = False

    def put(self, chunk: bytes | object, *, while_pending: Future) -> bool:
        """Hand a chunk over; False when the sender has already finished (it failed)."""
        while not while_pending.done():
            try:
                self._queue.put(chunk, timeout=0.2)
            except queue.Full:
                continue
            return True
        return False

    def read(self, size: int = -1) -> bytes:
        if self._ended:
            return b""
        try:
            item = self._queue.get(timeout=PIPE_TIMEOUT)
        except queue.Empty:
            raise UploadAborted from None
        if item is _ABORT:
            raise UploadAborted
        if item is _END:
            self._ended = True
            return b""
        return item


Forward = Callable[[str, str, Pipe], Future]


class GatewayForwardHandler(_PartLimits, FileUploadHandler):
    """Each file part goes on to the gateway while the body is parsed; nothing is written to disk."""

    chunk_size = CHUNK_SIZE

    def __init__(self, request: HttpRequest | None = None, *, limits: UploadLimits, forward: Forward) -> None:
        super().__init__(request)
        self.limits = limits
        self.forward = forward
        self.refused: list[RefusedFile] = []
        self.results: list = []
        self.seen = 0
        self._pipe: Pipe | None = None
        self._sending: Future | None = None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._check_part(file_name, content_length)
        self._pipe = Pipe()
        self._sending = self.forward(file_name, content_type or "application/octet-stream", self._pipe)

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if self._pipe is None or self._sending is None:
            return None
        if start + len(raw_data) > self.limits.max_bytes:
            self.abandon()
            self._refuse(self.file_name, self.limits.too_large_message(), 413)
        if not self._pipe.put(raw_data, while_pending=self._sending):
            self._finish()  # the gateway refused early: keep its answer, skip the rest of the file
            raise SkipFile
        return None

    def file_complete(self, file_size: int):
        if self._pipe is not None and self._sending is not None:
            self._pipe.put(_END, while_pending=self._sending)
            self._finish()
        return None

    def upload_interrupted(self) -> None:
        self.abandon()

    def _finish(self) -> None:
        sending, self._pipe, self._sending = self._sending, None, None
        self.results.append(sending.result())

    def abandon(self) -> None:
        """Give up the file being sent, if any: the gateway request is aborted."""
        pipe, sending, self._pipe, self._sending = self._pipe, self._sending, None, None
        if pipe is None or sending is None:
            return
        pipe.put(_ABORT, while_pending=sending)
        with contextlib.suppress(UploadAborted):
            sending.result()


# httpx asks a file for 64 KiB at a time; answering with 1 MiB means far fewer steps per gigabyte.
READ_SIZE = 1024 * 1024


class FileBody:
    """A file on disk as httpx reads it for a multipart part: in large reads."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def read(self, size: int = -1) -> bytes:
        return self._file.read(-1 if size is None or size < 0 else max(size, READ_SIZE))

    def fileno(self) -> int:
        return self._file.fileno()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


@dataclass
class ParsedUpload:
    files: list[UploadedFile]
    refused: list[RefusedFile]
    csrf_failure: HttpResponse | None
    forwarded: list = field(default_factory=list)


def _csrf_protected(request: HttpRequest) -> None:
    """Stands in for the view when asking the CSRF middleware to check a request."""


class _CsrfProbe(HttpRequest):
    """The request's headers and cookies without its body: checks a header token before any parsing."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__()
        self.method = request.method
        self.path = self.path_info = request.path
        self.META = {**request.META, "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "0"}
        self.COOKIES = request.COOKIES
        self._scheme = request.scheme
        # Django's test client marks requests it does not want CSRF-checked; keep that mark.
        self._dont_enforce_csrf_checks = getattr(request, "_dont_enforce_csrf_checks", False)

    def _get_scheme(self) -> str:
        return self._scheme


def csrf_failure(request: HttpRequest) -> HttpResponse | None:
    """The CSRF middleware's answer for this request: None when it passes. Reads no body but a form's."""
    return CsrfViewMiddleware(lambda _request: None).process_view(request, _csrf_protected, (), {})


def is_raw_upload(request: HttpRequest) -> bool:
    """The file is the whole body, named by ``X-File-Name`` (what the page's script sends)."""
    return is_raw_body_upload(
        content_type=request.content_type or "", has_file_name=FILE_NAME_HEADER in request.headers
    )


@dataclass(frozen=True)
class RawUpload:
    """A file sent as the whole request body: its name, type and declared size."""

    name: str
    content_type: str
    size: int | None


# A media type as a browser names it; anything else (or nothing) becomes application/octet-stream.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*")


def raw_upload_read(request: HttpRequest, limits: UploadLimits) -> tuple[RawUpload, RefusedFile | None]:
    """Name the raw-body file and check it against the limits, before any of its bytes are read."""
    name = PurePath(unquote(request.headers[FILE_NAME_HEADER]).replace("\\", "/")).name
    name = "".join(char for char in name if char.isprintable()).strip() or "untitled"
    try:
        size: int | None = int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        size = None  # chunked: checked while it streams
    declared = (request.headers.get("X-File-Type") or request.content_type or "").strip()
    content_type = declared if _MEDIA_TYPE.fullmatch(declared) else "application/octet-stream"
    upload = RawUpload(name, content_type, size)
    if not limits.type_allowed(name):
        return upload, RefusedFile(name, limits.type_message(name), 415)
    if size is not None and size > limits.max_bytes:
        return upload, RefusedFile(name, limits.too_large_message(), 413)
    return upload, None


class UploadTooLarge(Exception):
    """The streamed file crossed the size limit; the gateway request is abandoned."""


async def limited(chunks: AsyncIterator[bytes], limits: UploadLimits) -> AsyncIterator[bytes]:
    """``chunks``, stopped with ``UploadTooLarge`` before a byte over the limit is passed on."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limits.max_bytes:
            raise UploadTooLarge(limits.too_large_message())
        yield chunk


def upload_parse(request: HttpRequest, *, forward: Forward | None = None, field_name: str = "file") -> ParsedUpload:
    """Parse a form upload within the limits, and check CSRF. Blocking: run it in a worker thread.

    With ``forward``, file parts of a multipart body whose CSRF token came in the
    header are handed to it while parsing (their results land in ``forwarded``).
    """
    limits = UploadLimits.from_settings()
    header_token = "X-CSRFToken" in request.headers and request.content_type == "multipart/form-data"
    # A header token that does not pass leaves the full check (body token too) for after parsing.
    if forward is not None and header_token and csrf_failure(_CsrfProbe(request)) is None:
        forwarder = GatewayForwardHandler(request, limits=limits, forward=forward)
        request.upload_handlers = [forwarder]
        try:
            files = request.FILES.getlist(field_name)
        except MultiPartParserError:
            forwarder.abandon()
            return ParsedUpload(files=[], refused=[*forwarder.refused, UNREADABLE], csrf_failure=None)
        except BaseException:
            forwarder.abandon()
            raise
        return ParsedUpload(files=files, refused=forwarder.refused, csrf_failure=None, forwarded=forwarder.results)
    handler = KnowledgeUploadHandler(request, limits=limits)
    request.upload_handlers = [handler]
    try:
        files = request.FILES.getlist(field_name)
    except MultiPartParserError:
        files, handler.refused = [], [*handler.refused, UNREADABLE]
    return ParsedUpload(files=files, refused=handler.refused, csrf_failure=csrf_failure(request))


def upload_discard(files: list[UploadedFile]) -> None:
    """Close (and so delete) the temporary files."""
    for uploaded in files:
        uploaded.close()
