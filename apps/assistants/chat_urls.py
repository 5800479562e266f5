"""Chat URLs (conversations and the streaming relay), included by ``urls.py``."""

from django.urls import path

import apps.core.converters  # noqa: F401 (registers the gid and token converters)

from . import chat_views

urlpatterns = [
    path("chat/conversations/", chat_views.chat_conversations_list, name="assistants-chat-list"),
    path("chat/turns/<token:token>/stop/", chat_views.chat_turn_stop, name="assistants-chat-stop"),
    path("chat/turns/<token:token>/retry/", chat_views.chat_turn_retry_view, name="assistants-chat-retry"),
    path("<gid:assistant_id>/chat/", chat_views.assistants_chat, name="assistants-chat"),
    path("<gid:assistant_id>/chat/send/", chat_views.assistants_chat_send, name="assistants-chat-send"),
    path(
        "<gid:assistant_id>/chat/<uuid:conversation_id>/",
        chat_views.assistants_chat_conversation,
        name="assistants-chat-conversation",
    ),
    path(
        "<gid:assistant_id>/chat/<uuid:conversation_id>/delete/",
        chat_views.assistants_chat_delete,
        name="assistants-chat-delete",
    ),
]
