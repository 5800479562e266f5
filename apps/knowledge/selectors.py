"""Reads of knowledge-hub folders and files (``/data-board/folders``, ``/files``).

Traps hidden here:
- folder paths are computed from the tree: the service recomputes only the
  renamed folder's own ``path``, so its children keep the old one;
- ``/folders/search`` treats ``q`` as a regular expression: the console escapes it;
- ``/files/search`` ignores its folder: a folder's files come from ``GET /files?folder_id=``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from imbrace_console.gateway import (
    GatewayNotFound,
    gateway_path,
    get_client,
    public_download,
    public_url,
    unwrap_success,
)

ROOT = "root"


@dataclass
class FolderNode:
    id: str
    name: str
    parent_id: str
    description: str
    file_count: int
    created_at: datetime | None
    path: str = ""
    depth: int = 0
    children: list[FolderNode] = field(default_factory=list)

    @property
    def descendant_count(self) -> int:
        return sum(1 + child.descendant_count for child in self.children)


@dataclass
class FolderTree:
    roots: list[FolderNode]
    by_id: dict[str, FolderNode]

    def ancestors(self, folder_id: str) -> list[FolderNode]:
        """The folders above ``folder_id``, outermost first."""
        chain: list[FolderNode] = []
        node = self.by_id.get(folder_id)
        while node is not None and node.parent_id in self.by_id and len(chain) < 100:
            node = self.by_id[node.parent_id]
            chain.append(node)
        return list(reversed(chain))

    def flat(self) -> list[FolderNode]:
        """Every folder, depth first, each after its parent."""
        out: list[FolderNode] = []

        def walk(nodes: list[FolderNode]) -> None:
            for node in nodes:
                out.append(node)
                walk(node.children)

        walk(self.roots)
        return out


@dataclass(frozen=True)
class KnowledgeFile:
    id: str
    name: str
    folder_id: str
    file_type: str
    file_size: int
    created_at: datetime | None
    uploaded_by: str
    presigned_url: str = ""

    @property
    def kind(self) -> str:
        """A short type label: the extension, else the MIME subtype."""
        if "." in self.name:
            return self.name.rsplit(".", 1)[1].upper()
        return (self.file_type.split("/")[-1] or "file").upper()


@dataclass(frozen=True)
class FolderDetail:
    folder: FolderNode
    ancestors: list[FolderNode]
    subfolders: list[FolderNode]
    files: list[KnowledgeFile]
    tree: FolderTree


@dataclass(frozen=True)
class FileDownload:
    name: str
    content_type: str
    size: int | None
    chunks: AsyncIterator[bytes]


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:  # shaped like a timestamp but not one (month 13): shown as unknown, not a 500
        return None


def _node(row: dict) -> FolderNode:
    return FolderNode(
        id=str(row.get("id") or row.get("_id")),
        name=str(row.get("name") or "(unnamed)"),
        parent_id=str(row.get("parent_folder_id") or ROOT),
        description=str(row.get("description") or ""),
        file_count=int(row.get("file_count") or 0),
        created_at=_when(row.get("created_at")),
    )


def _file(row: dict) -> KnowledgeFile:
    by = row.get("last_updated_by_display_name") or row.get("last_updated_by_email") or ""
    return KnowledgeFile(
        id=str(row.get("id") or row.get("_id")),
        name=str(row.get("name") or "(unnamed)"),
        folder_id=str(row.get("folder_id") or ""),
        file_type=str(row.get("file_type") or ""),
        file_size=int(row.get("file_size") or 0),
        created_at=_when(row.get("created_at")),
        uploaded_by=str(by),
        presigned_url=str(row.get("presigned_url") or ""),
    )


def build_tree(rows: list[dict]) -> FolderTree:
    nodes = {node.id: node for node in map(_node, rows)}
    roots: list[FolderNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id)
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)

    def settle(children: list[FolderNode], prefix: str, depth: int) -> None:
        children.sort(key=lambda n: (n.name.casefold(), n.id))
        for child in children:
            child.path, child.depth = f"{prefix}/{child.name}", depth
            if depth < 50:
                settle(child.children, child.path, depth + 1)

    settle(roots, "", 0)
    return FolderTree(roots=roots, by_id=nodes)


async def _folder_rows() -> list[dict]:
    rows = unwrap_success(await get_client().json("GET", "/data-board/folders"))
    return [row for row in rows or [] if isinstance(row, dict)]


async def folder_count() -> int:
    return len(await _folder_rows())


async def folder_tree() -> FolderTree:
    return build_tree(await _folder_rows())


async def folder_choices() -> list[tuple[str, str]]:
    """(folder id, path) of every folder, in tree order."""
    tree = await folder_tree()
    return [(node.id, node.path) for node in tree.flat()]


async def folder_search(*, query: str) -> list[FolderNode]:
    """Folders whose name, description or tags contain ``query`` (plain text, any case)."""
    body, rows = await asyncio.gather(
        get_client().json("GET", "/data-board/folders/search", params={"q": re.escape(query.strip())}),
        _folder_rows(),
    )
    tree = build_tree(rows)
    found = [row for row in unwrap_success(body) or [] if isinstance(row, dict)]
    nodes = [tree.by_id.get(str(row.get("id"))) or _node(row) for row in found]
    return sorted(nodes, key=lambda node: (node.path or node.name).casefold())


async def folder_file_list(*, folder_id: str) -> list[KnowledgeFile]:
    body = await get_client().json(
        "GET", "/data-board/files", params={"folder_id": folder_id, "sortBy": "created_at", "sortOrder": "desc"}
    )
    return [_file(row) for row in unwrap_success(body) or [] if isinstance(row, dict)]


async def folder_detail(*, folder_id: str) -> FolderDetail:
    """A folder with its place in the tree, its subfolders and its files. Unknown: ``GatewayNotFound``."""
    rows, files = await asyncio.gather(_folder_rows(), folder_file_list(folder_id=folder_id))
    tree = build_tree(rows)
    node = tree.by_id.get(folder_id)
    if node is None:
        raise GatewayNotFound(
            "Folder not found", status=404, method="GET", path=gateway_path("/data-board/folders/{}", folder_id)
        )
    return FolderDetail(
        folder=node, ancestors=tree.ancestors(folder_id), subfolders=node.children, files=files, tree=tree
    )


async def folder_get(*, folder_id: str) -> FolderNode:
    """One folder with its path and subtree (counts for a delete confirmation)."""
    tree = await folder_tree()
    node = tree.by_id.get(folder_id)
    if node is None:
        raise GatewayNotFound(
            "Folder not found", status=404, method="GET", path=gateway_path("/data-board/folders/{}", folder_id)
        )
    return node


async def file_get(*, file_id: str) -> KnowledgeFile:
    body = await get_client().json("GET", gateway_path("/data-board/files/{}", file_id))
    return _file(unwrap_success(body) or {})


def _latin1(name: str) -> bool:
    try:
        name.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


async def file_download(*, file_id: str) -> FileDownload:
    """The file's bytes as an async stream; closing (or finishing) the stream closes the upstream request.

    A name outside Latin-1 (CJK, Arabic, emoji) makes the service's ``/files/{id}/download`` answer
    500 (docs/contract/data-board.md#knowledge-files): such a file is streamed from its
    ``presigned_url`` instead, so the browser sees neither the gateway host nor a credential.
    """
    meta = await file_get(file_id=file_id)
    public = public_url(meta.presigned_url, get_client().config.base_url) if not _latin1(meta.name) else ""
    if public:
        found = await public_download(public)
        return FileDownload(
            name=meta.name,
            content_type=found.content_type or meta.file_type or "application/octet-stream",
            size=found.size,
            chunks=found.chunks,
        )
    opened = get_client().stream("GET", gateway_path("/data-board/files/{}/download", file_id), read_timeout=60.0)
    response = await opened.__aenter__()

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        finally:
            await opened.__aexit__(None, None, None)

    length = response.headers.get("content-length")
    return FileDownload(
        name=meta.name,
        content_type=response.headers.get("content-type") or meta.file_type or "application/octet-stream",
        size=int(length) if length and length.isdigit() else None,
        chunks=chunks(),
    )
