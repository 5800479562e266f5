"""The role matrix: the least role each console URL needs, per HTTP method.

This is the table in the README's "trust" section, written from the issue's
rules (not read from the views), so a view whose check drifts fails the test:

- Viewer reads everything in the console (and chats with assistants: using an assistant is not
  managing it); exporting a whole board as CSV is Support's.
- Support also edits board items and uploads files.
- Operator also manages assistants, flows, folders, boards and fields.
- Admin also manages console users and sees everyone's audit log.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from apps.core.roles import Role

VIEWER, SUPPORT, OPERATOR, ADMIN = Role.VIEWER, Role.SUPPORT, Role.OPERATOR, Role.ADMIN

# url name -> {method: least role}. GET on a write URL shows its form or confirmation page.
MATRIX: dict[str, dict[str, Role]] = {
    # core, audit, accounts
    "dashboard": {"GET": VIEWER},
    "dashboard-card": {"GET": VIEWER},
    "audit-list": {"GET": VIEWER},
    "audit-export": {"GET": VIEWER},
    "password-change": {"GET": VIEWER, "POST": VIEWER},
    "users-list": {"GET": ADMIN},
    "ops-gateway-check": {"GET": ADMIN, "POST": ADMIN},
    "users-create": {"GET": ADMIN, "POST": ADMIN},
    "users-detail": {"GET": ADMIN},
    "users-role-update": {"POST": ADMIN},
    "users-deactivate": {"POST": ADMIN},
    "users-activate": {"POST": ADMIN},
    "users-password-reset": {"GET": ADMIN, "POST": ADMIN},
    # assistants
    "assistants-list": {"GET": VIEWER},
    "assistants-detail": {"GET": VIEWER},
    "assistants-create": {"GET": OPERATOR, "POST": OPERATOR},
    "assistants-update": {"GET": OPERATOR, "POST": OPERATOR},
    "assistants-delete": {"GET": OPERATOR, "POST": OPERATOR},
    "assistant-resources-update": {"POST": OPERATOR},
    # chat
    "assistants-chat-list": {"GET": VIEWER},
    "assistants-chat": {"GET": VIEWER},
    "assistants-chat-conversation": {"GET": VIEWER},
    "assistants-chat-send": {"POST": VIEWER},
    "assistants-chat-stop": {"POST": VIEWER},
    "assistants-chat-retry": {"POST": VIEWER},
    "assistants-chat-delete": {"GET": VIEWER, "POST": VIEWER},
    # flows
    "flows-list": {"GET": VIEWER},
    "flows-detail": {"GET": VIEWER},
    "flows-create": {"GET": OPERATOR, "POST": OPERATOR},
    "flows-rename": {"POST": OPERATOR},
    "flows-delete": {"GET": OPERATOR, "POST": OPERATOR},
    "flows-trigger-webhook": {"POST": OPERATOR},
    "flows-publish": {"POST": OPERATOR},
    "flows-status": {"POST": OPERATOR},
    "flows-tool": {"POST": OPERATOR},
    "flows-assistants": {"POST": OPERATOR},
    "flows-trigger": {"GET": OPERATOR, "POST": OPERATOR},
    "flow-steps-create": {"GET": OPERATOR, "POST": OPERATOR},
    "flow-steps-update": {"GET": OPERATOR, "POST": OPERATOR},
    "flow-steps-delete": {"POST": OPERATOR},
    "flow-steps-convert": {"POST": OPERATOR},
    "flows-webhook-reveal": {"POST": OPERATOR},
    "flow-runs-list": {"GET": VIEWER},
    "flow-runs-detail": {"GET": VIEWER},
    "flow-runs-rerun": {"POST": OPERATOR},
    # knowledge
    "knowledge-list": {"GET": VIEWER},
    "knowledge-folder-detail": {"GET": VIEWER},
    "knowledge-folder-create": {"GET": OPERATOR, "POST": OPERATOR},
    "knowledge-folder-update": {"GET": OPERATOR, "POST": OPERATOR},
    "knowledge-folder-delete": {"GET": OPERATOR, "POST": OPERATOR},
    "knowledge-folder-assistants": {"GET": VIEWER, "POST": OPERATOR},
    "knowledge-file-upload": {"POST": SUPPORT},
    "knowledge-file-download": {"GET": VIEWER},
    "knowledge-file-delete": {"GET": OPERATOR, "POST": OPERATOR},
    # boards
    "boards-list": {"GET": VIEWER},
    "boards-detail": {"GET": VIEWER},
    "board-fields-list": {"GET": VIEWER},
    "board-items-cell": {"GET": VIEWER},
    "boards-create": {"GET": OPERATOR, "POST": OPERATOR},
    "boards-update": {"GET": OPERATOR, "POST": OPERATOR},
    "boards-delete": {"GET": OPERATOR, "POST": OPERATOR},
    "board-fields-create": {"GET": OPERATOR, "POST": OPERATOR},
    "board-fields-update": {"GET": OPERATOR, "POST": OPERATOR},
    "board-fields-delete": {"GET": OPERATOR, "POST": OPERATOR},
    "board-fields-move": {"POST": OPERATOR},
    "board-items-create": {"GET": SUPPORT, "POST": SUPPORT},
    "board-items-update": {"GET": SUPPORT, "POST": SUPPORT},
    "board-items-delete": {"GET": SUPPORT, "POST": SUPPORT},
    "board-items-bulk-delete": {"POST": SUPPORT},
    "board-items-cell-update": {"GET": SUPPORT, "POST": SUPPORT},
    # Importing a CSV creates board items.
    "boards-import": {"GET": SUPPORT, "POST": SUPPORT},
    "boards-import-map": {"GET": SUPPORT, "POST": SUPPORT},
    "boards-import-run": {"POST": SUPPORT},
    # A bulk copy of a board's data leaving the console (audited): Support, not every Viewer.
    "boards-export": {"GET": SUPPORT},
}

# Reachable without logging in (/metrics only from its listed addresses or with its token: apps/ops).
PUBLIC = {"login", "logout", "ops-healthz", "ops-readyz", "ops-metrics"}


def console_url_patterns() -> list[tuple[str, URLPattern]]:
    """Every named URL pattern of the console: ``(name, pattern)``."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((pattern.name, pattern))

    walk(get_resolver().url_patterns)
    return found
