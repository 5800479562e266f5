"""The AI service's assistants, custom providers and model catalogue (``/v3/ai``).

Follows docs/contract/assistants-chat.md: create answers 200; every failure is a 400
``{"detail": "[ERROR: <message>]"}``, "not found" included; the two update
routes reset the fields the contract lists when they are left out; deletes
are soft. Each assistant is one JSON row, scoped to the caller's organization.

Layout: ``schema``, ``validation`` (``InputError``), ``store`` and ``provider_store``,
routes by resource (``assistants``, ``providers``), ``seed``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from ...config import Config
from ...routing import AI, under
from . import assistants, providers
from .provider_store import provider_insert
from .schema import SCHEMA
from .seed import seed
from .store import assistant_get_internal, insert, new_row
from .validation import generated_instructions

# The names the in-process tests and other domains have used.
_new_row, _insert = new_row, insert

__all__ = [
    "SCHEMA",
    "assistant_get_internal",
    "generated_instructions",
    "provider_insert",
    "routes",
    "seed",
]


def routes(config: Config) -> list[BaseRoute]:
    return under(
        AI,
        [
            ("/assistant_apps", assistants.app_create, ["POST"]),
            ("/assistant_apps/{assistant_id}", assistants.app_replace, ["PUT"]),
            ("/assistant_apps/{assistant_id}", assistants.assistant_delete, ["DELETE"]),
            ("/accounts/assistants", assistants.assistant_list, ["GET"]),
            ("/assistants", assistants.assistant_list, ["GET"]),
            ("/assistants", assistants.assistant_create, ["POST"]),
            ("/assistants", assistants.bulk_delete, ["DELETE"]),
            ("/assistants/check-name", assistants.check_name, ["GET"]),
            ("/assistants/agents", assistants.agents, ["GET"]),
            ("/assistants/{assistant_id}", assistants.assistant_read, ["GET"]),
            ("/assistants/{assistant_id}", assistants.assistant_update, ["PUT"]),
            ("/assistants/{assistant_id}", assistants.assistant_delete, ["DELETE"]),
            ("/assistants/{assistant_id}/instructions", assistants.instructions_update, ["PATCH"]),
            ("/providers", providers.provider_list, ["GET"]),
            ("/providers", providers.provider_create, ["POST"]),
            ("/providers/{provider_id}", providers.provider_read, ["GET"]),
            ("/workflow-agent/models", providers.system_models, ["GET"]),
        ],
    )
