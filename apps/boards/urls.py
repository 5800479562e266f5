from django.urls import path

from . import views

urlpatterns = [
    path("", views.board_list, name="boards-list"),
    path("new/", views.board_create, name="boards-create"),
    path("<str:board_id>/", views.board_detail, name="boards-detail"),
    path("<str:board_id>/edit/", views.board_update, name="boards-update"),
    path("<str:board_id>/delete/", views.board_delete, name="boards-delete"),
    path("<str:board_id>/export.csv", views.board_export, name="boards-export"),
    path("<str:board_id>/import/", views.import_upload, name="boards-import"),
    path("<str:board_id>/import/<str:token>/", views.import_map, name="boards-import-map"),
    path("<str:board_id>/import/<str:token>/run/", views.import_run, name="boards-import-run"),
    path("<str:board_id>/fields/", views.field_list, name="board-fields-list"),
    path("<str:board_id>/fields/new/", views.field_create, name="board-fields-create"),
    path("<str:board_id>/fields/<str:field_id>/edit/", views.field_update, name="board-fields-update"),
    path("<str:board_id>/fields/<str:field_id>/delete/", views.field_delete, name="board-fields-delete"),
    path("<str:board_id>/fields/<str:field_id>/move/", views.field_move, name="board-fields-move"),
    path("<str:board_id>/items/new/", views.item_create, name="board-items-create"),
    path("<str:board_id>/items/delete/", views.item_bulk_delete, name="board-items-bulk-delete"),
    path("<str:board_id>/items/<str:item_id>/edit/", views.item_update, name="board-items-update"),
    path("<str:board_id>/items/<str:item_id>/delete/", views.item_delete, name="board-items-delete"),
    path("<str:board_id>/items/<str:item_id>/cells/<str:field_id>/", views.cell_show, name="board-items-cell"),
    path(
        "<str:board_id>/items/<str:item_id>/cells/<str:field_id>/edit/",
        views.cell_edit,
        name="board-items-cell-update",
    ),
]
