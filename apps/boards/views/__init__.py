"""Data boards' pages, by what they serve; urls.py names them all from here."""

from .boards import board_create, board_delete, board_list, board_update
from .exports import board_export
from .fields import field_delete, field_form, field_list, field_move
from .imports import import_map, import_run, import_upload
from .items import (
    board_detail,
    cell_edit,
    cell_show,
    item_bulk_delete,
    item_create,
    item_delete,
    item_update,
)

__all__ = [
    "board_create",
    "board_delete",
    "board_detail",
    "board_export",
    "board_list",
    "board_update",
    "cell_edit",
    "cell_show",
    "field_delete",
    "field_form",
    "field_list",
    "field_move",
    "import_map",
    "import_run",
    "import_upload",
    "item_bulk_delete",
    "item_create",
    "item_delete",
    "item_update",
]
