"""Writes to knowledge-hub folders and files, each audited.

Traps hidden here:
- ``POST /folders`` takes the organization from the body, not the header: the
  console sends the organization of its own credential;
- an upload into an unknown ``folder_id`` silently creates that folder at
  root, so the console checks the folder exists first;
- the gateway takes files only as a multipart form. A file that arrives as a
  raw request body (``file_upload_stream``) is wrapped into one on the fly,
  each chunk sent on as it arrives, on the event loop; a file on disk
  (``file_upload``) goes out in a worker thread (``request_in_thread``), since
  httpx reads it synchronously. Neither is ever read whole into memory.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, BinaryIO

from apps.assistants.selectors import assistant_get
from apps.assistants.services import assistant_resources_update
from apps.audit.services import AuditEntry, audit_recorded, audited_json
from imbrace_console.gateway import GatewayError, gateway_path, get_client, unwrap_success

from .selectors import FolderNode, folder_get

# Seconds to wait for each read or write while a large file streams to the gateway.
UPLOAD_TIMEOUT = 120.0


async def _organization_id() -> str:
    """The organization of the console's credential, as the account says."""
    client = get_client()
    if client.config.organization_id:
        return client.config.organization_id
    account = await client.json("GET", "/platform/v1/account")
    if isinstance(account, dict) and isinstance(account.get("data"), dict):
        account = account["data"]
    organization_id = account.get("organization_id") if isinstance(account, dict) else None
    if not organization_id:
        raise GatewayError("The gateway did not say which organization the console belongs to.")
    return str(organization_id)


async def folder_create(*, actor, name: str, parent_id: str = "root", description: str = "") -> dict:
    body = {
        "name": name,
        "organization_id": await _organization_id(),
        "parent_folder_id": parent_id or "root",
        "source_type": "upload",
    }
    if description:
        body["description"] = description
    changes = {"new": {"name": name, "parent_folder_id": body["parent_folder_id"]}}
    async with audit_recorded(
        actor=actor, entry=AuditEntry("knowledge", "folder.create", "folder", "", name, changes)
    ) as entry:
        folder = unwrap_success(await get_client().json("POST", "/data-board/folders", json=body))
        entry.target_id = str(folder.get("id") or "")
    return folder


async def folder_rename(*, actor, folder_id: str, name: str) -> dict:
    current = await folder_get(folder_id=folder_id)
    changes = {"old": {"name": current.name}, "new": {"name": name}}
    entry = AuditEntry("knowledge", "folder.rename", "folder", folder_id, name, changes)
    path = gateway_path("/data-board/folders/{}", folder_id)
    return unwrap_success(await audited_json("PUT", path, actor=actor, entry=entry, json={"name": name}))


async def folder_delete(*, actor, folder: FolderNode) -> int:
    """Delete the folder with its subfolders and files; returns how many folders the gateway removed."""
    changes = {"old": {"files": folder.file_count, "subfolders": folder.descendant_count}}
    entry = AuditEntry("knowledge", "folder.delete", "folder", folder.id, folder.path or folder.name, changes)
    body = await audited_json("POST", "/data-board/folders/delete", actor=actor, entry=entry, json={"ids": [folder.id]})
    data = unwrap_success(body) or {}
    return int(data.get("deletedCount") or 0)


def _uploader(actor) -> str:
    """Who uploaded, in the JSON the gateway keeps as ``last_updated_by``."""
    return json.dumps(
        {"display_name": getattr(actor, "username", "") or "console", "email": getattr(actor, "email", "")}
    )


def _uploaded_record(response) -> dict:
    """The file the gateway created, from its answer to an upload."""
    try:
        data = unwrap_success(response.json())
    except ValueError as exc:
        raise GatewayError("The gateway sent a response the console could not read.") from exc
    record = data[0] if isinstance(data, list) and data else data
    if not isinstance(record, dict):
        raise GatewayError("The gateway answered the upload with an unexpected shape.")
    return record


def _audit_upload(*, actor, folder_id: str, name: str, size: int | None):
    changes = {"new": {"name": name, "size": size, "folder_id": folder_id}}
    return audit_recorded(actor=actor, entry=AuditEntry("knowledge", "file.upload", "file", "", name, changes))


async def file_upload(
    *, actor, folder_id: str, name: str, content: BinaryIO, size: int | None, content_type: str = ""
) -> dict:
    """Send one file to the folder, streamed from ``content`` (read in a worker thread; ``size`` if known)."""
    await folder_get(folder_id=folder_id)
    name = name or "untitled"
    async with _audit_upload(actor=actor, folder_id=folder_id, name=name, size=size) as entry:
        response = await get_client().request_in_thread(
            "POST",
            "/data-board/files/upload",
            files=[("file", (name, content, content_type or "application/octet-stream"))],
            data={"folder_id": folder_id, "last_updated_by": _uploader(actor)},
            timeout=UPLOAD_TIMEOUT,
        )
        record = _uploaded_record(response)
        entry.target_id = str(record.get("id") or "")
        entry.changes["new"]["size"] = record.get("file_size", size)
    return record


def _form_value(text: str) -> str:
    """A name or file name inside a multipart header, escaped as browsers do (quotes and line breaks)."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class _MultipartBody:
    """A multipart form with text fields and one file part whose bytes come from ``chunks``.

    Its ``length`` is known when the file's size is, so the gateway gets a
    Content-Length rather than a chunked body. Nothing but the current chunk is held.
    """

    def __init__(self, *, fields: dict[str, str], name: str, content_type: str, size: int | None) -> None:
        self.boundary = f"imbrace-console-{uuid.uuid4().hex}"
        parts = [
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_form_value(key)}"\r\n\r\n{value}\r\n'
            for key, value in fields.items()
        ]
        parts.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_form_value(name)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        self.head = "".join(parts).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = size
        self.length = None if size is None else len(self.head) + size + len(self.tail)

    @property
    def headers(self) -> dict[str, str]:
        headers = {"content-type": f"multipart/form-data; boundary={self.boundary}"}
        if self.length is not None:
            headers["content-length"] = str(self.length)
        return headers

    async def stream(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        yield self.head
        sent = 0
        async for chunk in chunks:
            sent += len(chunk)
            yield chunk
        if self.size is not None and sent != self.size:
            # Only a broken client gets here (the server holds it to its Content-Length).
            raise GatewayError(f"The file was {sent} bytes, not the {self.size} announced.")
        yield self.tail


async def file_upload_stream(
    *, actor, folder_id: str, name: str, chunks: AsyncIterable[bytes], size: int | None, content_type: str = ""
) -> dict:
    """Send one file to the folder as its bytes arrive from ``chunks`` (``size`` if known).

    The folder is checked before the first chunk is read. An exception raised by
    ``chunks`` (the client went away, the file grew over a limit) aborts the
    gateway request, so the gateway stores nothing, and propagates unchanged.
    """
    await folder_get(folder_id=folder_id)
    name = name or "untitled"
    body = _MultipartBody(
        fields={"folder_id": folder_id, "last_updated_by": _uploader(actor)},
        name=name,
        content_type=content_type or "application/octet-stream",
        size=size,
    )
    async with _audit_upload(actor=actor, folder_id=folder_id, name=name, size=size) as entry:
        response = await get_client().request(
            "POST",
            "/data-board/files/upload",
            content=body.stream(chunks),
            headers=body.headers,
            timeout=UPLOAD_TIMEOUT,
        )
        record: dict[str, Any] = _uploaded_record(response)
        entry.target_id = str(record.get("id") or "")
        entry.changes["new"]["size"] = record.get("file_size", size)
    return record


async def file_delete(*, actor, file_id: str, name: str = "") -> None:
    entry = AuditEntry("knowledge", "file.delete", "file", file_id, name)
    await audited_json("POST", "/data-board/files/delete", actor=actor, entry=entry, json={"ids": [file_id]})


async def folder_assistant_set(*, actor, folder_id: str, assistant_id: str, attached: bool) -> dict:
    """Attach the folder to an assistant, or detach it; the assistants service records the change."""
    assistant = await assistant_get(assistant_id=assistant_id)
    current = [str(fid) for fid in assistant.get("folder_ids") or []]
    if attached:
        folder_ids = current if folder_id in current else [*current, folder_id]
    else:
        folder_ids = [fid for fid in current if fid != folder_id]
    return await assistant_resources_update(actor=actor, assistant_id=assistant_id, folder_ids=folder_ids)
