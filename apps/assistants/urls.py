from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.index, name="assistants-list"),
    path("", include("apps.assistants.chat_urls")),
]
