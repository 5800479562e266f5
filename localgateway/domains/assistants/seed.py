"""The demo assistants."""

from __future__ import annotations

import sqlite3

from ... import db
from ...config import Config
from .provider_store import _providers, provider_insert, provider_model
from .store import all_rows, insert, new_row

# --- demo data -----------------------------------------------------------------------------------


def _seeded_id(sql: str, organization_id: str) -> str | None:
    """The id another domain's seed stored, or None when that table or row is not there."""
    try:
        found = db.conn().execute(sql, (organization_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if found is None else str(found[0])


SUPPORT_BOT_SOURCES = {
    "folder_ids": "SELECT id FROM kh_folders WHERE organization_id = ? AND name = 'Product Documentation'"
    " AND parent_folder_id = 'root' ORDER BY created_at LIMIT 1",
    "board_ids": "SELECT id FROM boards WHERE organization_id = ? AND name = 'Sales Pipeline'"
    " ORDER BY created_at LIMIT 1",
    "workflow_function_call": "SELECT f.id FROM ap_flows f JOIN ap_projects p ON p.id = f.project_id"
    " WHERE p.organization_id = ? AND f.published_version_id IS NOT NULL"
    " ORDER BY f.status = 'ENABLED' DESC, f.created LIMIT 1",
}


def seed(config: Config) -> None:
    """A custom provider for the model picker, and the "Support Bot" using the demo folder, board and flow."""
    organization_id = config.organization_id
    if _providers(organization_id) or all_rows(organization_id, "Support Bot"):
        return
    provider_insert(
        organization_id,
        name="Team OpenAI-compatible",
        type_="openai",
        config={"openApi": {"baseUrl": "https://llm.team.example/v1", "apiKey": "sk-demo-local-7c1e4b2a9f30"}},
        models=[
            provider_model(entry)
            for entry in (
                {"name": "team-gpt-4o", "is_shown": True, "is_vision_available": True},
                {"name": "team-gpt-4o-mini", "is_shown": True},
                {"name": "team-embedding-large", "is_shown": False, "is_toolCall_available": False},
            )
        ],
    )
    uses = {
        key: [found] if (found := _seeded_id(sql, organization_id)) else [] for key, sql in SUPPORT_BOT_SOURCES.items()
    }
    body = {
        "name": "Support Bot",
        "workflow_name": "support_bot_v1",
        "description": "Answers product, shipping and returns questions, and looks up deals in the sales pipeline.",
        "provider_id": "system",
        "model_id": "Default",
        "streaming": True,
        "temperature": 0.2,
        "personality_role": "A friendly, precise support agent for the Imbrace demo shop",
        "core_task": "Answer customer questions from the product documentation. When asked about a deal, look it up"
        " in the Sales Pipeline board. Say plainly when the documents do not cover a question.",
        "tone_and_style": "Warm and plain; no jargon",
        "response_length": "Short: a few sentences or a brief list",
        **uses,
    }
    body["instructions"] = body["core_task"]
    insert(new_row(organization_id, body, mode="advanced"))
