"""Chats and messages in SQLite, per session ``id`` and per local user, with their JSON shapes."""

from __future__ import annotations

from ... import db

# --- storage ---------------------------------------------------------------------------------------------------


def local_user(organization_id: str, email: str) -> dict:
    """ai-agent's local user for the caller's account, found or created by email."""
    conn = db.conn()
    row = conn.execute(
        "SELECT * FROM chat_users WHERE organization_id = ? AND email = ?", (organization_id, email)
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT OR IGNORE INTO chat_users (id, organization_id, email, created_at) VALUES (?, ?, ?, ?)",
            (db.new_uuid(), organization_id, email, db.now_iso()),
        )
        row = conn.execute(
            "SELECT * FROM chat_users WHERE organization_id = ? AND email = ?", (organization_id, email)
        ).fetchone()
    return dict(row)


def chat_json(row) -> dict:
    return {
        "id": row["id"],
        "createdAt": row["created_at"],
        "title": row["title"],
        "userId": row["user_id"],
        "organizationId": row["organization_id"],
        "assistantId": row["assistant_id"],
        "visibility": row["visibility"],
        "type": row["type"],
        "status": row["status"],
        "lastContext": None,
    }


def message_json(row) -> dict:
    return {
        "id": row["id"],
        "chatId": row["chat_id"],
        "role": row["role"],
        "parts": db.loads(row["parts"]),
        "attachments": [],
        "metadata": db.loads(row["metadata"]),
        "createdAt": row["created_at"],
    }


def _title_for(text: str) -> str:
    """ai-agent names a chat with a model afterwards; here: the first words of its first message."""
    words = text.split()
    if not words:
        return "New chat"
    title = " ".join(words[:8])[:80] + ("…" if len(words) > 8 else "")
    return title[0].upper() + title[1:]


def ensure_chat(chat_id: str, organization_id: str, user_id: str, assistant_id: str, first_text: str) -> None:
    db.conn().execute(
        "INSERT OR IGNORE INTO chats (id, organization_id, user_id, assistant_id, title, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (chat_id, organization_id, user_id, assistant_id, _title_for(first_text), db.now_iso()),
    )


def set_status(chat_id: str, status: str) -> None:
    db.conn().execute("UPDATE chats SET status = ? WHERE id = ?", (status, chat_id))


def save_message(
    chat_id: str, role: str, parts: list[dict], metadata: dict | None = None, message_id: str = ""
) -> None:
    """Store a message, unless its chat was deleted meanwhile (a reply can outlive its chat)."""
    db.conn().execute(
        "INSERT INTO chat_messages (id, chat_id, role, parts, metadata, created_at) "
        "SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chats WHERE id = ?)",
        (
            message_id or db.new_uuid(),
            chat_id,
            role,
            db.dumps(parts),
            None if metadata is None else db.dumps(metadata),
            db.now_iso(),
            chat_id,
        ),
    )


def _history(chat_id: str) -> list[dict]:
    rows = db.conn().execute("SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY seq", (chat_id,)).fetchall()
    return [{"role": row["role"], "text": _text_of(db.loads(row["parts"]))} for row in rows]


def _text_of(parts: object) -> str:
    if isinstance(parts, str):
        return parts
    if not isinstance(parts, list):
        return ""
    return "".join(str(part.get("text", "")) for part in parts if isinstance(part, dict) and part.get("type") == "text")


def user_text(message: object) -> str | None:
    """The text of a client message in either accepted shape, or None when it is not a user message."""
    if not isinstance(message, dict) or message.get("role") != "user":
        return None
    if isinstance(message.get("content"), str):
        return message["content"]
    return _text_of(message.get("parts"))
