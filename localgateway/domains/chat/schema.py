"""ai-agent's chat tables and the responder's constants (stream headers, stop words, limits)."""

from __future__ import annotations

import re

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_users (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organization_id, email)
);
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    assistant_id TEXT NOT NULL,
    title TEXT NOT NULL,
    visibility TEXT NOT NULL DEFAULT 'private',
    type TEXT NOT NULL DEFAULT 'chat',
    status TEXT NOT NULL DEFAULT 'idle',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chats_by_user ON chats (organization_id, user_id, created_at);
CREATE TABLE IF NOT EXISTS chat_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    parts TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_messages_by_chat ON chat_messages (chat_id, seq);
"""

# Model ids that make the "provider" fail inside the stream (200 + an ``error`` part), as a bad model does.
FAILING_MODELS = frozenset({"invalid", "invalid-model"})
NO_CONTENT_OUTPUT = "The tool call succeeded but returned no content."
FAILED_TOOL_OUTPUT = "can not execute workflow"
STREAM_HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "connection": "keep-alive",
    "x-vercel-ai-ui-message-stream": "v1",
    "x-accel-buffering": "no",
}
MAX_PASSAGE_CHARS = 600
MAX_ANSWER_PASSAGES = 3
STOP_WORDS = frozenset(
    re.findall(
        r"\S+",
        """a about above after again all also am an and any are as at be been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
    over own please same she should so some such tell than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom why will with would
    you your yours know show give explain describe find get let like want need""",
    )
)
FOLLOW_UP_WORDS = frozenset(
    re.findall(
        r"\S+", "more else that this it its those these they them elaborate continue further detail details again"
    )
)
GREETINGS = frozenset({"hi", "hello", "hey", "hallo", "morning", "afternoon", "evening", "thanks", "thank"})
