"""Knowledge Hub folders and files of data-board (docs/contract/data-board.md#knowledge-folders).

Folders form a tree under ``"root"``; files are stored on disk under
``config.files_dir / "knowledge"`` with the text of text-like files kept in
the database, so the chat responder can answer from them
(``folder_passages``).

Uploads are parsed as they arrive: python-multipart's streaming parser runs on
the event loop chunk by chunk, and file bytes are written straight to their
final place on disk in batches from a worker thread. Nothing holds a whole
file in memory and the loop never waits on the disk.

Quirks kept from the service: the folder's organization comes from the create
body, an upload into an unknown ``folder_id`` creates that folder at root, and
``files/search`` ignores ``folder_id``. By-id routes are scoped to the
caller's organization (the service does not check; that is a hole, not a
contract).

Layout: ``schema``, ``responses`` (envelopes and errors), ``folder_store``,
``file_store``, ``text`` (extraction), ``multipart`` (the streamed upload
parser), routes by resource (``folders``, ``files``), ``interfaces`` and
``seed`` (with its documents in ``seed_files/``).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from ...config import Config
from ...routing import DATA_BOARD, under
from . import files, folders
from .interfaces import folder_passages
from .schema import SCHEMA
from .seed import seed

__all__ = ["SCHEMA", "folder_passages", "routes", "seed"]


def routes(config: Config) -> list[BaseRoute]:
    return under(
        DATA_BOARD,
        [
            ("/folders", folders.folder_create, ["POST"]),
            ("/folders", folders.folder_list, ["GET"]),
            ("/folders/search", folders.folder_search, ["GET"]),
            ("/folders/delete", folders.folder_delete, ["POST"]),
            ("/folders/subfolders", folders.folder_subfolders_many, ["POST"]),
            ("/folders/{folder_id}", folders.folder_get, ["GET"]),
            ("/folders/{folder_id}", folders.folder_update, ["PUT"]),
            ("/folders/{folder_id}/contents", folders.folder_contents, ["GET"]),
            ("/folders/{folder_id}/subfolders", folders.folder_subfolders, ["GET"]),
            ("/folders/{folder_id}/sync", folders.folder_sync, ["PATCH"]),
            ("/files/upload", files.file_upload, ["POST"]),
            ("/files", files.file_list, ["GET"]),
            ("/files/search", files.file_search, ["GET"]),
            ("/files/delete", files.file_delete, ["POST"]),
            ("/files/{file_id}", files.file_get, ["GET"]),
            ("/files/{file_id}", files.file_update, ["PUT"]),
            ("/files/{file_id}/download", files.file_download, ["GET"]),
        ],
    )
