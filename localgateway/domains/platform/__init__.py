"""The gateway's own endpoints: the SDK's health check and the account (``account``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from ...config import Config
from .account import account, health

SCHEMA = ""


def routes(config: Config) -> list[BaseRoute]:
    return [
        Route("/", health, methods=["GET"]),
        Route("/platform/v1/account", account, methods=["GET"]),
    ]


def seed(config: Config) -> None:
    """The platform has nothing to seed: the account comes from the config."""
