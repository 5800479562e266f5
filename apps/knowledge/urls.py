from django.urls import path

import apps.core.converters  # noqa: F401 (registers the gid and token converters)

from . import views

urlpatterns = [
    path("", views.knowledge_list, name="knowledge-list"),
    path("folders/new/", views.folder_create, name="knowledge-folder-create"),
    path("folders/<gid:folder_id>/", views.folder_detail, name="knowledge-folder-detail"),
    path("folders/<gid:folder_id>/rename/", views.folder_update, name="knowledge-folder-update"),
    path("folders/<gid:folder_id>/delete/", views.folder_delete, name="knowledge-folder-delete"),
    path("folders/<gid:folder_id>/upload/", views.file_upload, name="knowledge-file-upload"),
    path("folders/<gid:folder_id>/assistants/", views.folder_assistants, name="knowledge-folder-assistants"),
    path("files/<gid:file_id>/download/", views.file_download, name="knowledge-file-download"),
    path("files/<gid:file_id>/delete/", views.file_delete, name="knowledge-file-delete"),
]
