"""Local gateway settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_KEY = "api_local_0123456789abcdef"


@dataclass(frozen=True)
class Config:
    api_key: str
    organization_id: str
    user_id: str
    user_email: str
    data_dir: Path
    jwt_secret: str
    chat_word_delay: float = 0.02
    webhook_sync_timeout: float = 30.0
    scoped_api_key: str = field(default="")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "localgateway.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def load() -> Config:
    data_dir = Path(os.environ.get("LOCALGATEWAY_DATA_DIR", Path(__file__).resolve().parent.parent / "var"))
    return Config(
        api_key=os.environ.get("LOCALGATEWAY_API_KEY", DEFAULT_API_KEY),
        organization_id=os.environ.get("LOCALGATEWAY_ORGANIZATION_ID", "org_imbrace_local"),
        user_id=os.environ.get("LOCALGATEWAY_USER_ID", "u_local_admin"),
        user_email=os.environ.get("LOCALGATEWAY_USER_EMAIL", "admin@imbrace.local"),
        data_dir=data_dir,
        jwt_secret=os.environ.get("LOCALGATEWAY_JWT_SECRET", "localgateway-jwt-secret"),
        chat_word_delay=float(os.environ.get("LOCALGATEWAY_CHAT_WORD_DELAY", "0.02")),
        webhook_sync_timeout=float(os.environ.get("LOCALGATEWAY_WEBHOOK_SYNC_TIMEOUT", "30")),
        scoped_api_key=os.environ.get("LOCALGATEWAY_SCOPED_API_KEY", "api_scoped_local_board_only"),
    )
