"""``LOCALGATEWAY_LEGACY_BOARD_ACTION=1``: the retired ``create_board_item`` action, for a console in transition.

Without the switch the data-board piece has only ``auto_data_board`` (test_real_quirks.py); with it,
the old action is declared again, valid and runnable, and the seeded lead flow uses it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.flow_helpers import AP
from tests.support import ROOT, start_localgateway

BOARD_PIECE = "@activepieces/piece-automate-data-board"


@pytest.fixture(scope="module")
def legacy_gateway(tmp_path_factory):
    gateway = start_localgateway(
        tmp_path_factory.mktemp("legacy-board"), extra_env={"LOCALGATEWAY_LEGACY_BOARD_ACTION": "1"}
    )
    yield gateway
    gateway.stop()


def test_the_switch_declares_the_old_action_beside_the_real_one(legacy_gateway, gw):
    with legacy_gateway.client() as legacy:
        actions = legacy.get(f"{AP}/pieces/{BOARD_PIECE}").json()["actions"]
    assert sorted(actions) == ["auto_data_board", "create_board_item"]
    assert list(gw.get(f"{AP}/pieces/{BOARD_PIECE}").json()["actions"]) == ["auto_data_board"]


def seeded_lead_step(data_dir, **env) -> dict:
    """``python -m localgateway seed`` into ``data_dir``; the lead flow's first step as stored."""
    environment = {**os.environ, "LOCALGATEWAY_DATA_DIR": str(data_dir), **env}
    subprocess.run([sys.executable, "-m", "localgateway", "seed"], cwd=ROOT, env=environment, check=True)
    with contextlib.closing(sqlite3.connect(data_dir / "localgateway.sqlite3")) as conn:
        row = conn.execute(
            "SELECT v.trigger FROM ap_flow_versions v JOIN ap_flows f ON f.id = v.flow_id"
            " WHERE f.display_name = 'Create lead from webhook'"
        ).fetchone()
    return json.loads(row[0])["nextAction"]


def test_the_seeded_lead_flow_uses_the_old_action_only_under_the_switch(tmp_path):
    old = seeded_lead_step(tmp_path / "old", LOCALGATEWAY_LEGACY_BOARD_ACTION="1")
    assert old["settings"]["actionName"] == "create_board_item" and old["valid"] is True
    new = seeded_lead_step(tmp_path / "new")
    assert new["settings"]["actionName"] == "auto_data_board" and new["valid"] is True
    assert new["settings"]["input"]["contentJson"]["contentJson"]["Name"] == "{{trigger.body.company}}"
    assert new["nextAction"]["settings"]["input"]["fields"]["body"]["item_id"] == "{{step_1.boardResponse.data.id}}"
