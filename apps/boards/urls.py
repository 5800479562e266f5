from django.urls import path

import apps.core.converters  # noqa: F401 (registers the gid and token converters)

from . import views

urlpatterns = [
    path("", views.board_list, name="boards-list"),
    path("new/", views.board_create, name="boards-create"),
    path("<gid:board_id>/", views.board_detail, name="boards-detail"),
    path("<gid:board_id>/edit/", views.board_update, name="boards-update"),
    path("<gid:board_id>/delete/", views.board_delete, name="boards-delete"),
    path("<gid:board_id>/export.csv", views.board_export, name="boards-export"),
    path("<gid:board_id>/import/", views.import_upload, name="boards-import"),
    path("<gid:board_id>/import/<token:token>/", views.import_map, name="boards-import-map"),
    path("<gid:board_id>/import/<token:token>/run/", views.import_run, name="boards-import-run"),
    path("<gid:board_id>/fields/", views.field_list, name="board-fields-list"),
    path("<gid:board_id>/fields/new/", views.field_form, name="board-fields-create"),
    path("<gid:board_id>/fields/<gid:field_id>/edit/", views.field_form, name="board-fields-update"),
    path("<gid:board_id>/fields/<gid:field_id>/delete/", views.field_delete, name="board-fields-delete"),
    path("<gid:board_id>/fields/<gid:field_id>/move/", views.field_move, name="board-fields-move"),
    path("<gid:board_id>/items/new/", views.item_create, name="board-items-create"),
    path("<gid:board_id>/items/delete/", views.item_bulk_delete, name="board-items-bulk-delete"),
    path("<gid:board_id>/items/<gid:item_id>/edit/", views.item_update, name="board-items-update"),
    path("<gid:board_id>/items/<gid:item_id>/delete/", views.item_delete, name="board-items-delete"),
    path("<gid:board_id>/items/<gid:item_id>/cells/<gid:field_id>/", views.cell_show, name="board-items-cell"),
    path(
        "<gid:board_id>/items/<gid:item_id>/cells/<gid:field_id>/edit/",
        views.cell_edit,
        name="board-items-cell-update",
    ),
]
