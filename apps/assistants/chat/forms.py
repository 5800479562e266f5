"""The chat message form."""

from __future__ import annotations

from django import forms

MESSAGE_MAX_LENGTH = 8000


class ChatMessageForm(forms.Form):
    message = forms.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        error_messages={"required": "Type a message first.", "max_length": "Keep a message under 8,000 characters."},
    )
    conversation_id = forms.UUIDField(required=False)
