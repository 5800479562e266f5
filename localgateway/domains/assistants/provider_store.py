"""Custom providers: rows, masked secrets, model entries."""

from __future__ import annotations

from typing import Any

from ... import db
from .schema import SECRET_HINTS
from .validation import require

# --- providers -----------------------------------------------------------------------------------


def _masked(value: Any, key: str = "") -> Any:
    """Provider config with every secret-looking string reduced to its last four characters."""
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    if isinstance(value, str) and value and any(hint in key.lower() for hint in SECRET_HINTS):
        return "****" + value[-4:] if len(value) > 8 else "****"
    return value


def provider_public(provider: dict) -> dict:
    return {**provider, "config": _masked(provider.get("config") or {})}


def _providers(organization_id: str) -> list[dict]:
    rows = db.conn().execute(
        "SELECT data FROM ai_providers WHERE organization_id = ? ORDER BY created_at, rowid", (organization_id,)
    )
    return [db.loads(found["data"]) for found in rows]


def provider_insert(organization_id: str, *, name: str, type_: str, config: dict, models: list[dict]) -> dict:
    now = db.now_iso()
    provider = {
        "id": db.new_uuid().replace("-", "")[:24],
        "provider_id": db.new_uuid(),
        "organization_id": organization_id,
        "name": name,
        "type": type_,
        "source": "custom",
        "is_shown": True,
        "config": config,
        "models": models,
        "metadata": {},
        "created_at": now,
        "updated_at": now,
    }
    db.conn().execute(
        "INSERT INTO ai_providers (id, provider_id, organization_id, created_at, data) VALUES (?, ?, ?, ?, ?)",
        (provider["id"], provider["provider_id"], organization_id, now, db.dumps(provider)),
    )
    return provider


def provider_model(entry: Any) -> dict:
    if isinstance(entry, str):
        entry = {"name": entry}
    require(
        isinstance(entry, dict) and isinstance(entry.get("name"), str) and bool(entry["name"]),
        "Invalid provider config.",
    )
    return {
        "name": entry["name"],
        "is_shown": bool(entry.get("is_shown", False)),
        "is_toolCall_available": bool(entry.get("is_toolCall_available", True)),
        "is_vision_available": bool(entry.get("is_vision_available", False)),
    }
