"""data-board: boards, fields, items, search and CSV export (docs/contract/data-board.md).

Boards keep their field definitions as one JSON list, as the service does.
Items keep their values in a JSON object keyed by field id, with a porter-stemmed
FTS5 index beside them for ``POST /search/:boardId`` (whole words, all words).
By-id routes are scoped to the caller's organisation: the real service does not
check it, which is a hole the stand-in does not reproduce.

Two open points of the contract are switches (traps.md#open-questions), read from the environment:
``LOCALGATEWAY_BOARD_AUTO_NAME_FIELD=1`` gives a new board the legacy ``Name``
identifier field, and ``LOCALGATEWAY_BOARD_FIELD_FLAGS=snake`` stores new field
flags as ``is_identifier``/``is_unique_identifier``/``is_default``.

Layout: ``schema`` (tables, fixed lists), ``validation`` (Zod-shaped 400s),
``store``/``item_store``/``values`` (persistence and value coercion),
``query``/``export`` (search language, CSV cells), one routes module per
resource (``boards``, ``fields``, ``items``, ``search``, ``csv``),
``interfaces`` (in-process calls from other domains) and ``seed``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from ...config import Config
from ...routing import DATA_BOARD, under
from . import boards, csv, fields, imports, items, search
from .interfaces import board_item_create, board_item_texts
from .schema import SCHEMA
from .seed import seed

__all__ = ["SCHEMA", "board_item_create", "board_item_texts", "routes", "seed"]


def routes(config: Config) -> list[BaseRoute]:
    return under(
        DATA_BOARD,
        [
            ("/health", boards.health, ["GET"]),
            ("/boards", boards.list_boards, ["GET"]),
            ("/boards", boards.create_board, ["POST"]),
            ("/boards/reorder", boards.reorder_boards, ["POST"]),
            ("/boards/_fileupload", imports.file_upload, ["POST"]),
            ("/boards/model-schema", boards.model_schema, ["GET"]),
            ("/boards/{board_id}", boards.get_board, ["GET"]),
            ("/boards/{board_id}", boards.update_board, ["PATCH", "PUT"]),
            ("/boards/{board_id}", boards.delete_board, ["DELETE"]),
            ("/boards/{board_id}/fields", fields.create_field, ["POST"]),
            ("/boards/{board_id}/fields/reorder", fields.reorder_fields, ["POST"]),
            ("/boards/{board_id}/fields/bulk", fields.bulk_fields, ["PATCH", "PUT"]),
            ("/boards/{board_id}/fields/{field_id}", fields.get_field, ["GET"]),
            ("/boards/{board_id}/fields/{field_id}", fields.update_field, ["PATCH", "PUT"]),
            ("/boards/{board_id}/fields/{field_id}", fields.delete_field, ["DELETE"]),
            ("/boards/{board_id}/items", items.list_items, ["GET"]),
            ("/boards/{board_id}/items", items.create_item, ["POST"]),
            ("/boards/{board_id}/items/count", items.count_items, ["GET"]),
            ("/boards/{board_id}/items/bulk", items.bulk_create_items, ["POST"]),
            ("/boards/{board_id}/items/bulk-delete", items.bulk_delete_items, ["DELETE"]),
            ("/boards/{board_id}/items/bulk-update", items.bulk_update_items, ["PATCH"]),
            ("/boards/{board_id}/items/{item_id}", items.get_item, ["GET"]),
            ("/boards/{board_id}/items/{item_id}", items.update_item, ["PATCH", "PUT"]),
            ("/boards/{board_id}/items/{item_id}", items.delete_item, ["DELETE"]),
            ("/boards/{board_id}/items/{item_id}/details", items.item_details, ["GET"]),
            ("/boards/{board_id}/export_csv", csv.export_csv, ["GET"]),
            ("/boards/{board_id}/export", csv.export_content, ["GET"]),
            ("/boards/{board_id}/import", csv.import_content, ["POST"]),
            ("/boards/{board_id}/import_csv", imports.import_csv, ["POST"]),
            ("/boards/{board_id}/import_progress", imports.import_progress, ["GET"]),
            ("/search/multi", search.search_multi, ["POST"]),
            ("/search/{board_id}", search.search, ["POST"]),
            ("/search/{board_id}/fetch", search.search_fetch, ["POST"]),
        ],
    )
