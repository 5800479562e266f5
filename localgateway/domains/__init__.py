"""The services behind the gateway, one module each.

Every module has ``SCHEMA`` (its SQLite tables), ``routes(config)`` (Starlette
routes with their full gateway paths) and ``seed(config)`` (its share of the
demo data, run in this order so later domains can use earlier ones).
"""

from . import assistants, boards, chat, flows, knowledge, platform

DOMAINS = [platform, boards, knowledge, flows, assistants, chat]
