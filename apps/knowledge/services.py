"""Writes to knowledge-hub folders and files, each audited.

Traps hidden here:
- ``POST /folders`` takes the organization from the body, not the header: the
  console sends the organization of its own credential;
- an upload into an unknown ``folder_id`` silently creates that folder at
  root, so the console checks the folder exists first;
- uploads go out from disk in a worker thread (``request_in_thread``): the
  file is never read whole into memory and the event loop stays free.
"""

from __future__ import annotations

import json
from typing import BinaryIO

from apps.assistants.selectors import assistant_get
from apps.assistants.services import assistant_resources_update
from apps.audit.services import audited
from imbrace_console.gateway import GatewayError, get_client, unwrap_success

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
    async with audited(
        actor=actor,
        area="knowledge",
        action="folder.create",
        target_type="folder",
        target_name=name,
        changes={"new": {"name": name, "parent_folder_id": body["parent_folder_id"]}},
    ) as entry:
        folder = unwrap_success(await get_client().json("POST", "/data-board/folders", json=body))
        entry.target_id = str(folder.get("id") or "")
    return folder


async def folder_rename(*, actor, folder_id: str, name: str) -> dict:
    current = await folder_get(folder_id=folder_id)
    async with audited(
        actor=actor,
        area="knowledge",
        action="folder.rename",
        target_type="folder",
        target_id=folder_id,
        target_name=name,
        changes={"old": {"name": current.name}, "new": {"name": name}},
    ):
        body = await get_client().json("PUT", f"/data-board/folders/{folder_id}", json={"name": name})
    return unwrap_success(body)


async def folder_delete(*, actor, folder: FolderNode) -> int:
    """Delete the folder with its subfolders and files; returns how many folders the gateway removed."""
    async with audited(
        actor=actor,
        area="knowledge",
        action="folder.delete",
        target_type="folder",
        target_id=folder.id,
        target_name=folder.path or folder.name,
        changes={"old": {"files": folder.file_count, "subfolders": folder.descendant_count}},
    ):
        body = await get_client().json("POST", "/data-board/folders/delete", json={"ids": [folder.id]})
    data = unwrap_success(body) or {}
    return int(data.get("deletedCount") or 0)


async def file_upload(
    *, actor, folder_id: str, name: str, content: BinaryIO, size: int | None, content_type: str = ""
) -> dict:
    """Send one file to the folder, streamed from ``content`` (read in a worker thread; ``size`` if known)."""
    await folder_get(folder_id=folder_id)
    name = name or "untitled"
    uploader = {"display_name": getattr(actor, "username", "") or "console", "email": getattr(actor, "email", "")}
    async with audited(
        actor=actor,
        area="knowledge",
        action="file.upload",
        target_type="file",
        target_name=name,
        changes={"new": {"name": name, "size": size, "folder_id": folder_id}},
    ) as entry:
        response = await get_client().request_in_thread(
            "POST",
            "/data-board/files/upload",
            files=[("file", (name, content, content_type or "application/octet-stream"))],
            data={"folder_id": folder_id, "last_updated_by": json.dumps(uploader)},
            timeout=UPLOAD_TIMEOUT,
        )
        try:
            data = unwrap_success(response.json())
        except ValueError as exc:
            raise GatewayError("The gateway sent a response the console could not read.") from exc
        record = data[0] if isinstance(data, list) and data else data
        if not isinstance(record, dict):
            raise GatewayError("The gateway answered the upload with an unexpected shape.")
        entry.target_id = str(record.get("id") or "")
        entry.changes["new"]["size"] = record.get("file_size", size)
    return record


async def file_delete(*, actor, file_id: str, name: str = "") -> None:
    async with audited(
        actor=actor, area="knowledge", action="file.delete", target_type="file", target_id=file_id, target_name=name
    ):
        await get_client().json("POST", "/data-board/files/delete", json={"ids": [file_id]})


async def folder_assistant_set(*, actor, folder_id: str, assistant_id: str, attached: bool) -> dict:
    """Attach the folder to an assistant, or detach it; the assistants service records the change."""
    assistant = await assistant_get(assistant_id=assistant_id)
    current = [str(fid) for fid in assistant.get("folder_ids") or []]
    if attached:
        folder_ids = current if folder_id in current else [*current, folder_id]
    else:
        folder_ids = [fid for fid in current if fid != folder_id]
    return await assistant_resources_update(actor=actor, assistant_id=assistant_id, folder_ids=folder_ids)
