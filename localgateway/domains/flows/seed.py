"""The demo flows: a published lead-capture flow with past runs, and a draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ... import db
from ...config import Config
from . import board_piece, catalog, engine
from .principals import project_for
from .run_store import run_insert, run_update
from .store import flow_create, flow_row, latest_version, save_version, touch_flow

# --- demo data --------------------------------------------------------------------------------------

LEAD_FLOW = "Create lead from webhook"
LEAD_TOOL = {
    "type": "function",
    "function": {
        "name": "Create_lead_from_webhook",
        "description": "Add a new sales lead to the Sales Pipeline board. Use it when a visitor wants to be "
        "contacted by sales; ask for the company name and a contact email first.",
        "parameters": {
            "type": "object",
            "properties": {
                "company": {"type": "string", "description": "Company or deal name"},
                "email": {"type": "string", "description": "Contact email"},
                "amount": {"type": "number", "description": "Expected deal value in USD, if known"},
            },
            "required": ["company", "email"],
        },
    },
}
# Past calls of the lead flow: (days ago, payload); the first two created deals that are on the board now.
LEAD_FIELDS = {
    "Name": "{{trigger.body.company}}",
    "Email": "{{trigger.body.email}}",
    "Amount": "{{trigger.body.amount}}",
}
LEAD_RUNS = [
    (6, {"company": "Tyrell Corporation", "email": "rachael@tyrell.example", "amount": 87000}),
    (3, {"company": "Stark Industries", "email": "pepper@stark.example", "amount": 350000}),
    (1, {"email": "someone@unknown.example", "amount": 5000}),
]
# A run that timed out a few hours ago, for the console's dashboard demo (Needs attention).
TIMED_OUT_LEAD = {"company": "Wayne Enterprises", "email": "lucius@wayne.example", "amount": 125000}


def _board_step(board_id: str) -> dict:
    """step_1: the data-board piece creating the lead from the body, in JSON mode keyed by field name."""
    settings: dict = {"pieceName": catalog.BOARD_PIECE, "pieceVersion": "~" + catalog.BOARD_PIECE_VERSION}
    settings.update(
        actionName=catalog.BOARD_ACTION,
        input={
            "workflowName": "Automate Data Board",
            "version": "1",
            "boardId": board_id,
            "chooseAction": "create",
            "inputMethod": {"inputMethod": "json"},
            "contentJson": {"contentJson": {**LEAD_FIELDS, "Stage": "Lead"}},
        },
        propertySettings={
            name: {"type": "MANUAL"}
            for name in ("workflowName", "version", "boardId", "chooseAction", "inputMethod", "contentJson")
        },
        errorHandlingOptions={"continueOnFailure": {"value": False}, "retryOnFailure": {"value": False}},
    )
    return {
        "name": "step_1",
        "type": "PIECE",
        "displayName": "Create lead on Sales Pipeline",
        "skip": False,
        "settings": settings,
    }


def _seed_trigger(board_id: str) -> dict:
    item_ref = "{{step_1.boardResponse.data.id}}"
    trigger = {
        "name": "trigger",
        "type": "PIECE_TRIGGER",
        "valid": True,
        "displayName": "Catch Webhook",
        "settings": {
            "pieceName": catalog.WEBHOOK_PIECE,
            "pieceVersion": catalog.WEBHOOK_PIECE_VERSION,
            "triggerName": "catch_webhook",
            "input": {"authType": "none", "authFields": {}},
            "propertySettings": {},
        },
    }
    steps = [
        _board_step(board_id),
        {
            "name": "step_2",
            "type": "PIECE",
            "displayName": "Return Response",
            "skip": False,
            "settings": {
                "pieceName": catalog.WEBHOOK_PIECE,
                "pieceVersion": catalog.WEBHOOK_PIECE_VERSION,
                "actionName": "return_response",
                "input": {
                    "responseType": "json",
                    "respond": "stop",
                    "fields": {
                        "status": 201,
                        "headers": {},
                        "body": {"item_id": item_ref, "message": "Lead {{trigger.body.company}} created"},
                    },
                },
                "propertySettings": {},
            },
        },
    ]
    catalog.validate_trigger(trigger)
    for step in steps:
        catalog.validate_action(step)
    return engine.link(trigger, steps)


def _existing_lead(organization_id: str, board_id: str, fields: dict) -> dict:
    """For the demo history: the deal a past run created is the one on the board with that name."""
    board = db.conn().execute("SELECT fields FROM boards WHERE id = ?", (board_id,)).fetchone()
    name_field = next((f for f in db.loads(board["fields"]) if f.get("name") == "Name"), None) if board else None
    if name_field is None or not fields.get("Name"):
        raise ValueError("Name is required")
    field_id = name_field.get("id") or name_field.get("_id")
    for row in db.conn().execute("SELECT * FROM board_items WHERE board_id = ?", (board_id,)):
        values = db.loads(row["fields"]) or {}
        if values.get(field_id) == fields["Name"]:
            return {
                "_id": row["id"],
                "id": row["id"],
                "board_item_id": row["id"],
                "organization_id": row["organization_id"],
                "board_id": row["board_id"],
                "created_type": row["created_type"],
                "fields": values,
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
    raise ValueError(f"Board has no item named {fields['Name']}")


class _PastCalls(board_piece.BoardCalls):
    """For the demo history: a past run's create finds the deal it made, already on the board."""

    def create(self, org: str, board_id: str, body: dict) -> dict:
        board = db.conn().execute("SELECT fields FROM boards WHERE id = ?", (board_id,)).fetchone()
        name_field = next((f for f in db.loads(board["fields"]) if f.get("name") == "Name"), {})
        sent = {entry["board_field_id"]: entry["value"] for entry in body.get("fields", [])}
        name = sent.get(name_field.get("id") or name_field.get("_id"))
        if not name:
            return super().create(org, board_id, body)
        return {"data": _existing_lead(org, board_id, {"Name": name})}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seed(config: Config) -> None:
    """A published lead-capture flow (webhook → board item → Return Response) with runs, and a draft."""
    organization_id = config.organization_id
    project_id = project_for(organization_id)
    if db.conn().execute("SELECT 1 FROM ap_flows WHERE project_id = ? LIMIT 1", (project_id,)).fetchone():
        return
    board = (
        db.conn()
        .execute(
            "SELECT id FROM boards WHERE organization_id = ? AND name = 'Sales Pipeline' ORDER BY created_at LIMIT 1",
            (organization_id,),
        )
        .fetchone()
    )
    draft = flow_create(project_id=project_id, display_name="Escalate VIP ticket")
    touch_flow(draft["id"], metadata=db.dumps({"tags": [{"id": "ops", "name": "operations"}]}))
    if board is None:
        return
    flow = flow_create(
        project_id=project_id,
        display_name=LEAD_FLOW,
        metadata={"tags": [{"id": "agent", "name": "agent"}], "settings": {"ai": LEAD_TOOL}},
    )
    version = latest_version(flow["id"])
    trigger = _seed_trigger(board["id"])
    save_version(version, trigger=trigger, display_name=LEAD_FLOW, user_id=None)
    db.conn().execute("UPDATE ap_flow_versions SET state = 'LOCKED' WHERE id = ?", (version["id"],))
    touch_flow(flow["id"], status="ENABLED", published_version_id=version["id"])
    version = latest_version(flow["id"])
    now = datetime.now(UTC)
    for days_ago, payload in LEAD_RUNS:
        started = now - timedelta(days=days_ago, hours=2)
        request_payload = {
            "method": "POST",
            "headers": {"content-type": "application/json", "user-agent": "website-forms/2.3"},
            "body": payload,
            "queryParams": {},
        }
        result = engine.execute(
            trigger=trigger,
            request=request_payload,
            organization_id=organization_id,
            flow_id=flow["id"],
            board_calls=_PastCalls(),
        )
        duration = 180 + 40 * days_ago
        run_id = run_insert(flow=flow_row(flow["id"]), version=version, environment="PRODUCTION", created=_iso(started))
        run_update(
            run_id,
            status=result.status,
            start_time=_iso(started),
            finish_time=_iso(started + timedelta(milliseconds=duration)),
            duration=duration,
            steps=db.dumps(result.steps),
            failed_step=db.dumps(result.failed_step) if result.failed_step else None,
        )
    _seed_failed_run(flow["id"], version, now - timedelta(hours=3))


def _seed_failed_run(flow_id: str, version: dict, started: datetime) -> None:
    """One run the engine gave up on after its 600 s limit (TIMEOUT): only the trigger's step is logged."""
    request = {
        "method": "POST",
        "headers": {"content-type": "application/json"},
        "body": TIMED_OUT_LEAD,
        "queryParams": {},
    }
    steps = {"trigger": {"type": "PIECE_TRIGGER", "status": "SUCCEEDED", "input": {}, "output": request, "duration": 0}}
    run_id = run_insert(flow=flow_row(flow_id), version=version, environment="PRODUCTION", created=_iso(started))
    run_update(
        run_id,
        status="TIMEOUT",
        start_time=_iso(started),
        finish_time=_iso(started + timedelta(seconds=600)),
        duration=600_000,
        steps=db.dumps(steps),
    )
