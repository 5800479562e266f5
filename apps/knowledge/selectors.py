"""Reads of knowledge-hub folders and files (``/data-board/folders``, ``/files``)."""

from __future__ import annotations

from imbrace_console.gateway import get_client, unwrap_success


async def folder_count() -> int:
    folders = unwrap_success(await get_client().json("GET", "/data-board/folders"))
    return len(folders or [])
