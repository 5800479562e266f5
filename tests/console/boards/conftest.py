"""Boards built straight on the local gateway, for the console's tests to read and change."""

from __future__ import annotations

import os

import pytest

STAGES = ["Lead", "Qualified", "Won"]


def unique(prefix: str = "Board") -> str:
    return f"{prefix} {os.urandom(4).hex()}"


@pytest.fixture
def board(gw) -> dict:
    """A small CRM board: Name (identifier), Stage, Amount, Email, Close date, Won, Website, Rating."""
    fields = [
        {"name": "Name", "type": "ShortText", "isUniqueIdentifier": True},
        {"name": "Stage", "type": "SingleSelection", "data": [{"value": s} for s in STAGES]},
        {"name": "Amount", "type": "Number"},
        {"name": "Email", "type": "Email"},
        {"name": "Close date", "type": "Date"},
        {"name": "Won", "type": "Checkbox"},
        {"name": "Website", "type": "Link"},
        {"name": "Rating", "type": "Rating"},
    ]
    response = gw.post("/data-board/boards", json={"name": unique(), "fields": fields})
    assert response.status_code == 201
    return response.json()["data"]


def ids(board: dict) -> dict[str, str]:
    return {field["name"]: field["id"] for field in board["fields"]}


def add_item(gw, board: dict, **values) -> dict:
    by_name = ids(board)
    body = {"fields": {by_name[name.replace("_", " ")]: value for name, value in values.items()}}
    response = gw.post(f"/data-board/boards/{board['id']}/items", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]
