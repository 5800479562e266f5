"""The AI service's assistant and provider tables, and the fixed lists it validates against."""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS ai_assistants (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ai_assistants_by_org ON ai_assistants (organization_id, deleted_at, created_at);
CREATE TABLE IF NOT EXISTS ai_providers (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
"""

PERSONA_FIELDS = ("personality_role", "core_task", "tone_and_style", "response_length", "banned_words")
PROVIDER_TYPES = ("openai", "custom", "google", "bedrock", "ollama", "vllm")
SECRET_HINTS = ("key", "secret", "token", "password")

# The platform ("system") catalogue behind ``GET /workflow-agent/models``.
SYSTEM_MODELS = (
    {"name": "gpt-4o-mini", "provider": "openai", "is_toolCall_available": True, "is_vision_available": True},
    {"name": "gpt-4.1", "provider": "openai", "is_toolCall_available": True, "is_vision_available": True},
    {
        "name": "claude-3-5-sonnet",
        "provider": "bedrock",
        "is_toolCall_available": True,
        "is_vision_available": True,
        "is_support_thinking": True,
    },
    {"name": "gemini-2.0-flash", "provider": "google", "is_toolCall_available": True, "is_vision_available": True},
    {"name": "llama-3.1-8b-instruct", "provider": "vllm", "is_toolCall_available": False, "is_vision_available": False},
)
