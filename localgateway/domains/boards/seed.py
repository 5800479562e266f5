"""The demo boards and items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ... import db
from ...config import Config
from .item_store import insert_item, transaction
from .store import _board_row, _field_id, insert_board
from .values import iso

# --- Demo data ------------------------------------------------------------------------------

_STAGES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
_DEMO_ITEMS = [
    ("Acme Corp", "Qualified", 48000, "jane.doe@acme.example", 12, False, "https://acme.example", 4),
    ("Globex Ltd", "Proposal", 125000, "h.simpson@globex.example", 20, False, "https://globex.example", 5),
    ("Initech", "Negotiation", 72500, "peter.gibbons@initech.example", 8, False, "https://initech.example", 3),
    ("Umbrella Health", "Won", 210000, "procurement@umbrella.example", -5, True, "https://umbrella.example", 5),
    ("Stark Industries", "Lead", 350000, "pepper@stark.example", 45, False, "https://stark.example", 4),
    ("Wayne Enterprises", "Qualified", 98000, "lucius.fox@wayne.example", 30, False, "https://wayne.example", 4),
    ("Hooli", "Lost", 56000, "gavin@hooli.example", -12, False, "https://hooli.example", 2),
    ("Pied Piper", "Won", 18500, "richard@piedpiper.example", -20, True, "https://piedpiper.example", 5),
    ("Soylent Foods", "Proposal", 33000, "orders@soylent.example", 14, False, "https://soylent.example", 3),
    ("Cyberdyne Systems", "Negotiation", 410000, "miles.dyson@cyberdyne.example", 6, False, "", 4),
    ("Tyrell Corporation", "Lead", 87000, "rachael@tyrell.example", 60, False, "https://tyrell.example", 3),
    ("Wonka Industries", "Won", 26000, "charlie@wonka.example", -30, True, "https://wonka.example", 5),
    ("Oscorp", "Qualified", 145000, "norman@oscorp.example", 25, False, "https://oscorp.example", 2),
    ("Vandelay Imports", "Lead", 12000, "art@vandelay.example", 40, False, "", 1),
    ("Dunder Mifflin", "Proposal", 9800, "michael.scott@dundermifflin.example", 10, False, "https://dunder.example", 3),
    ("Massive Dynamic", "Negotiation", 265000, "nina.sharp@massive.example", 3, False, "https://massive.example", 4),
    ("Aperture Science", "Lost", 150000, "cave@aperture.example", -40, False, "https://aperture.example", 2),
    ("Black Mesa", "Qualified", 134000, "contracts@blackmesa.example", 18, False, "https://blackmesa.example", 3),
    ("Gringotts Bank", "Won", 500000, "griphook@gringotts.example", -8, True, "https://gringotts.example", 5),
    ("Monsters Inc", "Proposal", 42000, "mike@monsters.example", 22, False, "https://monsters.example", 4),
    ("Nakatomi Trading", "Lead", 67000, "takagi@nakatomi.example", 50, False, "", 3),
    ("Prestige Worldwide", "Lost", 7500, "brennan@prestige.example", -60, False, "", 1),
    ("Sirius Cybernetics", "Negotiation", 99000, "complaints@sirius.example", 9, False, "https://sirius.example", 2),
    ("Blue Sun Corp", "Qualified", 61000, "sales@bluesun.example", 28, False, "https://bluesun.example", 3),
    ("Rekall Inc", "Proposal", 38500, "quaid@rekall.example", 16, False, "https://rekall.example", 4),
]


def seed(config: Config) -> None:
    """The "Sales Pipeline" board with eight fields and twenty-five deals."""
    organization_id = config.organization_id
    exists = db.conn().execute(
        "SELECT 1 FROM boards WHERE organization_id = ? AND name = 'Sales Pipeline'", (organization_id,)
    )
    if exists.fetchone():
        return
    definitions = [
        {"name": "Name", "type": "ShortText", "isUniqueIdentifier": True, "description": "Company or deal name"},
        {"name": "Stage", "type": "SingleSelection", "data": [{"value": stage} for stage in _STAGES]},
        {"name": "Amount", "type": "Number", "description": "Deal value in USD"},
        {"name": "Email", "type": "Email"},
        {"name": "Close date", "type": "Date"},
        {"name": "Won", "type": "Checkbox"},
        {"name": "Website", "type": "Link"},
        {"name": "Rating", "type": "Rating"},
    ]
    now = datetime.now(UTC)
    with transaction():
        board_id = insert_board(
            organization_id,
            {
                "name": "Sales Pipeline",
                "description": "Open and closed deals",
                "type": "Opportunities",
                "fields": definitions,
            },
        )
        board = _board_row(organization_id, board_id)
        ids = [_field_id(f) for f in db.loads(board["fields"])]
        for index, (name, stage, amount, email, close_in, won, website, rating) in enumerate(_DEMO_ITEMS):
            close = (now + timedelta(days=close_in)).strftime("%Y-%m-%d")
            values = [name, stage, amount, email, close, won, website, rating]
            created = iso(now - timedelta(days=len(_DEMO_ITEMS) - index, hours=index % 7))
            insert_item(board, {"fields": dict(zip(ids, values, strict=True))}, now=created)
