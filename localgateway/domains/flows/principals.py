"""Projects and principals (flows.md#the-project): one project per organisation, created on first use."""

from __future__ import annotations

from starlette.requests import Request

from ... import db
from .errors import ap_error
from .schema import ORG_ID, new_id


def project_for(organization_id: str) -> str:
    """The organisation's one project, created on first use."""
    conn = db.conn()
    row = conn.execute("SELECT id FROM ap_projects WHERE organization_id = ?", (organization_id,)).fetchone()
    if row:
        return row["id"]
    project_id, now = new_id(), db.now_iso()
    conn.execute(
        "INSERT OR IGNORE INTO ap_projects (id, organization_id, display_name, created, updated)"
        " VALUES (?, ?, ?, ?, ?)",
        (project_id, organization_id, f"Organization {organization_id}", now, now),
    )
    return conn.execute("SELECT id FROM ap_projects WHERE organization_id = ?", (organization_id,)).fetchone()["id"]


def _user_for(external_id: str) -> dict:
    conn = db.conn()
    row = conn.execute("SELECT * FROM ap_users WHERE external_id = ?", (external_id,)).fetchone()
    if row is None:
        now = db.now_iso()
        conn.execute(
            "INSERT OR IGNORE INTO ap_users (id, external_id, created, updated) VALUES (?, ?, ?, ?)",
            (new_id(), external_id, now, now),
        )
        row = conn.execute("SELECT * FROM ap_users WHERE external_id = ?", (external_id,)).fetchone()
    return dict(row)


def principal_of(request: Request) -> tuple[str, dict]:
    """(project id, AP user) for the caller, as the dashboard handler derives them from the identity headers."""
    identity = request.state.identity
    if not ORG_ID.match(identity.organization_id or ""):
        raise ap_error(409, "VALIDATION", {"message": "invalid x-organization-id header"})
    return project_for(identity.organization_id), _user_for(identity.user_id or f"org-user-{identity.organization_id}")
