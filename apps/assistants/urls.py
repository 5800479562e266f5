from django.urls import include, path

import apps.core.converters  # noqa: F401 (registers the gid and token converters)

from . import views

urlpatterns = [
    path("", views.assistants_list, name="assistants-list"),
    path("new/", views.assistants_create, name="assistants-create"),
    path("", include("apps.assistants.chat.urls")),
    path("<gid:assistant_id>/", views.assistants_detail, name="assistants-detail"),
    path("<gid:assistant_id>/edit/", views.assistants_update, name="assistants-update"),
    path("<gid:assistant_id>/delete/", views.assistants_delete, name="assistants-delete"),
    path("<gid:assistant_id>/resources/", views.assistants_resources, name="assistant-resources-update"),
]
