"""Chat URLs (conversations and the streaming relay), included by ``urls.py``."""

from django.urls import path

import apps.core.converters  # noqa: F401 (registers the gid and token converters)

from . import views

urlpatterns = [
    path("chat/conversations/", views.chat_conversations_list, name="assistants-chat-list"),
    path("chat/turns/<token:token>/stop/", views.chat_turn_stop, name="assistants-chat-stop"),
    path("chat/turns/<token:token>/retry/", views.chat_turn_retry_view, name="assistants-chat-retry"),
    path("<gid:assistant_id>/chat/", views.assistants_chat, name="assistants-chat"),
    path("<gid:assistant_id>/chat/send/", views.assistants_chat_send, name="assistants-chat-send"),
    path(
        "<gid:assistant_id>/chat/<uuid:conversation_id>/",
        views.assistants_chat_conversation,
        name="assistants-chat-conversation",
    ),
    path(
        "<gid:assistant_id>/chat/<uuid:conversation_id>/delete/",
        views.assistants_chat_delete,
        name="assistants-chat-delete",
    ),
]
