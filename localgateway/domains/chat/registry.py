"""Recent streams, for ``GET /_local/chat/streams``: when each opened and closed, and from where."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# --- streams registry (for /_local/chat/streams) ---------------------------------------------------------------


@dataclass
class StreamRecord:
    id: str
    chat_id: str
    assistant_id: str
    opened_at: str
    closed_at: str | None = None
    completed: bool = False
    cancelled: bool = False
    events: int = 0
    client: str = ""  # the caller's address and port: a client reusing its connection sends from the same one


_streams: deque[StreamRecord] = deque(maxlen=5000)
