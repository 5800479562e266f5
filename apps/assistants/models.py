"""What the console keeps about chats: which conversation belongs to which console user.

The messages themselves live on the gateway, keyed by the conversation's id
(the chat session ``id``); the console keeps the owner, assistant and title so
each user sees and resumes only their own conversations.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """One chat with one assistant; its id is the gateway's chat session id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_conversations")
    assistant_id = models.CharField(max_length=64)
    assistant_name = models.CharField(max_length=256, blank=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user", "assistant_id", "-updated_at"])]

    def __str__(self) -> str:
        return self.title


class ChatTurn(models.Model):
    """One message sent, and the key its Stop and Retry actions name it by.

    Sending a message creates a turn, and the response to that request streams
    its answer. Retrying makes a new turn with the same text.
    """

    token = models.CharField(max_length=64, primary_key=True)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    text = models.TextField()
    # The first message of its conversation: its stream is where the conversation's start is audited.
    starts_conversation = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.text[:40]}"
