"""Reads of assistants, providers and models from the AI service (``/v3/ai``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from apps.boards.selectors import board_choices
from apps.flows.selectors import flow_choices
from apps.knowledge.selectors import folder_choices
from imbrace_console.gateway import GatewayError, gateway_path, get_client

logger = logging.getLogger(__name__)

SYSTEM_PROVIDER_ID = "system"
SYSTEM_DEFAULT_MODEL = "Default"
MODEL_SEPARATOR = "::"


async def assistant_count() -> int:
    rows = await get_client().json("GET", "/v3/ai/accounts/assistants")
    return len(rows) if isinstance(rows, list) else 0


def _rows(body: object) -> list[dict]:
    return [row for row in body if isinstance(row, dict)] if isinstance(body, list) else []


async def assistant_list(*, search: str = "") -> list[dict]:
    """The organization's assistants, newest first; ``search`` matches part of the name."""
    params = {"search": search.strip()} if search.strip() else None
    return _rows(await get_client().json("GET", "/v3/ai/accounts/assistants", params=params))


async def assistant_get(*, assistant_id: str) -> dict:
    """One assistant as the service reads it (sub-agents expanded). Unknown: ``GatewayNotFound``."""
    body = await get_client().json("GET", gateway_path("/v3/ai/assistants/{}", assistant_id))
    if not isinstance(body, dict):
        raise GatewayError("The gateway answered with an unexpected shape.")
    return body


async def assistant_workflow_name_owner(*, workflow_name: str, exclude_id: str = "") -> dict | None:
    """The assistant that already uses ``workflow_name`` in this organization, if any.

    The service does not enforce the uniqueness its docs promise, so the console checks.
    """
    wanted = workflow_name.strip().lower()
    for row in await assistant_list():
        if str(row.get("workflow_name") or "").strip().lower() == wanted and row.get("id") != exclude_id:
            return row
    return None


# --- the model picker ----------------------------------------------------------------------------


def model_choice_value(provider_id: str, model_id: str) -> str:
    return f"{provider_id}{MODEL_SEPARATOR}{model_id}"


def model_choice_split(value: str) -> tuple[str, str]:
    provider_id, _, model_id = value.partition(MODEL_SEPARATOR)
    return provider_id, model_id


@dataclass(frozen=True)
class ModelChoices:
    """Grouped ``(value, label)`` options for a ``<select>``, and what could not be loaded."""

    groups: list[tuple[str, list[tuple[str, str]]]]
    provider_names: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    default: str = ""  # the organization's default model (``organization_default``), preselected on create

    @property
    def values(self) -> set[str]:
        return {value for _, options in self.groups for value, _ in options}


async def model_choices() -> ModelChoices:
    """ "System default" first (the deployment's default model, then the platform catalogue),
    then each custom provider's shown models. A part that fails to load is left out with a warning.
    """
    client = get_client()
    catalogue, providers = await asyncio.gather(
        client.json("GET", "/v3/ai/workflow-agent/models"),
        client.json("GET", "/v3/ai/providers"),
        return_exceptions=True,
    )
    warnings: list[str] = []
    system = [(model_choice_value(SYSTEM_PROVIDER_ID, SYSTEM_DEFAULT_MODEL), "Default (the deployment's model)")]
    if isinstance(catalogue, BaseException):
        _reraise_unexpected(catalogue)
        warnings.append(f"The platform model list could not be loaded: {catalogue.user_message}")
    else:
        data = catalogue.get("data") if isinstance(catalogue, dict) else None
        for model in data if isinstance(data, list) else []:
            if isinstance(model, dict) and model.get("name"):
                system.append((model_choice_value(SYSTEM_PROVIDER_ID, str(model["name"])), str(model["name"])))
    groups = [("System default", system)]
    names = {SYSTEM_PROVIDER_ID: "System default"}
    if isinstance(providers, BaseException):
        _reraise_unexpected(providers)
        warnings.append(f"Custom providers could not be loaded: {providers.user_message}")
    else:
        for provider in _rows(providers):
            provider_id = str(provider.get("provider_id") or provider.get("id") or "")
            if not provider_id:
                continue
            name = str(provider.get("name") or provider_id)
            names[provider_id] = name
            shown = [
                (model_choice_value(provider_id, str(model["name"])), str(model["name"]))
                for model in provider.get("models") or []
                if isinstance(model, dict) and model.get("name") and model.get("is_shown")
            ]
            if shown:
                groups.append((name, shown))
    default = organization_default([] if isinstance(providers, BaseException) else _rows(providers))
    return ModelChoices(groups=groups, provider_names=names, warnings=warnings, default=model_choice_value(*default))


def _shown_models(provider: dict) -> list[str]:
    models = provider.get("models") if isinstance(provider.get("models"), list) else []
    return [str(m["name"]) for m in models if isinstance(m, dict) and m.get("name") and m.get("is_shown")]


def organization_default(providers: list[dict]) -> tuple[str, str]:
    """The provider and model a new assistant gets, from the organization's ``GET /v3/ai/providers``.

    The first provider the organization shows (the service's order) with its first shown model:
    an organization that brought its own provider uses it, as ``system`` fails on some
    organizations (docs/contract/assistants-chat.md#providers-and-models). A provider or model
    marked ``is_default`` wins. With none, ``system`` + ``Default``: the deployment's model, the
    one pair the service treats specially.
    """
    usable = [p for p in providers if (p.get("provider_id") or p.get("id")) and p.get("is_shown", True) is not False]
    usable = [p for p in usable if _shown_models(p)]
    usable.sort(key=lambda p: not p.get("is_default"))  # stable: the service's order otherwise
    for provider in usable:
        models = provider.get("models") or []
        marked = [str(m["name"]) for m in models if isinstance(m, dict) and m.get("is_default") and m.get("name")]
        model = next((name for name in marked if name in _shown_models(provider)), _shown_models(provider)[0])
        return str(provider.get("provider_id") or provider.get("id")), model
    return SYSTEM_PROVIDER_ID, SYSTEM_DEFAULT_MODEL


async def default_model() -> tuple[str, str]:
    """``organization_default`` of the organization's providers as the gateway lists them now."""
    return organization_default(_rows(await get_client().json("GET", "/v3/ai/providers")))


async def provider_label(*, provider_id: str) -> str:
    """A provider's display name; its id when the service cannot say."""
    if not provider_id:
        return ""
    if provider_id == SYSTEM_PROVIDER_ID:
        return "System default"
    try:
        provider = await get_client().json("GET", gateway_path("/v3/ai/providers/{}", provider_id))
    except GatewayError:
        return provider_id
    return str(provider.get("name") or provider_id) if isinstance(provider, dict) else provider_id


def _reraise_unexpected(exc: BaseException) -> None:
    if not isinstance(exc, GatewayError):
        raise exc


# --- what an assistant uses ----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedResource:
    id: str
    name: str
    found: bool


@dataclass(frozen=True)
class ResourceGroup:
    """The folders, boards or flows an assistant uses, with names, and the ones it could add."""

    ids: list[str]
    linked: list[LinkedResource]
    available: list[tuple[str, str]]
    lookup_failed: bool


async def _group(ids: list[str], choices: Callable[[], Awaitable[list[tuple[str, str]]]], label: str) -> ResourceGroup:
    try:
        options = await choices()
    except GatewayError as exc:
        logger.warning("assistant detail: %s names unavailable: %s", label, exc.user_message)
        return ResourceGroup(ids, [LinkedResource(i, i, False) for i in ids], [], True)
    names = dict(options)
    linked = [LinkedResource(i, names.get(i, i), i in names) for i in ids]
    available = [(value, name) for value, name in options if value not in ids]
    return ResourceGroup(ids, linked, available, False)


def resource_ids(value: object) -> list[str]:
    """Ids from a stored list; bound flows may be strings or (per the docs) ``{flow_id}`` objects."""
    ids = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            item = item.get("flow_id") or item.get("id")
        if item:
            ids.append(str(item))
    return ids


async def assistant_resources(*, assistant: dict) -> dict[str, ResourceGroup]:
    """Names for the assistant's knowledge folders, boards and bound flows (an id when a lookup fails)."""
    folders, boards, flows = await asyncio.gather(
        _group(resource_ids(assistant.get("folder_ids")), folder_choices, "folder"),
        _group(resource_ids(assistant.get("board_ids")), board_choices, "board"),
        _group(resource_ids(assistant.get("workflow_function_call")), flow_choices, "flow"),
    )
    return {"folders": folders, "boards": boards, "flows": flows}


async def assistants_by_folder(*, folder_id: str) -> tuple[list[dict], list[dict]]:
    """(assistants using the knowledge folder, the others), each sorted by name."""
    using, others = [], []
    for row in await assistant_list():
        target = using if folder_id in (row.get("folder_ids") or []) else others
        target.append(row)
    key = lambda row: str(row.get("name") or "").casefold()  # noqa: E731
    return sorted(using, key=key), sorted(others, key=key)
