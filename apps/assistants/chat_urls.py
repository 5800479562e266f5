"""Chat URLs (conversations and the streaming relay), included by ``urls.py``."""

from django.urls import path

from . import chat_views

urlpatterns = [
    path("chat/conversations/", chat_views.chat_conversations_list, name="assistants-chat-list"),
    path("chat/turns/<str:token>/stop/", chat_views.chat_turn_stop, name="assistants-chat-stop"),
    path("chat/turns/<str:token>/retry/", chat_views.chat_turn_retry_view, name="assistants-chat-retry"),
    path("<str:assistant_id>/chat/", chat_views.assistants_chat, name="assistants-chat"),
    path("<str:assistant_id>/chat/send/", chat_views.assistants_chat_send, name="assistants-chat-send"),
    path(
        "<str:assistant_id>/chat/<uuid:conversation_id>/",
        chat_views.assistants_chat_conversation,
        name="assistants-chat-conversation",
    ),
    path(
        "<str:assistant_id>/chat/<uuid:conversation_id>/delete/",
        chat_views.assistants_chat_delete,
        name="assistants-chat-delete",
    ),
]
