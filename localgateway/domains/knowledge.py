"""Placeholder: being built."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ..config import Config

SCHEMA = ""


def routes(config: Config) -> list[BaseRoute]:
    return []


def seed(config: Config) -> None:
    return None
