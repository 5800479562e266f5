"""Activepieces (the workflow engine) behind ``/activepieces``: flows, webhooks and runs.

Follows docs/contract/flows.md: one project per organisation, created on
its first call (#the-project); SeekPage lists with opaque cursors
(#lists-and-cursors); the flow operations and version states (#operations,
#publishing); webhooks with their status codes and the sync listener's timeout
(#webhooks); runs that go QUEUED → RUNNING → terminal (#runs).

Layout: ``schema``, ``errors``, ``principals``, ``paging``, ``store``
(flows and versions), ``operations``, ``run_store``; routes by resource
(``flows``, ``runs``, ``webhooks``, ``pieces``); ``engine`` runs the steps
(``pieces_catalog`` declares the pieces, ``board_piece`` is the data-board
piece); ``interfaces`` for the chat responder; ``seed``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from ...config import Config
from ...routing import ACTIVEPIECES, under
from . import flows, pieces, runs, webhooks
from .interfaces import flow_run_sync, flow_tools
from .schema import SCHEMA
from .seed import seed
from .store import flow_json

__all__ = ["SCHEMA", "flow_json", "flow_run_sync", "flow_tools", "routes", "seed"]

WEBHOOK_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def routes(config: Config) -> list[BaseRoute]:
    return under(
        ACTIVEPIECES,
        [
            ("/v1/flows", flows.flow_list, ["GET"]),
            ("/v1/flows", flows.flow_create_route, ["POST"]),
            ("/v1/flows/count", flows.flow_count, ["GET"]),
            ("/v1/flows/{flow_id}", flows.flow_get, ["GET"]),
            ("/v1/flows/{flow_id}", flows.flow_operate, ["POST"]),
            ("/v1/flows/{flow_id}", flows.flow_delete, ["DELETE"]),
            ("/v1/webhooks/{flow_id}", webhooks.webhook, WEBHOOK_METHODS),
            ("/v1/webhooks/{flow_id}/{mode:path}", webhooks.webhook_with_mode, WEBHOOK_METHODS),
            ("/v1/flow-runs", runs.run_list, ["GET"]),
            ("/v1/flow-runs/{run_id}", runs.run_get, ["GET"]),
            ("/v1/users/me", pieces.users_me, ["GET"]),
            ("/v1/pieces/{name:path}", pieces.piece_get, ["GET"]),
        ],
    )
